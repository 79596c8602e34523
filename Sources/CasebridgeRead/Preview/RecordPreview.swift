import CasebridgeMapping
import CasebridgeModel
import Foundation

/// The first records a mapping makes of an export, field by field: the canonical value beside the raw
/// one, and each `invalid-value` finding, so that a mapping's author sees at once what a setting does.
///
/// A preview shows the export's values: it is for the person writing the mapping, on their screen,
/// never for a ticket (``ExportSurvey`` is for that).
///
/// ```swift
/// let preview = try RecordPreview.run(export: "export.xml", mapping: mapping, records: 5, kind: .person)
/// print(preview.text())
/// ```
public struct RecordPreview: Sendable {
    /// The records shown, in export order.
    public var records: [ReadRecord]
    /// Whether the export ended before enough records were found.
    public var reachedEnd: Bool
    public var file: String
    public var mapping: String

    /// Reads `export` through `mapping` until `records` records (of `kind`, when given) are made.
    public static func run(export: String, mapping: Mapping, records count: Int, kind: RecordKind? = nil) throws -> RecordPreview {
        let sink = Collector(limit: count, kind: kind)
        var reachedEnd = true
        do {
            _ = try ExportReader(mapping: mapping).readKeepingRaws(path: export, into: sink)
        } catch is Collector.Full {
            reachedEnd = false
        } catch let error as ReadError where !sink.records.isEmpty && error.reason.hasPrefix("the export declares") {
            // Control totals are judged on the whole export; a preview of its first records stands.
            reachedEnd = true
        }
        return RecordPreview(records: sink.records, reachedEnd: reachedEnd, file: export, mapping: mapping.file)
    }

    /// Takes records until it has enough, then stops the read.
    private final class Collector: RecordSink {
        struct Full: Error {}
        let limit: Int
        let kind: RecordKind?
        var records: [ReadRecord] = []

        init(limit: Int, kind: RecordKind?) {
            self.limit = limit
            self.kind = kind
        }

        func accept(_ record: ReadRecord) throws {
            guard kind == nil || record.kind == kind else { return }
            records.append(record)
            if records.count >= limit { throw Full() }
        }
    }

    /// The records as text: one block per record, one line per mapped field.
    public func text() -> String {
        var lines = ["Preview of \(file) through \(mapping): \(records.count) record\(records.count == 1 ? "" : "s")"
            + (reachedEnd ? " (the export holds no more)" : "") + ".", ""]
        for record in records {
            lines.append("\(record.kind.rawValue) \(record.reportedId)  (line \(record.line))\(record.keyFailed ? "  quarantined: a key field fails" : "")")
            let rows: [(name: String, canonical: String, raw: String?)] = record.kind.fields.indices.compactMap { index in
                let raw = record.raws?[index]
                let canonical = record.values[index]
                guard raw != nil || canonical != nil else { return nil }
                return (record.kind.fields[index].name, canonical ?? "(invalid)", raw == canonical ? nil : raw)
            }
            let nameWidth = rows.map(\.name.count).max() ?? 0
            let valueWidth = rows.filter { $0.raw != nil }.map(\.canonical.count).max() ?? 0
            for row in rows {
                let name = row.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                let value = row.raw == nil ? row.canonical : row.canonical.padding(toLength: valueWidth, withPad: " ", startingAt: 0)
                lines.append("  \(name)  \(value)" + (row.raw.map { "  ← \(Self.quoted($0))" } ?? ""))
            }
            for invalid in record.invalid {
                let value = invalid.raw.map { "'\($0)' " } ?? ""
                lines.append("  invalid-value: \(invalid.label) \(value)\(invalid.reason)\(invalid.isKey ? " (a key field: the record is quarantined)" : "")")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    private static func quoted(_ raw: String) -> String {
        let short = raw.count > 60 ? String(raw.prefix(59)) + "…" : raw
        return "\"" + short.replacingOccurrences(of: "\n", with: "⏎") + "\""
    }
}
