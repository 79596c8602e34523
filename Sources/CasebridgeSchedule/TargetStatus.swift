import CasebridgeMapping
import CasebridgeModel
import CasebridgeStore
import CasebridgeTarget
import Foundation

/// Where a target stands, for `casebridge status`: its last runs, the last loaded sequence, what waits
/// in the inbox, and the gaps the last loaded run left open.
public struct TargetStatus: Sendable {
    /// An export waiting in the inbox and where it stands against the last loaded sequence.
    public struct Waiting: Sendable {
        public var name: String
        public var exportId: String?
        public var sequence: Int?
        /// `next`, `after a gap`, `already loaded`, `older`, `unreadable`.
        public var state: String
        public var detail: String?
    }

    /// Open gaps of the last loaded run: findings of one rule and severity.
    public struct Gap: Sendable {
        public var severity: String
        public var rule: String
        public var count: Int
    }

    public var target: String
    public var runs: [RunRecord] = []
    public var lastLoadedSequence: Int?
    public var lastLoadedRun: Int?
    /// What is in quarantine now: the records in quarantine after the last loaded run
    /// (``QuarantineCount``), records earlier exports put there and no delta since replaced included;
    /// `nil` before any load.
    public var quarantine: QuarantineCount?
    public var inbox: String?
    public var waiting: [Waiting] = []
    public var gaps: [Gap] = []

    /// Reads the status of `target` (an SQLite file, or a PostgreSQL connection string whose tables live in
    /// `schema`) and, given, of `inbox`: at most `runLimit` runs, newest first.
    /// - Throws: ``TargetError`` when `target` is not a Casebridge target or cannot be read; ``InboxError``
    ///   for an inbox that cannot be read.
    public static func read(target: String, schema: String = TargetMapping.defaultPostgresSchema, inbox: Inbox?, mapping: Mapping,
                            runLimit: Int = 10) throws -> TargetStatus {
        let history = try TargetEngines.open(target: target, schema: schema).history()
        var status = TargetStatus(target: target)
        var loaded = Set<Int>()
        do {
            status.runs = try history.runRecords(limit: runLimit)
            if let last = try history.lastLoadedRun() {
                status.lastLoadedSequence = last.sequence
                status.lastLoadedRun = Int(last.runID)
            }
            if let run = status.lastLoadedRun {
                status.gaps = try history.findingCounts(run: run).map { Gap(severity: $0.severity, rule: $0.rule, count: $0.count) }
                status.quarantine = try history.quarantineCount(run: run)
            }
            loaded = Set(try history.loadedRuns().compactMap(\.sequence))
        } catch let error as DatabaseError {
            throw TargetError(target, "cannot be read: \(error.message)")
        }
        if let inbox {
            status.inbox = inbox.url.path
            status.waiting = waiting(try inbox.entries(mapping: mapping), loaded: loaded, lastLoaded: status.lastLoadedSequence)
        }
        return status
    }

    /// Where each export waiting in the inbox stands against the sequences the target loaded.
    static func waiting(_ entries: [InboxEntry], loaded: Set<Int>, lastLoaded: Int?) -> [Waiting] {
        let claims = Dictionary(grouping: entries.compactMap(\.sequence), by: { $0 }).mapValues(\.count)
        var expected = lastLoaded.map { $0 + 1 }
        var waiting: [Waiting] = []
        for entry in entries.sorted(by: { ($0.sequence ?? Int.min, $0.name) < ($1.sequence ?? Int.min, $1.name) }) {
            var item = Waiting(name: entry.name, exportId: entry.exportId, sequence: entry.sequence, state: "next")
            if let reason = entry.unreadable {
                item.state = "unreadable"
                item.detail = reason
            } else if let sequence = entry.sequence {
                if claims[sequence, default: 0] > 1 {
                    item.state = "claimed twice"
                    item.detail = "another export in the inbox has sequence \(sequence)"
                } else if loaded.contains(sequence) {
                    item.state = "already loaded"
                } else if let lastLoaded, sequence < lastLoaded {
                    item.state = "older"
                    item.detail = "older than the last loaded sequence \(lastLoaded)"
                } else if let next = expected, sequence > next {
                    item.state = "after a gap"
                    item.detail = "\(ScheduleReport.describe(Array(next..<sequence))) missing"
                    expected = sequence + 1
                } else {
                    expected = sequence + 1
                }
            }
            waiting.append(item)
        }
        return waiting
    }

    /// The plain-text status.
    public var text: String {
        var lines: [String] = ["Target: \(target)"]
        lines.append("Last loaded sequence: \(lastLoadedSequence.map(String.init) ?? "none")\(lastLoadedRun.map { " (run \($0))" } ?? "")")
        if let quarantine, let run = lastLoadedRun {
            lines.append(quarantine.line(grouping: true) + " after run \(run) (`casebridge report` lists them in quarantine.csv)")
        }
        lines.append("")
        if runs.isEmpty {
            lines.append("No runs yet.")
        } else {
            lines.append("Last runs:")
            let widths = [4, 16, 9, 6, 21, 10, 9, 9, 14, 9, 5, 9]
            lines.append(row(["run", "export", "sequence", "kind", "loaded at", "inserted", "updated", "deleted", QuarantineCount.label, "findings",
                              "new", "resolved"], widths))
            for run in runs {
                let at = run.outcome == "loaded" ? (run.finishedAt ?? "") : run.outcome
                lines.append(row([String(run.id), run.exportId ?? "", run.sequence.map(String.init) ?? "", run.kind ?? "", at,
                                  number(run.inserted), number(run.updated), number(run.deleted), number(run.quarantine.records),
                                  number(run.findings), number(run.findingsNew), number(run.findingsResolved)], widths))
            }
            lines.append("")
            lines.append("Who loaded them, with what (export and configuration SHA-256):")
            for run in runs {
                guard let audit = run.audit else {
                    lines.append("  run \(run.id): not recorded (loaded by a Casebridge before 0.5.0)")
                    continue
                }
                lines.append("  run \(run.id): \(audit.user) on \(audit.host); export \(RunAudit.short(run.exportSHA256)); \(audit.configuration)")
            }
        }
        if let inbox {
            lines.append("")
            if waiting.isEmpty {
                lines.append("Inbox \(inbox): nothing waits.")
            } else {
                lines.append("Inbox \(inbox):")
                for entry in waiting {
                    let sequence = entry.sequence.map { "sequence \($0)" } ?? "no sequence"
                    lines.append("  \(entry.name)  \(sequence)  \(entry.state)\(entry.detail.map { ": \($0)" } ?? "")")
                }
            }
        }
        lines.append("")
        if let run = lastLoadedRun {
            let total = gaps.reduce(0) { $0 + $1.count }
            lines.append("Open gaps after run \(run): \(number(total))")
            for gap in gaps {
                lines.append("  " + row([gap.severity, gap.rule, number(gap.count)], [9, 26, 8]))
            }
        } else {
            lines.append("Open gaps: none (nothing loaded yet)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The status as JSON, keys in a fixed order.
    public var json: JSONValue {
        func optional(_ value: Int?) -> JSONValue { value.map { .int($0) } ?? .null }
        func optional(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        var fields: [(String, JSONValue)] = [
            ("target", .string(target)),
            ("lastLoadedSequence", optional(lastLoadedSequence)),
            ("lastLoadedRun", optional(lastLoadedRun)),
            (QuarantineCount.jsonKey, optional(quarantine?.records)),
            ("runs", .array(runs.map { run in
                .object([("run", .int(run.id)), ("exportId", optional(run.exportId)), ("sequence", optional(run.sequence)),
                         ("kind", optional(run.kind)), ("outcome", .string(run.outcome)), ("loadedAt", optional(run.finishedAt)),
                         ("inserted", .int(run.inserted)), ("updated", .int(run.updated)), ("deleted", .int(run.deleted)),
                         (QuarantineCount.jsonKey, .int(run.quarantine.records)), ("findings", .int(run.findings)),
                         ("newFindings", .int(run.findingsNew)), ("resolvedFindings", .int(run.findingsResolved)),
                         ("exportSHA256", optional(run.exportSHA256)), ("audit", run.audit?.json ?? .null)])
            })),
        ]
        if let inbox {
            fields.append(("inbox", .object([
                ("path", .string(inbox)),
                ("waiting", .array(waiting.map { entry in
                    .object([("name", .string(entry.name)), ("exportId", optional(entry.exportId)), ("sequence", optional(entry.sequence)),
                             ("state", .string(entry.state)), ("detail", optional(entry.detail))])
                })),
            ])))
        }
        fields.append(("openGaps", .array(gaps.map { .object([("severity", .string($0.severity)), ("rule", .string($0.rule)), ("count", .int($0.count))]) })))
        return .object(fields)
    }

    private func row(_ cells: [String], _ widths: [Int]) -> String {
        zip(cells, widths).enumerated().map { index, pair in
            let (cell, width) = pair
            let pad = String(repeating: " ", count: max(0, width - cell.count))
            return index == 0 || index == 1 || index == 3 || index == 4 ? cell + pad : pad + cell
        }.joined(separator: " ").trimmingCharacters(in: .whitespaces)
    }
}
