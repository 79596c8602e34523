/// Europe/London civil time, computed from the EU/UK summer-time rule (last Sunday of March to last
/// Sunday of October, changing at 01:00 UTC), with no dependence on the machine's time-zone files.
public enum LondonTime {
    /// The London calendar date of a staged UTC timestamp (`yyyy-MM-ddTHH:mm:ss[.f]Z`).
    public static func date(ofTimestamp timestamp: String) -> CivilDate? {
        // A staged timestamp is read from its digits where they stand (the staging dates every one).
        var text = timestamp
        if let fast = text.withUTF8(plainDate) { return fast }
        let utf8 = Array(timestamp.utf8)
        guard utf8.count >= 16, let date = CivilDate(iso: String(decoding: utf8[0..<10], as: UTF8.self)),
              let hour = Int(String(decoding: utf8[11..<13], as: UTF8.self)),
              let minute = Int(String(decoding: utf8[14..<16], as: UTF8.self)) else { return nil }
        return self.date(utc: date, minutesOfDay: hour * 60 + minute)
    }

    /// The London date of `yyyy-MM-ddTHH:mm…` with a real date and two-digit hour and minute; `nil` for
    /// any other text, which ``date(ofTimestamp:)`` reads the slower way.
    private static func plainDate(_ bytes: UnsafeBufferPointer<UInt8>) -> CivilDate? {
        func number(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for index in start..<(start + count) {
                let digit = Int(bytes[index]) - 48
                guard digit >= 0, digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard bytes.count >= 16, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2),
              CivilDate.isValid(year: year, month: month, day: day) else { return nil }
        return date(utc: CivilDate(year: year, month: month, day: day), minutesOfDay: hour * 60 + minute)
    }

    /// The London date of the UTC instant `minutesOfDay` minutes into `utc`'s day.
    public static func date(utc: CivilDate, minutesOfDay: Int) -> CivilDate {
        // Only the hour before midnight UTC can be the next day in London: summer time is looked up for it alone.
        minutesOfDay >= 23 * 60 && isSummerTime(utc: utc, minutesOfDay: minutesOfDay) ? utc.adding(days: 1) : utc
    }

    /// Whether British Summer Time is in force at that UTC instant.
    public static func isSummerTime(utc: CivilDate, minutesOfDay: Int) -> Bool {
        let start = lastSunday(month: 3, year: utc.year)
        let end = lastSunday(month: 10, year: utc.year)
        let instant = utc.daysSinceEpoch * 1440 + minutesOfDay
        return instant >= start.daysSinceEpoch * 1440 + 60 && instant < end.daysSinceEpoch * 1440 + 60
    }

    /// The last Sunday of `month` in `year`.
    public static func lastSunday(month: Int, year: Int) -> CivilDate {
        let last = CivilDate(year: year, month: month, day: CivilDate.daysIn(month: month, year: year))
        return last.adding(days: -((last.weekdayFromMonday + 1) % 7))
    }
}
