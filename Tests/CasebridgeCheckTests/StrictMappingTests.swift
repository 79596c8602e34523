@testable import CasebridgeCheck
import CasebridgeMapping
import CasebridgeModel
import CasebridgeRead
import Foundation
import Synchronization
import TestSupport
import Testing

/// `CheckRun.strictMapping`: a mapping that read less than it names refuses the export before any rule runs.
struct StrictMappingTests {
    /// How many times ``CountingRule`` judged an export.
    static let judged = Mutex(0)

    /// A rule that finds nothing and counts its runs.
    struct CountingRule: IntegrityRule {
        static var description: RuleDescription { DuplicateIdRule.description }
        func findings(in context: RuleContext) throws -> [Finding] {
            StrictMappingTests.judged.withLock { $0 += 1 }
            return []
        }
    }

    static let export = """
        <?xml version="1.0" encoding="UTF-8"?>
        <CaseExport xmlns="urn:lce:2" exportId="EXP-1" sequence="1" kind="full" exportedAt="2019-09-02T23:10:00Z">
        <Visits><Visit id="V-1" person="C-1" date="2019-08-30" seenAlone="true"/></Visits>
        </CaseExport>

        """

    /// A mapping of visits at `element`.
    static func mapping(_ element: String) throws -> Mapping {
        try MappingLoader.parse(visitsMapping(element, fields: "      id: \"@id\""), file: "m.yaml")
    }

    @Test func `a path that matched nothing refuses the export before the rules, and only under strictMapping`() throws {
        let scratch = try TemporaryFolder()
        let export = try scratch.write(Self.export, to: "export.xml")
        var strict = CheckRun(mapping: try Self.mapping("/CaseExport/Visits/Vist"), policy: Reference.policy, rules: [CountingRule()])
        strict.strictMapping = true
        let before = Self.judged.withLock { $0 }
        let error = #expect(throws: MappingCoverageError.self) { try strict.run(export: export) }
        #expect(error?.warnings.first?.contains("m.yaml:7: /CaseExport/Visits/Vist matched no element") == true, "\(String(describing: error))")
        #expect(Self.judged.withLock { $0 } == before)
        // Without it the same export is judged, and warned about.
        strict.strictMapping = false
        let warned = try strict.run(export: export)
        #expect(warned.read.coverage.warnings == error?.warnings)
        #expect(Self.judged.withLock { $0 } == before + 1)
        // A mapping that reads what it names passes under it.
        var clean = CheckRun(mapping: try Self.mapping("/CaseExport/Visits/Visit"), policy: Reference.policy, rules: [CountingRule()])
        clean.strictMapping = true
        #expect(try clean.run(export: export).read.coverage.warnings.isEmpty)
    }
}
