import CasebridgeModel

/// The findings a staging keeps for the next delta (``StagingTable/finding``), each with the record it is
/// about, and the basis they were made on (``StagingTable/findingBasis``): what the policy, the rules and
/// the build were. The Check module decides which findings and which basis; this is how they are kept.
extension StagingStore {
    /// The findings kept on `basis`; `nil` when none were kept, or on another basis, or a kept one cannot
    /// be read back.
    public func keptFindings(basis: String) throws -> [(subject: RecordKey, finding: Finding)]? {
        guard try database.scalar("SELECT basis FROM \(StagingTable.findingBasis)")?.string == basis else { return nil }
        var kept: [(subject: RecordKey, finding: Finding)] = []
        var unreadable = false
        // The columns by place: a nightly delta reads back nearly every finding of the last run.
        try database.forEachRow("""
            SELECT rule, subject_kind, subject_id, severity, message, key, context, file, line, lines FROM \(StagingTable.finding)
            """) { row in
            let value = { (index: Int) in row.values[index].string }
            guard !unreadable, let rule = value(0), let kind = value(1), let id = value(2),
                  let severity = value(3).flatMap(Severity.init(rawValue:)), let message = value(4),
                  let key = value(5).flatMap(Self.fields), let context = value(6).flatMap(Self.fields) else {
                unreadable = true
                return
            }
            let lines = (value(9) ?? "").utf8.split(separator: UInt8(ascii: ",")).compactMap { Int(Substring($0)) }
            let source = value(7).map { SourceLocation(file: $0, line: row.values[8].int ?? 0, lines: lines) }
            kept.append((RecordKey(kind: kind, id: id),
                         Finding(rule: rule, severity: severity, key: key, context: context, message: message, source: source)))
        }
        return unreadable ? nil : kept
    }

    /// Keeps `findings` made on `basis`: in place of those about the records in
    /// ``StagingTable/changedRecord`` when `onlyChanged`, in place of all kept before otherwise.
    public func keep(findings: [(subject: RecordKey, finding: Finding)], basis: String, onlyChanged: Bool) throws {
        try database.transaction {
            try database.execute("DELETE FROM \(StagingTable.findingBasis)")
            if onlyChanged {
                try database.execute("""
                    DELETE FROM \(StagingTable.finding) WHERE (subject_kind, subject_id) IN (SELECT kind, record_id FROM \(StagingTable.changedRecord))
                    """)
            } else {
                try database.execute("DELETE FROM \(StagingTable.finding)")
            }
            let insert = try database.prepare("INSERT INTO \(StagingTable.finding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for (subject, finding) in findings {
                try insert.bind([
                    .text(finding.rule), .text(subject.kind), .text(subject.id), .text(finding.severity.rawValue),
                    .text(Self.text(finding.key)), .text(Self.text(finding.context)), .text(finding.message),
                    SQLValue(finding.source?.file), SQLValue(finding.source?.line),
                    SQLValue(finding.source.flatMap { $0.lines.isEmpty ? nil : $0.lines.map(String.init).joined(separator: ",") }),
                ])
                try insert.step()
            }
            try database.execute("INSERT INTO \(StagingTable.findingBasis) (basis) VALUES (?)", [.text(basis)])
        }
    }

    // Fields are kept as `name US value`, joined by RS: control characters XML 1.0 cannot carry.
    private static let unitSeparator: Character = "\u{1F}"
    private static let recordSeparator: Character = "\u{1E}"

    private static func text(_ fields: [FindingField]) -> String {
        fields.map { $0.name + String(unitSeparator) + $0.value }.joined(separator: String(recordSeparator))
    }

    private static func fields(_ text: String) -> [FindingField]? {
        guard !text.isEmpty else { return [] }
        var fields: [FindingField] = []
        // Split on the separators' bytes (each one byte in UTF-8), not by characters.
        for field in text.utf8.split(separator: 0x1E, omittingEmptySubsequences: false) {
            guard let unit = field.firstIndex(of: 0x1F) else { return nil }
            fields.append(FindingField(String(Substring(field[..<unit])), String(Substring(field[field.index(after: unit)...]))))
        }
        return fields
    }
}
