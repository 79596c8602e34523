@testable import CasebridgeCheck
import CasebridgeGenerate
import CasebridgeModel
import CasebridgeStore
import Foundation
import TestSupport
import Testing

/// Rules run on two connections at once find what they find on one, each under its own rule.
///
/// (A rule's findings are compared as a set: some rules list theirs in an order of their own making,
/// which the findings document sorts.)
struct ConcurrentRulesTests {
    @Test func `two connections give every rule the findings one connection gives`() throws {
        let folder = try TemporaryFolder()
        let staged = try stagedMix(families: 60, seed: 11, in: folder)
        let context = RuleContext(staging: staged.staging, export: staged.header, policy: Reference.policy)
        let rules = RuleRegistry.all
        let oneByOne = try rules.map { try $0.findings(in: context) }
        #expect(oneByOne.contains { !$0.isEmpty })

        let together = try ConcurrentRules(rules: rules, context: context).run(Array(rules.indices))
        #expect(together.keys.sorted() == Array(rules.indices))
        for index in rules.indices {
            let found = together[index]?.findings ?? []
            #expect(found.count == oneByOne[index].count, "\(rules[index].description.id)")
            #expect(Set(found) == Set(oneByOne[index]), "\(rules[index].description.id)")
        }
        // The staging's own connection can write again afterwards, as before.
        try staged.staging.database.execute("CREATE TABLE after_rules (x INTEGER)")
    }
}
