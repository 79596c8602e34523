import CasebridgeStore

/// The runs of an SQLite target (`casebridge_run`), read on the connection `database`: outside a
/// transaction for the checks before a long read, inside the load's for the same checks again.
struct SQLiteRuns: TargetRuns {
    let database: Database

    // `*`: a target of bookkeeping version 2 has no export_sha256 until its next load upgrades it.
    private func runs(_ condition: String, _ values: [SQLValue] = []) throws -> [LoadedRun] {
        try database.rows("SELECT * FROM casebridge_run WHERE outcome = 'loaded' \(condition)", values).map { row in
            LoadedRun(runID: Int64(row.int("run_id") ?? 0), exportID: row["export_id"], sequence: row.int("sequence"),
                      finishedAt: row["finished_at"], exportedAt: row["exported_at"], exportSHA256: row["export_sha256"],
                      exportFile: row["export_file"] ?? "")
        }
    }

    func loadedRun(sequence: Int) throws -> LoadedRun? {
        try runs("AND sequence = ? ORDER BY run_id LIMIT 1", [.integer(Int64(sequence))]).first
    }

    func lastLoadedRun() throws -> LoadedRun? {
        try runs("AND sequence IS NOT NULL ORDER BY sequence DESC, run_id DESC LIMIT 1").first
    }

    func loadedRuns() throws -> [LoadedRun] {
        try runs("AND sequence IS NOT NULL ORDER BY run_id")
    }

    func stateToken() throws -> String? {
        try database.scalar("SELECT value FROM casebridge_meta WHERE key = 'state_token'")?.string
    }
}

/// What answers ``TargetRuns`` through the runs of its SQLite connection (the history, the load's session).
protocol ReadsSQLiteRuns: TargetRuns {
    var runs: SQLiteRuns { get }
}

extension ReadsSQLiteRuns {
    func loadedRun(sequence: Int) throws -> LoadedRun? { try runs.loadedRun(sequence: sequence) }
    func lastLoadedRun() throws -> LoadedRun? { try runs.lastLoadedRun() }
    func loadedRuns() throws -> [LoadedRun] { try runs.loadedRuns() }
    func stateToken() throws -> String? { try runs.stateToken() }
}
