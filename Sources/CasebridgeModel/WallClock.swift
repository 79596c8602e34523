/// Where a timestamp that carries no offset of its own was written.
public enum ClockZone: String, CaseIterable, Sendable, Codable {
    /// Coordinated universal time.
    case utc = "UTC"
    /// Wall-clock time in England: GMT in winter, BST (UTC+1) in summer.
    case london = "Europe/London"
}

/// Turns the date and time a pattern read into the staged UTC form `yyyy-MM-ddTHH:mm:ss[.f]Z`.
///
/// A London wall-clock time is read by the UK summer-time rule (``LondonTime``). Two hours of the year
/// need a decision, and this is it:
/// - **the hour that does not exist** (01:00–01:59 on the last Sunday of March, when clocks go forward
///   from 01:00 GMT to 02:00 BST): such a time is refused as invalid, because no instant was ever
///   written with it and guessing would move a record by an hour;
/// - **the hour that happens twice** (01:00–01:59 on the last Sunday of October, first in BST, then
///   again in GMT): it is read as the **first** occurrence, in BST (01:30 → 00:30 UTC).
public enum WallClock {
    /// What reading a wall-clock time gave.
    public enum Reading: Hashable, Sendable {
        /// The staged UTC timestamp.
        case utc(String)
        /// The numbers do not make a real date or time of day.
        case notReal
        /// A London time in the hour skipped when the clocks go forward.
        case skippedHour
    }

    /// The UTC instant of `fields`: by their own offset when they carry one, else read in `zone`
    /// (UTC when `nil`).
    public static func reading(_ fields: DatePattern.Fields, zone: ClockZone?) -> Reading {
        guard CivilDate.isValid(year: fields.year, month: fields.month, day: fields.day),
              fields.hour < 24, fields.minute < 60, fields.second < 60 else { return .notReal }
        let local = CivilDate(year: fields.year, month: fields.month, day: fields.day).daysSinceEpoch * 1440
            + fields.hour * 60 + fields.minute
        let utcMinutes: Int
        if let offset = fields.offsetMinutes {
            utcMinutes = local - offset
        } else if zone == .london {
            guard let minutes = londonToUTC(local) else { return .skippedHour }
            utcMinutes = minutes
        } else {
            utcMinutes = local
        }
        return .utc(staged(utcMinutes: utcMinutes, second: fields.second, fraction: fields.fraction))
    }

    /// The UTC minute of a London wall-clock minute (both counted from 1970-01-01 00:00), or `nil` for a
    /// minute in the hour skipped in spring. In the hour that repeats in autumn, the first (BST) reading wins.
    public static func londonToUTC(_ local: Int) -> Int? {
        if isSummerTime(utcMinutes: local - 60) { return local - 60 }
        if !isSummerTime(utcMinutes: local) { return local }
        return nil
    }

    /// The London wall-clock minute of a UTC minute (both counted from 1970-01-01 00:00): an hour later
    /// in summer time.
    public static func londonWallClock(utcMinutes: Int) -> Int {
        isSummerTime(utcMinutes: utcMinutes) ? utcMinutes + 60 : utcMinutes
    }

    private static func isSummerTime(utcMinutes: Int) -> Bool {
        let days = utcMinutes >= 0 ? utcMinutes / 1440 : (utcMinutes - 1439) / 1440
        return LondonTime.isSummerTime(utc: CivilDate(daysSinceEpoch: days), minutesOfDay: utcMinutes - days * 1440)
    }

    /// `yyyy-MM-ddTHH:mm:ss[.f]Z` of a UTC minute, its second and the digits of its fraction.
    static func staged(utcMinutes: Int, second: Int, fraction: String) -> String {
        let days = utcMinutes >= 0 ? utcMinutes / 1440 : (utcMinutes - 1439) / 1440
        let minuteOfDay = utcMinutes - days * 1440
        let date = CivilDate(daysSinceEpoch: days).iso
        let fractionPart = fraction.isEmpty ? "" : "." + fraction
        return "\(date)T\(pad2(minuteOfDay / 60)):\(pad2(minuteOfDay % 60)):\(pad2(second))\(fractionPart)Z"
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
