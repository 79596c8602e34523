import CasebridgeModel
import CasebridgeStore
import Crypto
import Foundation

/// A record the run could not load, as `casebridge_quarantine` stores it: every reason, the file and line
/// it came from, and its raw XML (once per SHA-256 in `casebridge_raw_xml`) or why there is none.
struct QuarantineRow {
    var kind: RecordKind
    var recordID: String?
    var file: String
    var line: Int?
    /// The reasons, a JSON array of sentences.
    var reasons: String?
    var rawSHA256: String?
    var rawNote: String?
    /// The raw XML read now (`nil` for a record carried from an earlier export, whose XML that run stored).
    var rawXML: String?

    /// The values of `casebridge_quarantine`'s columns after the run's id: kind, record_id, source_file,
    /// source_line, reasons, raw_sha256, raw_note.
    var values: [SQLValue] {
        [.text(kind.rawValue), SQLValue(recordID), .text(file), SQLValue(line), SQLValue(reasons), SQLValue(rawSHA256), SQLValue(rawNote)]
    }
}

/// The quarantined records of a staged export, for every engine: read from staging and the export file.
enum QuarantineRows {
    /// The longest raw XML kept for one quarantined record.
    static let rawLimit = 16 << 20

    /// Where an earlier run stored a carried record's raw XML: its SHA-256 and note, if that run quarantined it.
    typealias EarlierRaw = (_ kind: RecordKind, _ recordID: String?, _ file: String, _ line: Int?) throws -> (sha256: String?, note: String?)?

    /// Hands `body` every quarantined record of the staging read on `database` with the prefix `staging`
    /// (`s.` when attached, none on staging's own connection), kind by kind in rid order.
    static func forEach(in database: Database, staging: String, facts: RunFacts, exportPath: String, earlierRaw: EarlierRaw,
                        _ body: (QuarantineRow) throws -> Void) throws {
        let source = FileHandle(forReadingAtPath: exportPath)
        defer { try? source?.close() }
        for kind in RecordKind.allCases {
            let rows = try database.rows("""
                SELECT q.rid, t.record_id, t.line, t.src_start, t.src_end, t.carried, json_group_array(q.reason) AS reasons
                FROM (SELECT DISTINCT rid, reason FROM \(staging)\(StagingTable.quarantine) WHERE kind = ?) q
                JOIN \(staging)\(StagingStore.table(kind)) t ON t.rid = q.rid
                GROUP BY q.rid ORDER BY q.rid
                """, [.text(kind.rawValue)])
            for row in rows {
                let (file, line) = facts.place(of: row.int("line"))
                var record = QuarantineRow(kind: kind, recordID: row["record_id"], file: file, line: line, reasons: row["reasons"])
                if row.int("carried") == 1 {
                    if let earlier = try earlierRaw(kind, record.recordID, file, line) {
                        (record.rawSHA256, record.rawNote) = earlier
                    } else {
                        record.rawNote = "the record was read from \(file), whose raw XML this target does not hold"
                    }
                } else {
                    switch rawXML(source, start: row.int("src_start"), end: row.int("src_end")) {
                    case let .success(xml):
                        record.rawXML = xml
                        record.rawSHA256 = SHA256.hash(data: Data(xml.utf8)).hex
                        if let end = row.int("src_end"), let start = row.int("src_start"), end - start > rawLimit {
                            record.rawNote = "the record's XML is longer than \(rawLimit) bytes; the first \(rawLimit) are kept"
                        }
                    case let .failure(problem):
                        record.rawNote = problem.reason
                    }
                }
                try body(record)
            }
        }
    }

    /// The statement that finds where an earlier run stored a record's raw XML, in SQL both engines speak:
    /// kind, record id, file and line as its four parameters.
    static let earlierRawSQL = """
        SELECT raw_sha256, raw_note FROM casebridge_quarantine
        WHERE kind = ? AND record_id IS NOT DISTINCT FROM ? AND source_file = ? AND source_line IS NOT DISTINCT FROM ?
        ORDER BY run_id DESC LIMIT 1
        """

    /// The parameters of ``earlierRawSQL``.
    static func earlierRawValues(_ kind: RecordKind, _ recordID: String?, _ file: String, _ line: Int?) -> [SQLValue] {
        [.text(kind.rawValue), SQLValue(recordID), .text(file), SQLValue(line)]
    }

    struct RawProblem: Error { var reason: String }

    /// The record's XML from its start tag's `<` to the end of its end tag (at most ``rawLimit`` bytes).
    static func rawXML(_ file: FileHandle?, start: Int?, end: Int?) -> Result<String, RawProblem> {
        guard let file, let start, let end, end > start else {
            return .failure(RawProblem(reason: "the record's place in the file is not known"))
        }
        do {
            // The start offset lies inside the start tag; the tag begins at the last `<` before it, most
            // often a few bytes back: 4 KiB are read first, and up to 1 MiB only if the `<` is not in them
            // (reading 1 MiB for each record was most of a full load's time storing its quarantine).
            var tagStart: Int?
            for window in [4 << 10, 1 << 20] {
                let back = min(start, window)
                try file.seek(toOffset: UInt64(start - back))
                let before = try file.read(upToCount: back) ?? Data()
                if let open = before.lastIndex(of: UInt8(ascii: "<")) {
                    tagStart = start - back + (open - before.startIndex)
                    break
                }
                if back < window { break }
            }
            guard let tagStart else {
                return .failure(RawProblem(reason: "the record's start tag was not found in the file"))
            }
            try file.seek(toOffset: UInt64(tagStart))
            let data = try file.read(upToCount: min(end - tagStart, rawLimit)) ?? Data()
            guard data.first == UInt8(ascii: "<"), let text = String(data: data, encoding: .utf8) else {
                return .failure(RawProblem(reason: "the record's bytes are not UTF-8 XML (the export's encoding is kept only for UTF-8 files)"))
            }
            return .success(text)
        } catch {
            return .failure(RawProblem(reason: "the export could not be read again: \(error.localizedDescription)"))
        }
    }
}
