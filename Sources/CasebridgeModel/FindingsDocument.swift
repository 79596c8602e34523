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
    /// Every finding, in contract order: those held, or those read back from the spill (a pass over it
    /// for each use: ``forEachFinding(_:)`` reads them one at a time instead).
    public var findings: [Finding] {
        guard let spill else { return held }
        var all: [Finding] = []
        all.reserveCapacity(spill.count)
        spill.forEach { all.append($0) }
        return all
    }
    /// The findings, when held in memory (sorted into contract order by `init`).
    private var held: [Finding]
    /// Where the findings are, when they are not held (``init(export:recordCounts:quarantined:spill:rulesRun:)``).
    private let spill: FindingSpill?
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
        held = findings
        held.sort(by: Finding.contractOrder)
        spill = nil
        self.rulesRun = rulesRun
    }

    /// A document whose findings stay in `spill` until they are written, read back one at a time.
    public init(export: ExportHeader, recordCounts: [String: Int], quarantined: Int, spill: FindingSpill, rulesRun: [String]) {
        self.export = export
        self.recordCounts = recordCounts
        self.quarantined = quarantined
        held = []
        self.spill = spill
        self.rulesRun = rulesRun
    }

    /// How many findings there are.
    public var findingCount: Int { spill?.count ?? held.count }

    /// The highest severity of a finding (critical first), `nil` when there is none: the first finding's,
    /// in contract order.
    public var worstSeverity: Severity? { spill.map(\.worstSeverity) ?? held.first?.severity }

    /// Hands `body` every finding in contract order, without holding them all when they are spilled.
    public func forEachFinding(_ body: (Finding) throws -> Void) rethrows {
        if let spill { try spill.forEach(body) } else { try held.forEach(body) }
    }

    /// ``quarantined`` as the one count of quarantine, with its label.
    public var quarantine: QuarantineCount { QuarantineCount(records: quarantined) }

    /// Findings per rule id, every rule that ran included.
    public var countsByRule: [(String, Int)] {
        var counts = Dictionary(uniqueKeysWithValues: rulesRun.map { ($0, 0) })
        if let spill {
            counts.merge(spill.countsByRule, uniquingKeysWith: +)
        } else {
            for finding in held { counts[finding.rule, default: 0] += 1 }
        }
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
        var written = 0
        forEachFinding { finding in
            write((written == 0 ? "\n    " : ",\n    ") + Self.json(of: finding).serialised(pretty: true, indent: 2))
            written += 1
        }
        write(written == 0 ? "]\n}" : "\n  ]\n}")
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
