import CasebridgeModel
import CasebridgeRead
import CasebridgeStore
import Crypto
import Foundation

/// The findings of rules that judge records one at a time (``FindingSubject``), kept in a staging that
/// a load keeps for the next delta (table `stg_finding`), each with the record it is about.
///
/// A delta that continues that staging runs those rules over the records it changed alone
/// (``StagingStore/markChanges(newFrom:)``) and takes these for every other record: a record the delta
/// did not touch, whose quarantine did not turn, has the findings it had. They are only taken when they
/// were made on the same basis: the same policy, the same rules and the same Casebridge build.
struct CarriedFindings {
    /// The stored findings by rule id, each with the record it is about.
    var byRule: [String: [(subject: RecordKey, finding: Finding)]] = [:]

    /// The findings a delta found kept, and what it changed (``StagingStore/markChanges(newFrom:)``).
    struct Carried {
        var kept: CarriedFindings
        var changed: Set<RecordKey>

        /// Whether `finding`'s record (by `subject`) is among the changed ones; `nil` when it names none.
        func isChanged(_ finding: Finding, _ subject: FindingSubject) -> Bool? {
            subject.record(of: finding).map(changed.contains)
        }
    }

    /// What the findings were made with: a digest of everything the policy tables are built from
    /// (``Policy/contents``), the rules' ids, and the running build.
    static func basis(policy: Policy, rules: [any IntegrityRule]) -> String {
        let digest = SHA256.hash(data: Data(policy.contents.utf8)).hex
        return [digest, rules.map(\.description.id).joined(separator: ","), CasebridgeBuild.digest].joined(separator: "|")
    }

    /// The findings stored in `database` when they were made on `basis`; `nil` when there are none or
    /// they were made on another.
    static func load(from database: Database, basis: String) throws -> CarriedFindings? {
        guard try database.hasTable("stg_finding_basis"),
              try database.scalar("SELECT basis FROM stg_finding_basis")?.string == basis else { return nil }
        var carried = CarriedFindings()
        for row in try database.rows("SELECT * FROM stg_finding") {
            guard let rule = row["rule"], let kind = row["subject_kind"], let id = row["subject_id"],
                  let severity = row["severity"].flatMap(Severity.init(rawValue:)), let message = row["message"],
                  let key = row["key"].flatMap(Self.fields), let context = row["context"].flatMap(Self.fields) else { return nil }
            let source = row["file"].map { SourceLocation(file: $0, line: row.int("line") ?? 0) }
            let finding = Finding(rule: rule, severity: severity, key: key, context: context, message: message, source: source)
            carried.byRule[rule, default: []].append((RecordKey(kind: kind, id: id), finding))
        }
        return carried
    }

    /// Stores `findings` made on `basis`: in place of those about the records in `temp.changed_record`
    /// when `onlyChanged`, in place of all stored before otherwise.
    static func store(_ findings: [(subject: RecordKey, finding: Finding)], in database: Database, basis: String,
                      onlyChanged: Bool) throws {
        try database.transaction {
            try database.execute("""
                CREATE TABLE IF NOT EXISTS stg_finding (rule TEXT NOT NULL, subject_kind TEXT NOT NULL, subject_id TEXT NOT NULL,
                    severity TEXT NOT NULL, key TEXT NOT NULL, context TEXT NOT NULL, message TEXT NOT NULL, file TEXT, line INTEGER);
                CREATE INDEX IF NOT EXISTS stg_finding_subject ON stg_finding (subject_kind, subject_id);
                CREATE TABLE IF NOT EXISTS stg_finding_basis (basis TEXT NOT NULL);
                DELETE FROM stg_finding_basis;
                """)
            if onlyChanged {
                try database.execute("""
                    DELETE FROM stg_finding WHERE (subject_kind, subject_id) IN (SELECT kind, record_id FROM temp.changed_record)
                    """)
            } else {
                try database.execute("DELETE FROM stg_finding")
            }
            let insert = try database.prepare("INSERT INTO stg_finding VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for (subject, finding) in findings {
                try insert.bind([
                    .text(finding.rule), .text(subject.kind), .text(subject.id), .text(finding.severity.rawValue),
                    .text(Self.text(finding.key)), .text(Self.text(finding.context)), .text(finding.message),
                    SQLValue(finding.source?.file), SQLValue(finding.source?.line),
                ])
                try insert.step()
            }
            try database.execute("INSERT INTO stg_finding_basis (basis) VALUES (?)", [.text(basis)])
        }
    }

    // Fields are stored as `name US value`, joined by RS: control characters XML 1.0 cannot carry.
    private static let unitSeparator: Character = "\u{1F}"
    private static let recordSeparator: Character = "\u{1E}"

    private static func text(_ fields: [FindingField]) -> String {
        fields.map { $0.name + String(unitSeparator) + $0.value }.joined(separator: String(recordSeparator))
    }

    private static func fields(_ text: String) -> [FindingField]? {
        guard !text.isEmpty else { return [] }
        var fields: [FindingField] = []
        for field in text.split(separator: recordSeparator, omittingEmptySubsequences: false) {
            let parts = field.split(separator: unitSeparator, maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            fields.append(FindingField(String(parts[0]), String(parts[1])))
        }
        return fields
    }
}
