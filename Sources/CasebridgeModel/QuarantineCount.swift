/// The one count of quarantine, and its label: the same number, in the same words, in `check`,
/// `migrate`, `status` and the director's report.
///
/// **Definition.** The records that cannot load, each counted once however many reasons it has, of
/// every kind: the records a quarantined record holds (a Document's Parts and Sections, a Person's
/// Statuses and Allocations, a Family's Members, a Plan's Outcomes and Actions) go with it and are
/// counted in their own kinds, as the records read are (`counts.records`); a delta's deletions that
/// cannot be applied count as records of kind `Deleted`. It is the number of rows (after the header)
/// of the report's `quarantine.csv`.
///
/// - `check` counts what the export alone puts in quarantine (`StagingStore.quarantineCount()` counts its
///   `stg_quarantine`, one per kind and record).
/// - `migrate` stores one `casebridge_quarantine` row per such record with the run, and may add records
///   the target cannot take (a value a target column requires, a target key two records share). For a
///   delta, the staging holds the whole live state, so the run's rows are the **live quarantine**: every
///   record in quarantine after the run, those earlier exports put there and no later one replaced
///   included. `status` and the report read that number back for each run.
///
/// Not this count: a migration's reconciliation (read = loaded + quarantined, per kind), which counts
/// only the records the run's own export read; for a full export the two agree.
public struct QuarantineCount: Sendable, Hashable, Comparable {
    /// Records in quarantine.
    public var records: Int

    public init(records: Int) {
        self.records = records
    }

    /// The label every output gives the count, in words: "in quarantine".
    public static let label = "in quarantine"

    /// The key the count has in every JSON output (`check`'s `counts`, `status`'s runs, the report's
    /// `summary.json`).
    public static let jsonKey = "quarantined"

    /// "1 record", "290 records"; `grouping` writes thousands as `migrate` and `status` do (`1,204`).
    public func recordsText(grouping: Bool = false) -> String {
        (grouping ? records.grouped : String(records)) + (records == 1 ? " record" : " records")
    }

    /// The line `check`, `migrate`, `status` and `report` state the count on: "In quarantine: 290 records".
    public func line(grouping: Bool = false) -> String {
        Self.line(shown: grouping ? records.grouped : String(records), records: records)
    }

    /// The line with the number shown as `shown` (the report's "fewer than 5" for a small count).
    public static func line(shown: String, records: Int) -> String {
        "In quarantine: \(shown) record\(records == 1 ? "" : "s")"
    }

    public static func < (a: QuarantineCount, b: QuarantineCount) -> Bool { a.records < b.records }
}
