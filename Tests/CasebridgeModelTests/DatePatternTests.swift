import CasebridgeModel
import Testing

struct DatePatternTests {
    /// A date rule with `pattern`.
    static func date(_ pattern: String) throws -> ValueRule {
        var rule = ValueRule(format: .date)
        rule.pattern = try DatePattern(pattern)
        return rule
    }

    /// A timestamp rule with `pattern` (ISO 8601 when nil) read in `zone`.
    static func timestamp(_ pattern: String?, zone: ClockZone? = nil) throws -> ValueRule {
        var rule = ValueRule(format: .timestamp)
        rule.pattern = try pattern.map { try DatePattern($0) }
        rule.zone = zone
        return rule
    }

    @Test(arguments: [
        ("dd-MMM-yyyy", "14-Aug-2019"), ("dd-MMM-yyyy", "14-AUG-2019"), ("yyyy/MM/dd", "2019/08/14"),
        ("dd.MM.yyyy", "14.08.2019"), ("d/M/yyyy", "14/8/2019"), ("dd MMMM yyyy", "14 August 2019"),
    ])
    func `dates in other layouts stage as ISO`(pattern: String, raw: String) throws {
        #expect(try Self.date(pattern).read(raw) == .valid("2019-08-14"))
    }

    @Test(arguments: [
        ("dd-MMM-yyyy", "14-Agu-2019"), ("dd-MMM-yyyy", "31-Sep-2019"), ("yyyy/MM/dd", "2019-08-14"), ("dd.MM.yyyy", "14.8.2019"),
        ("dd.MM.yyyy", "29.02.2019"), ("dd-MMM-yyyy", "14-Aug-19"),
    ])
    func `a value that does not fit its pattern or is not a real date fails`(pattern: String, raw: String) throws {
        guard case .invalid = try Self.date(pattern).read(raw) else {
            Issue.record("\(raw) read under \(pattern)")
            return
        }
    }

    @Test(arguments: [
        ("dd-MMM-yyyy HH:mm:ss", "14-Aug-2019 17:40:00", "2019-08-14T16:40:00Z"),
        ("dd/MM/yyyy HH:mm", "14/08/2019 17:40", "2019-08-14T16:40:00Z"),
        ("dd/MM/yyyy HH:mm[:ss]", "14/08/2019 17:40:09", "2019-08-14T16:40:09Z"),
        ("dd/MM/yyyy HH:mm", "14/01/2019 17:40", "2019-01-14T17:40:00Z"),
        ("yyyy-MM-dd'T'HH:mm:ss", "2019-08-14T00:30:00", "2019-08-13T23:30:00Z"),
    ])
    func `a London wall-clock time is staged in UTC, summer time included`(pattern: String, raw: String, staged: String) throws {
        #expect(try Self.timestamp(pattern, zone: .london).read(raw) == .valid(staged))
    }

    @Test func `a UTC wall-clock time keeps its hour`() throws {
        #expect(try Self.timestamp("dd/MM/yyyy HH:mm", zone: .utc).read("14/08/2019 17:40") == .valid("2019-08-14T17:40:00Z"))
    }

    @Test(arguments: [
        ("2019-08-14T17:40:00+01:00", "2019-08-14T16:40:00Z"), ("2019-08-14T17:40:00Z", "2019-08-14T17:40:00Z"),
        ("2019-08-14T00:10:00+01:00", "2019-08-13T23:10:00Z"), ("2019-08-14T17:40-05:30", "2019-08-14T23:10:00Z"),
        ("2019-08-14T17:40:00.250+01:00", "2019-08-14T16:40:00.250Z"),
    ])
    func `an ISO timestamp with an offset is normalised to UTC`(raw: String, staged: String) throws {
        #expect(try Self.timestamp(nil).read(raw) == .valid(staged))
    }

    @Test(arguments: ["2019-08-14T17:40:00", "2019-08-14 17:40:00+01:00", "2019-08-14T17:40:00+1:00", "2019-08-14T24:40:00Z"])
    func `an ISO timestamp without its offset, or malformed, fails`(raw: String) throws {
        guard case .invalid = try Self.timestamp(nil).read(raw) else {
            Issue.record("\(raw) read")
            return
        }
    }

    @Test func `a pattern with its own offset reads it`() throws {
        #expect(try Self.timestamp("dd/MM/yyyy HH:mmXX").read("14/08/2019 17:40+0100") == .valid("2019-08-14T16:40:00Z"))
    }

    @Test func `an optional offset is used when a value has one, and the zone when it has none`() throws {
        let rule = try Self.timestamp("yyyy-MM-dd'T'HH:mm:ss[XXX]", zone: .london)
        #expect(rule.read("2022-07-21T10:12:28Z") == .valid("2022-07-21T10:12:28Z"))
        #expect(rule.read("2022-07-21T10:12:28") == .valid("2022-07-21T09:12:28Z"))
    }

    @Test func `the hour skipped in spring is refused as a time that never happened`() throws {
        // 2019-03-31: clocks went from 01:00 GMT to 02:00 BST.
        let rule = try Self.timestamp("dd/MM/yyyy HH:mm", zone: .london)
        guard case let .invalid(reason, quotes) = rule.read("31/03/2019 01:30") else {
            Issue.record("01:30 on the day the clocks went forward was read")
            return
        }
        #expect(reason.contains("skipped when the clocks go forward"))
        #expect(!quotes)
        #expect(rule.read("31/03/2019 00:59") == .valid("2019-03-31T00:59:00Z"))
        #expect(rule.read("31/03/2019 02:00") == .valid("2019-03-31T01:00:00Z"))
    }

    @Test func `the hour that happens twice in autumn is read as its first occurrence, in summer time`() throws {
        // 2019-10-27: clocks went from 02:00 BST back to 01:00 GMT, so 01:30 happened at 00:30 and at 01:30 UTC.
        let rule = try Self.timestamp("dd/MM/yyyy HH:mm", zone: .london)
        #expect(rule.read("27/10/2019 01:30") == .valid("2019-10-27T00:30:00Z"))
        #expect(rule.read("27/10/2019 00:59") == .valid("2019-10-26T23:59:00Z"))
        #expect(rule.read("27/10/2019 02:00") == .valid("2019-10-27T02:00:00Z"))
    }

    @Test(arguments: [
        ("dd-MM", "must hold the year"), ("dd/MM/yy", "yyyy"), ("hh:mm dd/MM/yyyy", "12-hour clock"), ("dd/MM/yyyy Q", "not a pattern letter"),
        ("dMyyyy", "followed by a separator"), ("dd/MM/yyyy [HH:mm]", "cannot be optional"), ("dd/MM/yyyy HH", "both the hour"),
        ("dd/MM/yyyy ss", "without a time"), ("dd/MM/yyyy [:ss", "not closed"), ("dd/MM/yyyy 'T", "not closed"),
        ("dd/MM/yyyy HH:mm:ss:ss", "more than once"),
    ])
    func `a pattern that cannot be read is refused, saying why`(pattern: String, words: String) {
        do {
            _ = try DatePattern(pattern)
            Issue.record("'\(pattern)' was accepted")
        } catch {
            #expect(error.description.contains(words), "\(error)")
        }
    }
}
