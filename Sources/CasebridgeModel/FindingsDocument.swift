/// What an export says about itself, from its envelope.
public struct ExportHeader: Hashable, Sendable {
    /// The export file as given on the command line.
    public var file: String
    public var exportId: String?
    public var sequence: Int?
    /// `full` or `delta`.
    public var kind: String?
    /// The export's `exportedAt`, normalised to UTC.
    public var exportedAt: String?
    /// The Europe/London calendar date of `exportedAt`.
    public var asOf: CivilDate?

    public init(
        file: String, exportId: String? = nil, sequence: Int? = nil, kind: String? = nil,
        exportedAt: String? = nil, asOf: CivilDate? = nil
    ) {
        self.file = file
        self.exportId = exportId
        self.sequence = sequence
        self.kind = kind
        self.exportedAt = exportedAt
        self.asOf = asOf
    }
}

/// The findings of one run in the shape of `docs/findings-format.md`: the export, the counts and every
/// finding in contract order.
public struct FindingsDocument: Sendable {
    public var export: ExportHeader
    /// Records read, per record kind name.
    public var recordCounts: [String: Int]
    /// Records in quarantine, as ``QuarantineCount`` defines them (a key field failed, a shared id, or
    /// the record they belong to is quarantined; every kind counted).
    public var quarantined: Int
    /// Every finding; sorted into contract order by `init`.
    public private(set) var findings: [Finding]
    /// Rule ids to list in `counts.findings` even when they found nothing (the rules that ran).
    public var rulesRun: [String]

    public init(
        export: ExportHeader, recordCounts: [String: Int], quarantined: Int, findings: consuming [Finding],
        rulesRun: [String]
    ) {
        self.export = export
        self.recordCounts = recordCounts
        self.quarantined = quarantined
        // Sorted where they lie: a run with many findings holds them once, not twice.
        self.findings = findings
        self.findings.sort(by: Finding.contractOrder)
        self.rulesRun = rulesRun
    }

    /// ``quarantined`` as the one count of quarantine, with its label.
    public var quarantine: QuarantineCount { QuarantineCount(records: quarantined) }

    /// Findings per rule id, every rule that ran included.
    public var countsByRule: [(String, Int)] {
        var counts = Dictionary(uniqueKeysWithValues: rulesRun.map { ($0, 0) })
        for finding in findings { counts[finding.rule, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }
    }

    /// The contract's JSON object. For a large document, ``writeJSON(_:)`` writes the same bytes
    /// without holding them all.
    public var json: JSONValue {
        .object([("export", headerJSON), ("counts", countsJSON), ("findings", .array(findings.map(Self.json(of:))))])
    }

    /// Writes `json.serialised(pretty: true)` in pieces, one finding at a time.
    public func writeJSON(_ write: (String) -> Void) {
        write("{\n  \"export\": " + headerJSON.serialised(pretty: true, indent: 1))
        write(",\n  \"counts\": " + countsJSON.serialised(pretty: true, indent: 1))
        write(",\n  \"findings\": [")
        for (index, finding) in findings.enumerated() {
            write((index == 0 ? "\n    " : ",\n    ") + Self.json(of: finding).serialised(pretty: true, indent: 2))
        }
        write(findings.isEmpty ? "]\n}" : "\n  ]\n}")
    }

    private var headerJSON: JSONValue {
        var header: [(String, JSONValue)] = [("file", .string(export.file))]
        header.append(("exportId", export.exportId.map(JSONValue.string) ?? .null))
        header.append(("sequence", export.sequence.map(JSONValue.int) ?? .null))
        header.append(("kind", export.kind.map(JSONValue.string) ?? .null))
        header.append(("asOf", export.asOf.map { .string($0.iso) } ?? .null))
        return .object(header)
    }

    private var countsJSON: JSONValue {
        let records = recordCounts.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.int($0.value)) }
        return .object([
            ("records", .object(records)),
            (QuarantineCount.jsonKey, .int(quarantined)),
            ("findings", .object(countsByRule.map { ($0.0, .int($0.1)) })),
        ])
    }

    /// One finding as the contract writes it: rule, severity, key fields, context, message, source (with
    /// `lines`, every line, when the finding stands for more than one record).
    public static func json(of finding: Finding) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("rule", .string(finding.rule)), ("severity", .string(finding.severity.rawValue)),
        ]
        for field in finding.key + finding.context { members.append((field.name, .string(field.value))) }
        members.append(("message", .string(finding.message)))
        if let source = finding.source {
            var place: [(String, JSONValue)] = [("file", .string(source.file)), ("line", .int(source.line))]
            if !source.lines.isEmpty { place.append(("lines", .array(source.lines.map(JSONValue.int)))) }
            members.append(("source", .object(place)))
        }
        return .object(members)
    }
}
