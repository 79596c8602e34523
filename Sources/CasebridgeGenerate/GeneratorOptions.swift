import CasebridgeModel
import Foundation

/// What to generate: how many households, from which seed, with how many defects, and how the
/// XML is spelled.
///
/// The same options always give the same bytes, on any machine.
///
/// ```swift
/// var options = GeneratorOptions(families: 200, seed: 42)
/// options.defectRate = 0.1
/// let summary = try ExportGenerator(options: options).write(to: URL(filePath: "out"))
/// ```
public struct GeneratorOptions: Sendable, Hashable {
    /// Households to generate; each is one `Family` with its parents, 1–5 children and their records.
    public var families: Int
    /// The seed of every random choice.
    public var seed: UInt64
    /// The fraction of eligible records given a defect (0…1). Eligible: every Person, Visit and
    /// Plan, every Document, every Member with role parent or other.
    public var defectRate: Double
    /// Write elements as `lce:Foo` with `xmlns:lce="urn:lce:2"` instead of the default namespace.
    public var prefixedNamespace: Bool
    /// End lines with CRLF instead of LF (inside wrapped base64 too).
    public var crlf: Bool
    /// Start the file with a UTF-8 byte order mark.
    public var bom: Bool
    /// The typical decoded size of a part, in bytes: each part's content is between half and one
    /// and a half times this. The size of the export grows about linearly with it.
    public var inlinePartBytes: Int
    /// The fraction of parts written as a file under `attachments/` (an `href`) rather than inline.
    public var hrefPartRate: Double
    /// The fraction of inline parts whose base64 is wrapped in 76-character lines.
    public var wrappedBase64Rate: Double
    /// The envelope's `exportId`.
    public var exportId: String
    /// The envelope's `sequence`.
    public var sequence: Int
    /// End the export with a `<Totals>` trailer counting its records (schema 2.4); without it, the
    /// export is schema 2.3, as older legacy systems write.
    public var totals = true
    /// How the records are laid out: the reference format's flat sections, or the same records in a
    /// nested household layout (`mappings/examples/household-export.yaml` reads it).
    public var layout = ExportLayout.flat

    /// The envelope's `exportedAt`, fixed so that every generated export has the same as-of date.
    public static let exportedAt = "2019-09-02T23:10:00Z"
    /// The as-of date of `exportedAt` (its calendar date in Europe/London, in summer time).
    public static let asOf = CivilDate(year: 2019, month: 9, day: 3)

    public init(
        families: Int, seed: UInt64, defectRate: Double = 0.05, prefixedNamespace: Bool = false,
        crlf: Bool = false, bom: Bool = false, inlinePartBytes: Int = 6 * 1024,
        hrefPartRate: Double = 0.08, wrappedBase64Rate: Double = 0.3,
        exportId: String = "EXP-20190902-0001", sequence: Int = 412
    ) {
        self.families = families
        self.seed = seed
        self.defectRate = defectRate
        self.prefixedNamespace = prefixedNamespace
        self.crlf = crlf
        self.bom = bom
        self.inlinePartBytes = inlinePartBytes
        self.hrefPartRate = hrefPartRate
        self.wrappedBase64Rate = wrappedBase64Rate
        self.exportId = exportId
        self.sequence = sequence
    }

    /// Throws ``GeneratorError/invalidOption(_:)`` for a value the generator cannot honour.
    public func validate() throws {
        func require(_ ok: Bool, _ reason: String) throws {
            if !ok { throw GeneratorError.invalidOption(reason) }
        }
        try require(families >= 0, "families must be 0 or more, not \(families)")
        try require(defectRate >= 0 && defectRate <= 1, "defect rate must be between 0 and 1, not \(defectRate)")
        try require(hrefPartRate >= 0 && hrefPartRate <= 1, "href part rate must be between 0 and 1")
        try require(wrappedBase64Rate >= 0 && wrappedBase64Rate <= 1, "wrapped base64 rate must be between 0 and 1")
        try require(inlinePartBytes >= 16 && inlinePartBytes <= 64 << 20,
                    "inline part size must be between 16 bytes and 64 MiB, not \(inlinePartBytes)")
        try require(sequence >= 0, "sequence must be 0 or more")
        try require(!exportId.isEmpty && exportId.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x26 && $0 != 0x3C },
                    "export id must be printable ASCII without spaces, quotes, & or <")
    }
}

/// How a generated export lays out its records.
public enum ExportLayout: String, CaseIterable, Sendable, Hashable {
    /// The reference format, LCE2: flat sections of records that refer to each other by id.
    case flat
    /// The same records nested by household, with the layout's own names, codes, dates and split ids
    /// (see ``NestedLayout``).
    case nested
}

/// What ``ExportGenerator/write(to:)`` wrote.
public struct GenerationSummary: Sendable {
    /// `DIR/export.xml`.
    public var exportFile: URL
    /// `DIR/expected-findings.json`: the findings a correct `casebridge check` must report.
    public var expectedFindingsFile: URL
    /// Bytes of `export.xml` plus the files under `attachments/`.
    public var bytesWritten: Int
    /// Record elements written, per ``RecordKind`` raw value (all fifteen kinds, zeros included).
    public var records: [String: Int]
    /// Findings in `expected-findings.json`.
    public var findings: Int
    /// Records quarantined (duplicate ids, failing key fields).
    public var quarantined: Int
    /// Records that could have been given a defect.
    public var eligibleRecords: Int
    /// Records given a defect (a duplicated id counts once, on the record it copies).
    public var defectiveRecords: Int
    /// Files written under `attachments/`.
    public var attachmentFiles: Int
}

/// Why the generator stopped.
public enum GeneratorError: Error, CustomStringConvertible, Equatable {
    case invalidOption(String)
    case io(path: String, errno: Int32)

    public var description: String {
        switch self {
        case let .invalidOption(reason): return "invalid option: \(reason)"
        case let .io(path, code): return "cannot write \(path): \(String(cString: strerror(code)))"
        }
    }
}
