import CasebridgeModel
import CasebridgeStore
import Foundation

/// A run's findings as every engine stores them (``FindingRows/storedColumns``): made by the rules and
/// completed from the staged export (the child each concerns, the team holding that child's case on the
/// as-of date, the date of the event the gap concerns) on a thread of its own, while the load writes the
/// target's tables. On the load's way, a nightly delta's rules and the completing of its findings (nearly
/// all of the export's) took a quarter of its time.
///
/// ```swift
/// let completing = CompletedFindings.start(staging: stagingPath, asOf: "2026-03-31") { try judge.judge(staged).document.findings }
/// // … the load writes the tables …
/// let rows = try completing.rows()
/// ```
///
/// Nothing writes the staging while the load runs, so the rows are those the staging would give at
/// any point of it.
public final class CompletedFindings: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<[[SQLValue]], any Error>?
    /// The staging file the findings are completed from, as errors name it.
    public let stagingPath: String

    private init(stagingPath: String) {
        self.stagingPath = stagingPath
    }

    /// Starts, on a thread of its own, making the findings (`findings`, which the rules give there), then
    /// completing them from the staging at `path` as of `asOf` (the export's as-of date, `nil` when it
    /// has none).
    public static func start(staging path: String, asOf: String?,
                             _ findings: @escaping @Sendable () throws -> [Finding]) -> CompletedFindings {
        let completing = CompletedFindings(stagingPath: path)
        Thread.detachNewThread {
            let rows = Result { try complete(try findings(), staging: path, asOf: asOf) }
            completing.condition.withLock {
                completing.result = rows
                completing.condition.broadcast()
            }
        }
        return completing
    }

    /// The completed rows, in the findings' order, each with the values of ``FindingRows/storedColumns``;
    /// waits for them. A staging that cannot be read fails the load (``TargetError``).
    func rows() throws -> [[SQLValue]] {
        waitUntilDone()
        do {
            return try condition.withLock { result! }.get()
        } catch let error as DatabaseError {
            throw TargetError.writingStaging(stagingPath, error)
        }
    }

    /// Waits until the thread is done, whatever it gave: a run that fails before it stores its findings
    /// leaves no reader on the staging behind it.
    public func waitUntilDone() {
        condition.withLock {
            while result == nil { condition.wait() }
        }
    }

    private static func complete(_ findings: [Finding], staging path: String, asOf: String?) throws -> [[SQLValue]] {
        let staging = try StagingStore.openReader(at: path)
        try staging.execute("CREATE TEMP TABLE finding_out (ordinal INTEGER PRIMARY KEY, \(FindingRows.storedColumns.joined(separator: ", ")))")
        try staging.transaction {
            let insert = try staging.prepare("""
                INSERT INTO temp.finding_out (ordinal, \(FindingRows.columns.joined(separator: ", ")))
                VALUES (\(Array(repeating: "?", count: FindingRows.columns.count + 1).joined(separator: ", ")))
                """)
            for (ordinal, finding) in findings.enumerated() {
                try insert.bind([.integer(Int64(ordinal))] + FindingRows.values(finding))
                try insert.step()
            }
            for update in FindingRows.contextUpdates(table: "temp.finding_out") {
                try staging.execute(update.sql, update.takesAsOf ? [SQLValue(asOf)] : [])
            }
        }
        var rows: [[SQLValue]] = []
        rows.reserveCapacity(findings.count)
        try staging.forEachRow("SELECT \(FindingRows.storedColumns.joined(separator: ", ")) FROM temp.finding_out ORDER BY ordinal") {
            rows.append($0.values)
        }
        return rows
    }
}
