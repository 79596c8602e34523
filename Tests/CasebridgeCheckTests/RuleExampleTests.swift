import CasebridgeCheck
import CasebridgeMapping
import TestSupport
import Testing

/// One example of one rule, as a test case.
struct ExampleCase: Sendable, CustomTestStringConvertible {
    let ruleID: String
    let example: RuleExample
    let triggering: Bool

    var testDescription: String { "\(ruleID) \(triggering ? "finds" : "ignores"): \(example.note)" }

    static let all: [ExampleCase] = RuleRegistry.all.flatMap { rule in
        rule.description.triggering.map { ExampleCase(ruleID: rule.description.id, example: $0, triggering: true) }
            + rule.description.nonTriggering.map { ExampleCase(ruleID: rule.description.id, example: $0, triggering: false) }
    }
}

struct RuleExampleTests {
    @Test(arguments: ExampleCase.all)
    func `every rule example finds exactly what it says`(_ item: ExampleCase) throws {
        let rule = try #require(RuleRegistry.rule(item.ruleID))
        let found = try RuleExampleRunner.keys(of: rule, on: item.example, mapping: Reference.mapping, policy: Reference.policy)
        let expected = item.example.expected.sorted { $0.lexicographicallyPrecedes($1) }
        #expect(found == expected)
    }

    @Test func `every rule has examples that trigger it and examples that must not`() {
        for rule in RuleRegistry.all {
            #expect(!rule.description.triggering.isEmpty, "\(rule.description.id) has no triggering example")
            #expect(!rule.description.nonTriggering.isEmpty, "\(rule.description.id) has no non-triggering example")
            #expect(rule.description.triggering.allSatisfy { !$0.expected.isEmpty })
            #expect(rule.description.nonTriggering.allSatisfy { $0.expected.isEmpty })
        }
    }

    @Test func `rule ids are unique`() {
        let ids = RuleRegistry.all.map { $0.description.id }
        #expect(Set(ids).count == ids.count)
    }
}
