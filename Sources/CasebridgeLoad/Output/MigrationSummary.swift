import CasebridgeModel
import CasebridgeTarget
import Foundation

/// The plain-text account of a migrate run that `casebridge migrate` prints: what each table received,
/// the content stored, the reconciliation per record kind and the findings stored with the run.
public enum MigrationSummary {
    public static func text(_ result: MigrationResult) -> String {
        let export = result.check.document.export
        var lines: [String] = []
        let described = [export.exportId, export.sequence.map { "sequence \($0)" }, export.kind, export.asOf.map { "as of \($0.iso)" }]
            .compactMap { $0 }.joined(separator: ", ")
        if result.dryRun {
            lines.append("Dry run of \(export.file) (\(described)) into \(result.target): nothing was written.")
        } else {
            lines.append("Migrated \(export.file) (\(described)) into \(result.target) as run \(result.load.runID).")
        }
        lines.append("")
        let header = result.dryRun ? ["table", "would insert", "would update", "unchanged", "would delete", QuarantineCount.label]
            : ["table", "inserted", "updated", "unchanged", "deleted", QuarantineCount.label]
        let widths = [22, 13, 13, 11, 13, 14]
        lines.append(row(header, widths: widths))
        var total = result.load.tables.reduce(into: TableChanges(table: "all tables")) {
            $0.inserted += $1.inserted; $0.updated += $1.updated; $0.unchanged += $1.unchanged; $0.deleted += $1.deleted
        }
        // A record may have rows in two tables (a CP plan in cb_plan and ssd_cp_plans): count records once.
        total.quarantined = result.load.quarantine.records
        for table in result.load.tables + [total] {
            lines.append(row([table.table, number(table.inserted), number(table.updated), number(table.unchanged), number(table.deleted),
                              number(table.quarantined)], widths: widths))
        }
        lines.append("")
        let over = result.load.overDeletionGuard
        if !over.isEmpty {
            let verdict = result.dryRun ? "a real run is refused unless given --allow-deletions"
                : "loaded because --allow-deletions was given (recorded with the run)"
            lines.append("Deletion guard: this full export deletes \(DeletionGuardError.describe(over)), more than the policy allows; \(verdict).")
        }
        if !result.check.read.declaredTotals.isEmpty {
            lines.append("Control totals: the export declares its counts of \(result.check.read.declaredTotals.count) kinds; every one matches the records read.")
        }
        if !over.isEmpty || !result.check.read.declaredTotals.isEmpty { lines.append("") }
        let megabytes = String(format: "%.1f MB", Double(result.load.contentBytesAdded) / 1_000_000)
        lines.append("Content: \(number(result.load.contentAdded)) \(result.dryRun ? "would be " : "")stored (\(megabytes), each verified against its SHA-256); "
            + "\(number(result.load.contentReused)) parts share content already stored.")
        lines.append(quarantineLine(result))
        lines.append("")
        lines.append("Reconciliation (read = loaded + quarantined):")
        lines.append(row(["kind", "read", "loaded", "quarantined", ""], widths: [12, 10, 10, 12, 4]))
        // A kind whose record element matched nothing, though its parent occurs: the mapping's warning.
        let unmatched = Dictionary(result.check.read.coverage.elements
            .filter { $0.isRecord && $0.matched == 0 && $0.parentMatched > 0 }
            .compactMap { element in element.kind.map { ($0, element.line) } }) { first, _ in first }
        for kind in result.reconciliation {
            let verdict = if kind.unaccounted != 0 {
                "MISMATCH"
            } else if kind.read == 0, let line = unmatched[kind.kind] {
                "none read: the mapping's path for it (line \(line)) matched nothing"
            } else if kind.read == 0 {
                "none read"
            } else {
                "ok"
            }
            lines.append(row([kind.kind.rawValue, number(kind.read), number(kind.loaded), number(kind.quarantined), "  " + verdict],
                             widths: [12, 10, 10, 12, 0]))
        }
        let read = result.reconciliation.reduce(0) { $0 + $1.read }
        let loaded = result.reconciliation.reduce(0) { $0 + $1.loaded }
        let quarantined = result.reconciliation.reduce(0) { $0 + $1.quarantined }
        let reconciled = result.reconciliation.allSatisfy { $0.unaccounted == 0 }
        lines.append("\(reconciled ? "Every kind reconciles" : "MISMATCH"): \(number(read)) records read = \(number(loaded)) loaded + \(number(quarantined)) quarantined.")
        let carried = result.reconciliation.reduce(0) { $0 + $1.carried }
        if carried > 0 {
            lines.append("The rules ran over the merged state: \(number(carried)) records of earlier exports, carried from the target, with the delta's.")
        }
        lines.append("")
        let findings = result.check.document.findings
        let bySeverity = Severity.allCases.map { severity in "\(severity.rawValue) \(number(findings.filter { $0.severity == severity }.count))" }
        lines.append("Findings \(result.dryRun ? "that would be " : "")stored with the run: \(number(findings.count)) (\(bySeverity.joined(separator: ", "))); "
            + "\(number(result.load.findingsNew)) new since the last run, \(number(result.load.findingsResolved)) of the last run's resolved.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The run's one count of quarantine (``QuarantineCount``): every record in quarantine after it, with
    /// how many of them the delta's own export put there when the run is a delta.
    static func quarantineLine(_ result: MigrationResult) -> String {
        var line = result.load.quarantine.line(grouping: true)
        if result.reconciliation.contains(where: { $0.carried > 0 }) {
            line += " (\(number(result.reconciliation.reduce(0) { $0 + $1.quarantined })) of them from this export)"
        }
        return line + (result.dryRun ? ", which a real run keeps with their raw XML and reasons."
            : ", kept with their raw XML and reasons; `casebridge report` lists them in quarantine.csv.")
    }

    static func number(_ value: Int) -> String { value.grouped }

    static func row(_ cells: [String], widths: [Int]) -> String {
        var text = ""
        for (index, cell) in cells.enumerated() {
            let width = widths[index]
            let padding = String(repeating: " ", count: max(0, width - cell.count))
            text += index == 0 ? cell + padding : padding + cell
        }
        return text.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
}
