import Foundation
import Testing

/// `docs/rules.md` explains the rules `casebridge rules` lists live: one section per rule, headed with
/// the rule's id in backticks and nothing else, whose first line states the severity and key the rule's
/// code has (`Severity: high. Key: document.`); and no such section for a rule that does not exist.
struct RulesDocTests {
    /// A rule as `casebridge rules --format json` lists it.
    struct ListedRule: Decodable {
        var id: String
        var severity: String
        var key: [String]
    }

    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/rules.md")

    /// Each section of the document headed with a rule id: the id, and the section's lines up to the next heading.
    static func sections() throws -> [(id: String, lines: [String])] {
        var sections: [(id: String?, lines: [String])] = []
        var inCode = false
        for line in try String(contentsOf: document, encoding: .utf8).components(separatedBy: "\n") {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") { inCode.toggle() }
            guard line.hasPrefix("#"), !inCode else {
                if !sections.isEmpty { sections[sections.count - 1].lines.append(line) }
                continue
            }
            let heading = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            let named = heading.count > 2 && heading.hasPrefix("`") && heading.hasSuffix("`")
                && !heading.dropFirst().dropLast().contains("`")
            sections.append((named ? String(heading.dropFirst().dropLast()) : nil, []))
        }
        return sections.compactMap { section in section.id.map { ($0, section.lines) } }
    }

    static func listedRules() throws -> [ListedRule] {
        let result = try CLI.run(["rules", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONDecoder().decode([ListedRule].self, from: Data(result.stdout.utf8))
    }

    @Test func `every rule that casebridge rules lists has one section in the rules document, and every section names a rule`() throws {
        let listed = try Self.listedRules().map(\.id)
        #expect(!listed.isEmpty)
        let documented = try Self.sections().map(\.id)
        #expect(Set(listed).subtracting(documented).isEmpty, "no section in docs/rules.md for \(Set(listed).subtracting(documented).sorted())")
        #expect(Set(documented).subtracting(listed).isEmpty, "docs/rules.md has sections for rules that do not exist: \(Set(documented).subtracting(listed).sorted())")
        #expect(documented.count == Set(documented).count, "docs/rules.md has two sections for one rule: \(documented)")
    }

    @Test func `each rule's section in the rules document opens with the severity and key the rule has`() throws {
        let sections = Dictionary(try Self.sections().map { ($0.id, $0.lines) }, uniquingKeysWith: { first, _ in first })
        for rule in try Self.listedRules() {
            let expected = "Severity: \(rule.severity). Key: \(rule.key.joined(separator: ", "))."
            let lines = sections[rule.id] ?? []
            let stated = lines.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            #expect(stated == expected, "the section of \(rule.id) in docs/rules.md should open with '\(expected)'")
        }
    }
}
