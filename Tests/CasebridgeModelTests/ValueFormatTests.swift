import CasebridgeModel
import Testing

struct ValueFormatTests {
    @Test(arguments: [
        ("2014-05-03", "2014-05-03"), ("2016-02-29", "2016-02-29"), ("2000-02-29", "2000-02-29"),
    ])
    func `real ISO dates read`(raw: String, staged: String) {
        #expect(ValueFormat.isoDate.normalise(raw) == staged)
    }

    @Test(arguments: ["2014-02-30", "2019-02-29", "1900-02-29", "2014-5-03", "03/05/2014", "2014-13-01", "2014-05-03T00:00", "20140503"])
    func `ISO dates that are not real or not exact fail`(raw: String) {
        #expect(ValueFormat.isoDate.normalise(raw) == nil)
    }

    @Test func `UK dates stage as ISO`() {
        #expect(ValueFormat.ukDate.normalise("14/08/2019") == "2019-08-14")
        #expect(ValueFormat.ukDate.normalise("4/08/2019") == nil)
        #expect(ValueFormat.ukDate.normalise("31/09/2019") == nil)
        #expect(ValueFormat.ukDate.normalise("2019-08-14") == nil)
    }

    @Test(arguments: [
        ("2019-08-15T10:22:00Z", "2019-08-15T10:22:00Z"),
        ("2019-08-15T10:22Z", "2019-08-15T10:22:00Z"),
        ("2019-08-15T10:22:05.250Z", "2019-08-15T10:22:05.250Z"),
        ("2019-08-15T10:22:00+00:00", "2019-08-15T10:22:00Z"),
    ])
    func `UTC timestamps read`(raw: String, staged: String) {
        #expect(ValueFormat.utcTimestamp.normalise(raw) == staged)
    }

    @Test(arguments: [
        "2019-08-15 10:22:00Z", "2019-08-15T10:22:00", "2019-08-15T10:22:00+01:00", "2019-08-15T25:22:00Z",
        "2019-08-15T10:22:00.Z", "2019-02-30T10:22:00Z",
    ])
    func `timestamps without UTC or with another offset fail`(raw: String) {
        #expect(ValueFormat.utcTimestamp.normalise(raw) == nil)
    }

    @Test func `whole numbers are ASCII digits only`() {
        #expect(ValueFormat.integer.normalise("12000") == "12000")
        #expect(ValueFormat.integer.normalise("007") == "7")
        #expect(ValueFormat.integer.normalise("-1") == nil)
        #expect(ValueFormat.integer.normalise("1.5") == nil)
        #expect(ValueFormat.integer.normalise("١٢") == nil)
    }

    @Test func `booleans are exactly true or false`() {
        #expect(ValueFormat.boolean.normalise("true") == "true")
        #expect(ValueFormat.boolean.normalise("false") == "false")
        #expect(ValueFormat.boolean.normalise("True") == nil)
        #expect(ValueFormat.boolean.normalise("yes") == nil)
    }

    @Test func `SHA-256 digests are 64 lowercase hex digits`() {
        let digest = String(repeating: "ab", count: 32)
        #expect(ValueFormat.sha256.normalise(digest) == digest)
        #expect(ValueFormat.sha256.normalise(digest.uppercased()) == nil)
        #expect(ValueFormat.sha256.normalise(String(digest.dropLast())) == nil)
    }
}

struct CivilDateTests {
    @Test func `days since the epoch round-trip`() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CivilDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
        #expect(CivilDate(year: 1970, month: 1, day: 1).daysSinceEpoch == 0)
        #expect(CivilDate(year: 2019, month: 9, day: 3).adding(days: 30).iso == "2019-10-03")
    }

    @Test func `iso writes four-digit years with leading zeros and reads back as the same day`() {
        #expect(CivilDate(year: 2019, month: 9, day: 3).iso == "2019-09-03")
        #expect(CivilDate(year: 2019, month: 12, day: 31).iso == "2019-12-31")
        #expect(CivilDate(year: 5, month: 1, day: 2).iso == "0005-01-02")
        #expect(CivilDate(year: 987, month: 10, day: 10).iso == "0987-10-10")
        #expect(CivilDate(year: 9999, month: 12, day: 31).iso == "9999-12-31")
        #expect(CivilDate(year: 10000, month: 1, day: 1).iso == "10000-01-01")
        // Every day of the policy calendar's span and beyond.
        for days in CivilDate(year: 1900, month: 1, day: 1).daysSinceEpoch...CivilDate(year: 2100, month: 12, day: 31).daysSinceEpoch {
            let date = CivilDate(daysSinceEpoch: days)
            #expect(CivilDate(iso: date.iso) == date)
        }
    }

    @Test func `weekdays are right`() {
        #expect(CivilDate(year: 2019, month: 8, day: 26).weekdayFromMonday == 0)  // bank holiday Monday
        #expect(CivilDate(year: 2021, month: 12, day: 25).weekdayFromMonday == 5)  // Christmas on a Saturday
        #expect(CivilDate(year: 2022, month: 12, day: 25).weekdayFromMonday == 6)
    }
}
