import CasebridgeMapping
import CasebridgeModel
import CasebridgeStore
import Foundation

/// The target is not a Casebridge target (or cannot be read): `casebridge status` exits 4.
public struct StatusError: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public var description: String { reason }
}

/// Where a target stands, for `casebridge status`: its last runs, the last loaded sequence, what waits
/// in the inbox, and the gaps the last loaded run left open.
public struct TargetStatus: Sendable {
    /// One row of `casebridge_run`.
    public struct Run: Sendable {
        public var runID: Int
        public var exportId: String?
        public var sequence: Int?
        public var kind: String?
        public var outcome: String
        public var loadedAt: String?
        public var inserted: Int
        public var updated: Int
        public var deleted: Int
        public var quarantined: Int
        public var findings: Int
        /// Findings the run before did not hold, and findings of the run before this one no longer holds.
        public var newFindings: Int
        public var resolvedFindings: Int
    }

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
    public var runs: [Run] = []
    public var lastLoadedSequence: Int?
    public var lastLoadedRun: Int?
    public var inbox: String?
    public var waiting: [Waiting] = []
    public var gaps: [Gap] = []

    /// Reads the status of `target` (and, given, of `inbox`), at most `runLimit` runs, newest first.
    /// - Throws: ``StatusError`` when `target` is not a Casebridge target; ``InboxError`` for an inbox that cannot be read.
    public static func read(target: String, inbox: Inbox?, mapping: Mapping, runLimit: Int = 10) throws -> TargetStatus {
        let database = try open(target)
        var status = TargetStatus(target: target)
        do {
            for row in try database.rows("""
                SELECT run_id, export_id, sequence, export_kind, outcome, finished_at, rows_inserted, rows_updated, rows_deleted,
                       records_quarantined, findings, findings_new, findings_resolved
                FROM casebridge_run ORDER BY run_id DESC LIMIT ?
                """, [.integer(Int64(runLimit))]) {
                status.runs.append(Run(runID: row.int("run_id") ?? 0, exportId: row["export_id"], sequence: row.int("sequence"),
                                       kind: row["export_kind"], outcome: row["outcome"] ?? "?", loadedAt: row["finished_at"],
                                       inserted: row.int("rows_inserted") ?? 0, updated: row.int("rows_updated") ?? 0,
                                       deleted: row.int("rows_deleted") ?? 0, quarantined: row.int("records_quarantined") ?? 0,
                                       findings: row.int("findings") ?? 0, newFindings: row.int("findings_new") ?? 0,
                                       resolvedFindings: row.int("findings_resolved") ?? 0))
            }
            if let last = try database.rows("""
                SELECT run_id, sequence FROM casebridge_run WHERE outcome = 'loaded' ORDER BY sequence DESC, run_id DESC LIMIT 1
                """).first {
                status.lastLoadedSequence = last.int("sequence")
                status.lastLoadedRun = last.int("run_id")
            }
            if let run = status.lastLoadedRun {
                for row in try database.rows("""
                    SELECT severity, rule, count(*) AS n FROM casebridge_finding WHERE run_id = ?
                    GROUP BY severity, rule
                    ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, n DESC, rule
                    """, [.integer(Int64(run))]) {
                    status.gaps.append(Gap(severity: row["severity"] ?? "?", rule: row["rule"] ?? "?", count: row.int("n") ?? 0))
                }
            }
        } catch let error as DatabaseError {
            throw StatusError(reason: "\(target): cannot be read: \(error.message)")
        }
        if let inbox {
            status.inbox = inbox.url.path
            let entries = try inbox.entries(mapping: mapping)
            let claims = Dictionary(grouping: entries.compactMap(\.sequence), by: { $0 }).mapValues(\.count)
            let loaded = Set(try database.rows("SELECT sequence FROM casebridge_run WHERE outcome = 'loaded'").compactMap { $0.int("sequence") })
            var expected = status.lastLoadedSequence.map { $0 + 1 }
            let ordered = entries.sorted { ($0.sequence ?? Int.min, $0.name) < ($1.sequence ?? Int.min, $1.name) }
            for entry in ordered {
                var waiting = Waiting(name: entry.name, exportId: entry.exportId, sequence: entry.sequence, state: "next")
                if let reason = entry.unreadable {
                    waiting.state = "unreadable"
                    waiting.detail = reason
                } else if let sequence = entry.sequence {
                    if claims[sequence, default: 0] > 1 {
                        waiting.state = "claimed twice"
                        waiting.detail = "another export in the inbox has sequence \(sequence)"
                    } else if loaded.contains(sequence) {
                        waiting.state = "already loaded"
                    } else if let last = status.lastLoadedSequence, sequence < last {
                        waiting.state = "older"
                        waiting.detail = "older than the last loaded sequence \(last)"
                    } else if let next = expected, sequence > next {
                        waiting.state = "after a gap"
                        waiting.detail = "\(ScheduleReport.describe(Array(next..<sequence))) missing"
                        expected = sequence + 1
                    } else {
                        expected = sequence + 1
                    }
                }
                status.waiting.append(waiting)
            }
        }
        return status
    }

    /// Opens `path` read-only after making sure it is a Casebridge target.
    static func open(_ path: String) throws -> Database {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StatusError(reason: "\(path): no such target (nothing has been loaded into it yet)")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw StatusError(reason: "\(path): cannot be read") }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        try? handle.close()
        guard header == Data("SQLite format 3\u{0}".utf8) else {
            throw StatusError(reason: "\(path): is not a Casebridge target: it is not an SQLite database")
        }
        do {
            let database = try Database(path: path, readOnly: true, create: false)
            database.setBusyTimeout(milliseconds: 5000)
            let hasMeta = try database.hasTable("casebridge_meta")
            guard hasMeta,
                  try database.scalar("SELECT value FROM casebridge_meta WHERE key = 'format'")?.string == "casebridge-target" else {
                throw StatusError(reason: "\(path): is an SQLite database but not a Casebridge target (no casebridge_meta)")
            }
            return database
        } catch let error as DatabaseError {
            throw StatusError(reason: "\(path): cannot be read: \(error.message)")
        }
    }

    /// The plain-text status.
    public var text: String {
        var lines: [String] = ["Target: \(target)"]
        lines.append("Last loaded sequence: \(lastLoadedSequence.map(String.init) ?? "none")\(lastLoadedRun.map { " (run \($0))" } ?? "")")
        lines.append("")
        if runs.isEmpty {
            lines.append("No runs yet.")
        } else {
            lines.append("Last runs:")
            let widths = [4, 16, 9, 6, 21, 10, 9, 9, 12, 9, 5, 9]
            lines.append(row(["run", "export", "sequence", "kind", "loaded at", "inserted", "updated", "deleted", "quarantined", "findings",
                              "new", "resolved"], widths))
            for run in runs {
                let at = run.outcome == "loaded" ? (run.loadedAt ?? "") : run.outcome
                lines.append(row([String(run.runID), run.exportId ?? "", run.sequence.map(String.init) ?? "", run.kind ?? "", at,
                                  number(run.inserted), number(run.updated), number(run.deleted), number(run.quarantined),
                                  number(run.findings), number(run.newFindings), number(run.resolvedFindings)], widths))
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
            ("runs", .array(runs.map { run in
                .object([("run", .int(run.runID)), ("exportId", optional(run.exportId)), ("sequence", optional(run.sequence)),
                         ("kind", optional(run.kind)), ("outcome", .string(run.outcome)), ("loadedAt", optional(run.loadedAt)),
                         ("inserted", .int(run.inserted)), ("updated", .int(run.updated)), ("deleted", .int(run.deleted)),
                         ("quarantined", .int(run.quarantined)), ("findings", .int(run.findings)),
                         ("newFindings", .int(run.newFindings)), ("resolvedFindings", .int(run.resolvedFindings))])
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
