import CasebridgeModel
import CasebridgeTarget
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Who a report is for.
public enum ReportAudience: String, CaseIterable, Sendable {
    /// index.html, summary.json and every team's worklist.
    case director
    /// One team's worklist only.
    case team
}

/// What to report and how.
public struct ReportOptions: Sendable {
    public var audience: ReportAudience = .director
    /// The team whose worklist `.team` writes (``TeamWorklists/unallocated`` for gaps no team holds).
    public var team: String?
    /// Show counts from 1 to 4 as "fewer than 5", for copies that leave the council.
    public var suppressSmall = false
    /// The run to report (default: the latest loaded run).
    public var run: Int?
    /// The pseudonyms' secret (default: ``Pseudonyms/secretPath(forTarget:schema:)``).
    public var secretPath: String?
    /// For a PostgreSQL target, the schema its tables live in (the target mapping's).
    public var schema: String

    public init(audience: ReportAudience = .director, team: String? = nil, suppressSmall: Bool = false, run: Int? = nil,
                secretPath: String? = nil, schema: String = TargetMapping.defaultPostgresSchema) {
        self.audience = audience
        self.team = team
        self.suppressSmall = suppressSmall
        self.run = run
        self.secretPath = secretPath
        self.schema = schema
    }
}

/// What a report wrote.
public struct ReportOutcome: Sendable {
    /// Every file written, in the order written.
    public var files: [String]
    public var run: RunRecord
    public var figures: ReportFigures
    public var counts: SmallCounts
    /// Things worth saying on stderr (a team with no gaps).
    public var warnings: [String] = []
}

/// Writes the reports of one run of a Casebridge target into a folder.
///
/// ```swift
/// let outcome = try Report.write(target: "target.db", to: "out/report", options: ReportOptions())
/// // out/report/index.html, out/report/summary.json, out/report/quarantine.csv, out/report/teams/<team>.csv
/// ```
///
/// Reads only the target's bookkeeping tables and its team table. Files are written mode 0600 (an
/// existing one is tightened); a folder the report creates (the output folder, `teams/`) is created
/// 0700, and one that exists keeps its mode (`--out .` does not change the current folder). The
/// director's set replaces every worklist in `teams/`: a `.csv` there of a team with no gaps in the
/// run is removed.
public enum Report {
    /// The file the director's set lists the run's quarantined records in, beside index.html.
    public static let quarantineFile = "quarantine.csv"

    /// Reads the run `options` name from `target` and writes its reports into `folder`.
    ///
    /// Throws ``ReportError``: `.target` for a target that cannot be read, `.usage` for a run or team
    /// it does not hold (before anything is written), `.output` for a file or folder that cannot be written.
    public static func write(target: String, to folder: String, options: ReportOptions) throws -> ReportOutcome {
        let data = try ReportData.load(target: target, schema: options.schema, run: options.run)
        if options.audience == .team {
            guard let requested = options.team else { throw ReportError(.usage, folder, "--audience team needs --team ID") }
            try checkTeam(requested, in: data)
        }
        let pseudonyms = try Pseudonyms(secretFile: options.secretPath ?? Pseudonyms.secretPath(forTarget: target, schema: options.schema))
            .resolving(children: data.findings.compactMap(\.child), families: data.findings.compactMap(\.family))
        let unordered = ReportFigures(data, pseudonyms: pseudonyms)
        let counts = SmallCounts(suppress: options.suppressSmall, figures: unordered)
        let figures = unordered.ordered(for: counts)
        var outcome = ReportOutcome(files: [], run: data.run, figures: figures, counts: counts)

        try makeFolder(folder)
        let teamsFolder = (folder as NSString).appendingPathComponent("teams")
        try makeFolder(teamsFolder)
        let worklists = TeamWorklists.byTeam(data.findings)

        switch options.audience {
        case .director:
            let index = (folder as NSString).appendingPathComponent("index.html")
            try writeFile(index, DirectorReport(data: data, figures: figures, counts: counts).html())
            outcome.files.append(index)
            let summary = (folder as NSString).appendingPathComponent("summary.json")
            try writeFile(summary, SummaryJSON.document(data, figures, counts: counts).serialised(pretty: true) + "\n")
            outcome.files.append(summary)
            let quarantine = (folder as NSString).appendingPathComponent(quarantineFile)
            try writeFile(quarantine, QuarantineList.csv(data.quarantine))
            outcome.files.append(quarantine)
            var written = Set<String>()
            for team in worklists.keys.sorted(by: { ($0 ?? "") < ($1 ?? "") }) {
                var name = TeamWorklists.fileName(team)
                while written.contains(name) { name += "_" }
                written.insert(name)
                let path = (teamsFolder as NSString).appendingPathComponent(name + ".csv")
                try writeFile(path, TeamWorklists.csv(worklists[team] ?? [], pseudonyms: pseudonyms))
                outcome.files.append(path)
            }
            // A worklist left from an earlier report of a team that now has no gaps would mislead.
            for stale in (try? FileManager.default.contentsOfDirectory(atPath: teamsFolder)) ?? []
            where stale.hasSuffix(".csv") && !written.contains(String(stale.dropLast(4))) {
                unlink((teamsFolder as NSString).appendingPathComponent(stale))
            }
        case .team:
            let requested = options.team ?? TeamWorklists.unallocated
            let team: String? = requested == TeamWorklists.unallocated ? nil : requested
            let list = worklists[team] ?? []
            if list.isEmpty {
                let known = worklists.keys.map { $0 ?? TeamWorklists.unallocated }.sorted().joined(separator: ", ")
                outcome.warnings.append("run \(data.run.id) has no gaps for team \(requested); its worklist is empty (teams with gaps: \(known.isEmpty ? "none" : known))")
            }
            let path = (teamsFolder as NSString).appendingPathComponent(TeamWorklists.fileName(team) + ".csv")
            try writeFile(path, TeamWorklists.csv(list, pseudonyms: pseudonyms))
            outcome.files.append(path)
        }
        return outcome
    }

    /// How many known team ids an unknown team's message lists.
    static let teamsListed = 8

    /// Refuses a team the target holds neither in its team table nor on a finding: one line naming a
    /// few it does hold.
    static func checkTeam(_ requested: String, in data: ReportData) throws {
        guard requested != TeamWorklists.unallocated, !data.knownTeams.contains(requested) else { return }
        let known = data.knownTeams.sorted()
        let listed = known.prefix(teamsListed).joined(separator: ", ") + (known.count > teamsListed ? ", …" : "")
        let teams = known.isEmpty ? TeamWorklists.unallocated : listed + " or " + TeamWorklists.unallocated
        throw ReportError(.usage, data.target, "holds no team \(requested) (teams: \(teams))")
    }

    /// Creates `path` mode 0700; a folder already there is used as it is, its mode untouched.
    static func makeFolder(_ path: String) throws {
        if mkdir(path, 0o700) == 0 {
            // mkdir's mode passes through the umask, which can only take bits away; set it exactly.
            guard chmod(path, 0o700) == 0 else {
                throw ReportError(.output, path, "cannot be set to mode 0700: \(String(cString: strerror(errno)))")
            }
            return
        }
        let failure = errno
        var info = stat()
        guard failure == EEXIST, lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            let reason = failure == EEXIST ? "exists and is not a folder" : String(cString: strerror(failure))
            throw ReportError(.output, path, "the report folder cannot be created: \(reason)")
        }
    }

    /// Writes `text` to `path`, mode 0600 (an existing file is replaced and tightened).
    static func writeFile(_ path: String, _ text: String) throws {
        do {
            let output = try TextOutput(path: path)
            output.write(text)
            try output.finish()
        } catch let error as OutputError {
            throw ReportError(.output, error.path, error.reason)
        }
    }
}
