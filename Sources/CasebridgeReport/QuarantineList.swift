import CasebridgeModel
import CasebridgeTarget

/// `quarantine.csv`: the records the reported run could not load (the live quarantine after it), one
/// a row with where each was read and why it could not load, in ``CSVWriter``'s dialect. It names
/// record ids, as the teams' worklists do, but never a person's name and never the record's raw XML
/// (the target keeps that in `casebridge_raw_xml` for whoever corrects the record).
public enum QuarantineList {
    /// The columns, in order.
    public static let header = ["record kind", "record id", "export file", "export line", "reasons"]

    /// The list, whole: a row per record in the order the load stored them, reasons joined by "; ".
    public static func csv(_ records: [QuarantinedRecord]) -> String {
        CSVWriter.document(header: header, rows: records.map { record in
            [record.kind, record.recordId ?? "", record.sourceFile, record.sourceLine.map(String.init) ?? "",
             record.reasons.joined(separator: "; ")]
        })
    }
}
