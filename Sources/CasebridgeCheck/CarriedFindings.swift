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

    /// The findings `staging` kept when they were made on `basis`; `nil` when there are none or
    /// they were made on another.
    static func load(from staging: StagingStore, basis: String) throws -> CarriedFindings? {
        guard let kept = try staging.keptFindings(basis: basis) else { return nil }
        var carried = CarriedFindings()
        for (subject, finding) in kept { carried.byRule[finding.rule, default: []].append((subject, finding)) }
        return carried
    }
}
