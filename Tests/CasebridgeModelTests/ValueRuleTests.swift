import CasebridgeModel
import Testing

struct ValueRuleTests {
    static func recoding(_ pairs: KeyValuePairs<String, String>, _ matching: Recoding.Matching = .exact) throws -> Recoding {
        try Recoding(pairs.map { Recoding.Entry($0.key, $0.value) }, matching: matching)
    }

    @Test func `a map translates many source values to one canonical value`() throws {
        var rule = ValueRule(format: .text, codes: ["family", "child"])
        rule.recoding = try Self.recoding(["household": "family", "shared": "family", "individual": "child"])
        #expect(rule.read("household") == .valid("family"))
        #expect(rule.read("shared") == .valid("family"))
        #expect(rule.read("individual") == .valid("child"))
    }

    @Test func `a value the map does not hold is invalid and may be quoted`() throws {
        var rule = ValueRule(format: .text)
        rule.recoding = try Self.recoding(["M": "1", "F": "2", "U": "0", "X": "9"])
        guard case let .invalid(reason, quotes) = rule.read("Q") else {
            Issue.record("Q was read")
            return
        }
        #expect(quotes)
        #expect(reason == "is not one of the values the mapping recodes (M, F, U, X)")
    }

    @Test func `exact matching keeps letter case; ignore-case does not`() throws {
        var rule = ValueRule(format: .boolean)
        rule.recoding = try Self.recoding(["Y": "true", "N": "false"])
        #expect(rule.read("Y") == .valid("true"))
        guard case .invalid = rule.read("y") else {
            Issue.record("y matched Y under exact matching")
            return
        }
        rule.recoding = try Self.recoding(["Y": "true", "N": "false"], .ignoreCase)
        #expect(rule.read("y") == .valid("true"))
    }

    @Test func `ignore-case-and-spacing treats runs of whitespace inside as one space`() throws {
        var rule = ValueRule(format: .text)
        rule.recoding = try Self.recoding(["Strategy Discussion Minutes": "STRAT"], .ignoreCaseAndSpacing)
        #expect(rule.read("strategy  discussion\tminutes") == .valid("STRAT"))
        rule.recoding = try Self.recoding(["Strategy Discussion Minutes": "STRAT"], .ignoreCase)
        guard case .invalid = rule.read("strategy  discussion minutes") else {
            Issue.record("inner spacing was ignored under ignore-case")
            return
        }
    }

    @Test(arguments: [Recoding.Matching.ignoreCase, .ignoreCaseAndSpacing])
    func `two sources equal under the matching are refused`(matching: Recoding.Matching) {
        #expect(throws: RecodingError.self) { try Self.recoding(["Yes": "true", "YES": "true"], matching) }
    }

    @Test func `two sources that differ only in case are distinct under exact matching`() throws {
        let recoding = try Self.recoding(["Yes": "true", "YES": "false"])
        #expect(recoding.recode("YES") == "false")
    }

    @Test func `booleans in the council's own words read through a map`() throws {
        for (pairs, yes, no) in [(["Y": "true", "N": "false"], "Y", "N"), (["yes": "true", "no": "false"], "yes", "no"),
                                 (["1": "true", "0": "false"], "1", "0")] as [([String: String], String, String)] {
            var rule = ValueRule(format: .boolean)
            rule.recoding = try Recoding(pairs.sorted { $0.key < $1.key }.map { Recoding.Entry($0.key, $0.value) })
            #expect(rule.read(yes) == .valid("true"))
            #expect(rule.read(no) == .valid("false"))
        }
    }

    @Test func `min and max bound a whole number`() {
        var rule = ValueRule(format: .integer)
        rule.minimum = 1
        rule.maximum = 99
        #expect(rule.read("1") == .valid("1"))
        #expect(rule.read("099") == .valid("99"))
        #expect(rule.read("0") == .invalid(reason: "is a whole number below the minimum 1", quotesRaw: false))
        #expect(rule.read("100") == .invalid(reason: "is a whole number above the maximum 99", quotesRaw: false))
        #expect(rule.read("99999999999999999999999") == .invalid(reason: "is a whole number above the maximum 99", quotesRaw: false))
    }

    @Test func `a value that fails its type is described by its shape, never quoted`() {
        let rule = ValueRule(format: .isoDate)
        #expect(rule.read("when Lily-Mae Müller starts school")
                == .invalid(reason: "is free text of 34 characters, not an ISO date (yyyy-MM-dd)", quotesRaw: false))
        #expect(rule.read("14/08/2019") == .invalid(reason: "is a UK date (dd/MM/yyyy), not an ISO date (yyyy-MM-dd)", quotesRaw: false))
        #expect(rule.read("2019-02-30") == .invalid(reason: "is a date in the form yyyy-MM-dd that does not exist", quotesRaw: false))
    }

    @Test func `a code that fails its list is quoted, at most 40 characters`() {
        let rule = ValueRule(format: .text, codes: ["CIN", "CP"])
        #expect(rule.read("cp") == .invalid(reason: "is not one of the codes CIN, CP", quotesRaw: true))
        #expect(ValueRule.quoted(String(repeating: "x", count: 45)) == String(repeating: "x", count: 39) + "…")
        #expect(ValueRule.quoted("short") == "short")
    }
}
