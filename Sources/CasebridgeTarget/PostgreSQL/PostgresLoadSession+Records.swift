import CasebridgeModel
import CasebridgeRead
import CasebridgeStore

extension PostgresLoadSession {
    // MARK: Content

    /// The largest value PostgreSQL stores in one `bytea` field.
    static let byteaLimit = 1 << 30

    /// Stores the content of every loaded part the target does not hold yet, once per SHA-256, in one
    /// binary `COPY`: each byte hashed as it is sent (a byte that changed since the read fails the run),
    /// and every new row hashed again by the server once stored (`sha256(data)`).
    func storeContent(in table: String, facts: RunFacts, source: ContentSource, outcome: inout LoadOutcome) throws {
        try staging.execute("DROP TABLE IF EXISTS temp.content_todo")
        try staging.execute("CREATE TEMP TABLE content_todo AS " + ContentToStore.select(staging: "", continuedFrom: facts.continuedFrom))
        defer { try? staging.execute("DROP TABLE IF EXISTS temp.content_todo") }
        try ContentToStore.requirePack(source)
        // Which of it the target holds already.
        try connection.execute("""
            DROP TABLE IF EXISTS pg_temp.tmp_content;
            CREATE TEMP TABLE tmp_content (sha256 text PRIMARY KEY, stored boolean NOT NULL DEFAULT false)
            """)
        defer { try? connection.execute("DROP TABLE IF EXISTS pg_temp.tmp_content") }
        try ship("SELECT sha256 FROM temp.content_todo", into: "pg_temp.tmp_content", columns: ["sha256"])
        let quoted = quotedName(table)
        try connection.execute("UPDATE pg_temp.tmp_content s SET stored = true WHERE EXISTS (SELECT 1 FROM \(quoted) c WHERE c.sha256 = s.sha256)")
        let stored = Set(try connection.rows("SELECT sha256 FROM pg_temp.tmp_content WHERE stored").compactMap { $0["sha256"] })
        let files = ContentFiles(exportPath: source.exportPath)
        var counts = outcome
        try connection.copyIn("COPY \(quoted) (sha256, bytes, data) FROM STDIN (FORMAT binary)") { stream in
            let copy = PostgresBinaryCopy(stream: stream)
            try copy.begin()
            try staging.forEachRow("SELECT * FROM temp.content_todo ORDER BY \"offset\", href") { candidate in
                let parts = candidate.int("parts") ?? 0
                guard let sha = candidate["sha256"], let bytes = candidate.int("bytes"), !stored.contains(sha) else {
                    counts.contentReused += parts
                    return
                }
                guard bytes <= Self.byteaLimit else {
                    throw TargetError(source.exportPath, "the content of SHA-256 \(sha) is \(bytes) bytes, more than a PostgreSQL bytea holds (1 GiB); nothing was changed")
                }
                counts.contentReused += parts - 1
                try copy.row(fields: 3)
                try copy.text(sha)
                try copy.bigint(Int64(bytes))
                try copy.field(length: Int32(bytes))
                try ContentToStore.stream(candidate, source: source, files: files) { try stream.raw($0) }
                counts.contentAdded += 1
                counts.contentBytesAdded += Int64(bytes)
            }
            try copy.end()
        }
        if let wrong = try connection.scalar("""
            SELECT c.sha256 FROM pg_temp.tmp_content s JOIN \(quoted) c ON c.sha256 = s.sha256
            WHERE NOT s.stored AND (length(c.data) <> c.bytes OR encode(sha256(c.data), 'hex') <> c.sha256) LIMIT 1
            """)?.string {
            throw TargetError(target.name, "the server holds other bytes for the content of SHA-256 \(wrong) than were sent; nothing was changed")
        }
        outcome = counts
    }

    // MARK: Quarantine

    /// The raw XML a batch of quarantine may hold before it is sent.
    static let quarantineBatchBytes = 32 << 20

    func storeQuarantine(run: Int64, facts: RunFacts, source: ContentSource) throws -> Int {
        // A record carried from an earlier export keeps the raw XML stored when that export's run
        // quarantined it: what the last run to quarantine each record stored is read once, in one
        // statement, rather than asked of the server once a record.
        var earlier: [String: (sha256: String?, note: String?)]?
        let earlierRaw: QuarantineRows.EarlierRaw = { [connection] kind, recordID, file, line in
            if earlier == nil {
                earlier = [:]
                for row in try connection.rows("""
                    SELECT DISTINCT ON (kind, record_id, source_file, source_line) kind, record_id, source_file, source_line, raw_sha256, raw_note
                    FROM casebridge_quarantine ORDER BY kind, record_id, source_file, source_line, run_id DESC
                    """) {
                    let key = Self.quarantinePlace(row["kind"] ?? "", row["record_id"], row["source_file"] ?? "", row["source_line"])
                    earlier?[key] = (row["raw_sha256"], row["raw_note"])
                }
            }
            return earlier?[Self.quarantinePlace(kind.rawValue, recordID, file, line.map(String.init))]
        }
        var batch: [QuarantineRow] = []
        var batchBytes = 0
        var count = 0
        try QuarantineRows.forEach(in: staging, staging: "", facts: facts, exportPath: source.exportPath, earlierRaw: earlierRaw) { record in
            batch.append(record)
            batchBytes += record.rawXML?.utf8.count ?? 0
            if batchBytes >= Self.quarantineBatchBytes {
                try sendQuarantine(batch, run: run, first: count)
                count += batch.count
                batch.removeAll()
                batchBytes = 0
            }
        }
        try sendQuarantine(batch, run: run, first: count)
        return count + batch.count
    }

    /// A quarantined record's kind, id, file and line as one key (`nil` apart from every value).
    private static func quarantinePlace(_ kind: String, _ recordID: String?, _ file: String, _ line: String?) -> String {
        [kind, recordID ?? "\u{0}", file, line ?? "\u{0}"].joined(separator: "\u{1F}")
    }

    /// Sends a batch of quarantined records, numbered from `first`: their raw XML (once per SHA-256),
    /// then their rows.
    private func sendQuarantine(_ batch: [QuarantineRow], run: Int64, first: Int) throws {
        guard !batch.isEmpty else { return }
        let raw = batch.filter { $0.rawXML != nil && $0.rawSHA256 != nil }
        if !raw.isEmpty {
            try connection.execute("""
                DROP TABLE IF EXISTS pg_temp.tmp_raw; CREATE TEMP TABLE tmp_raw (sha256 text, bytes bigint, xml text)
                """)
            try connection.copyIn("COPY pg_temp.tmp_raw (sha256, bytes, xml) FROM STDIN") { stream in
                for record in raw {
                    stream.add(SQLValue(record.rawSHA256))
                    stream.add(.integer(Int64(record.rawXML?.utf8.count ?? 0)))
                    stream.add(SQLValue(record.rawXML))
                    try stream.endRow()
                }
            }
            try connection.execute("""
                INSERT INTO casebridge_raw_xml (sha256, bytes, xml) SELECT DISTINCT ON (sha256) sha256, bytes, xml FROM pg_temp.tmp_raw
                ON CONFLICT (sha256) DO NOTHING;
                DROP TABLE pg_temp.tmp_raw
                """)
        }
        let columns = "run_id, ordinal, kind, record_id, source_file, source_line, reasons, raw_sha256, raw_note"
        try connection.copyIn("COPY casebridge_quarantine (\(columns)) FROM STDIN") { stream in
            for (index, record) in batch.enumerated() {
                for value in [.integer(run), .integer(Int64(first + index))] + record.values { stream.add(value) }
                try stream.endRow()
            }
        }
    }

    // MARK: Findings

    /// Stores the run's findings, completed (``CompletedFindings``), in one `COPY`, each with the run it
    /// was first found in: the previous run's finding of the same identity's, read in one statement,
    /// rather than updated once stored (a second version of every row, a tenth of a nightly delta's time).
    func storeFindings(_ findings: CompletedFindings, run: Int64) throws -> Int {
        var firstRuns: [String: Int64] = [:]
        if let previous = try writer.previousLoadedRun(before: run) {
            for row in try connection.rows("SELECT identity, first_run FROM casebridge_finding WHERE run_id = $1", [.integer(previous)]) {
                if let identity = row["identity"], let first = row.int("first_run") { firstRuns[identity] = Int64(first) }
            }
        }
        let rows = try findings.rows()
        let columns = ["run_id", "ordinal"] + FindingRows.storedColumns + ["first_run"]
        try connection.copyIn("COPY casebridge_finding (\(columns.map(quotedName).joined(separator: ", "))) FROM STDIN") { stream in
            for (ordinal, values) in rows.enumerated() {
                stream.add(.integer(run))
                stream.add(.integer(Int64(ordinal)))
                for value in values { stream.add(value) }
                stream.add(.integer(values[FindingRows.identityIndex].string.flatMap { firstRuns[$0] } ?? run))
                try stream.endRow()
            }
        }
        return rows.count
    }
}
