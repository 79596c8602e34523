import CasebridgeModel

/// Working days in England and Wales, and the London date of a UTC instant: the generator's own
/// reckoning of the calendar `late-upload` and `visit-overdue` count in, worked out from the rules
/// that make bank holidays rather than read from a table, so that it is an independent witness to
/// the checker's policy list.
enum WorkCalendar {
    /// Years whose bank holidays are known here.
    static let years = 2010...2030

    /// Easter Sunday (anonymous Gregorian algorithm).
    static func easter(_ year: Int) -> CivilDate {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CivilDate(year: year, month: month, day: day)
    }

    /// The first Monday of `month`.
    static func firstMonday(_ month: Int, _ year: Int) -> CivilDate {
        let first = CivilDate(year: year, month: month, day: 1)
        return first + ((7 - first.weekdayFromMonday) % 7)
    }

    /// The last Monday of `month`.
    static func lastMonday(_ month: Int, _ year: Int) -> CivilDate {
        let last = CivilDate(year: year, month: month, day: CivilDate.daysIn(month: month, year: year))
        return last - last.weekdayFromMonday
    }

    /// The bank holidays of `year` in England and Wales, substitute days and one-off changes included.
    static func bankHolidays(_ year: Int) -> [CivilDate] {
        var days: [CivilDate] = []
        // New Year's Day, or the Monday after it when it falls at a weekend.
        let newYear = CivilDate(year: year, month: 1, day: 1)
        switch newYear.weekdayFromMonday {
        case 5: days.append(newYear + 2)
        case 6: days.append(newYear + 1)
        default: days.append(newYear)
        }
        let easter = easter(year)
        days.append(easter - 2)
        days.append(easter + 1)
        // Early May: the first Monday, moved in 2020 to VE Day.
        days.append(year == 2020 ? CivilDate(year: 2020, month: 5, day: 8) : firstMonday(5, year))
        // Spring: the last Monday of May, moved for the jubilees of 2012 and 2022.
        switch year {
        case 2012: days += [CivilDate(year: 2012, month: 6, day: 4), CivilDate(year: 2012, month: 6, day: 5)]
        case 2022: days += [CivilDate(year: 2022, month: 6, day: 2), CivilDate(year: 2022, month: 6, day: 3)]
        default: days.append(lastMonday(5, year))
        }
        days.append(lastMonday(8, year))
        // Christmas and Boxing Day, each at a weekend replaced by the next free weekday.
        let christmas = CivilDate(year: year, month: 12, day: 25)
        switch christmas.weekdayFromMonday {
        case 4: days += [christmas, christmas + 3]          // Fri: Boxing Day (Sat) on Mon 28
        case 5: days += [christmas + 2, christmas + 3]      // Sat: Mon 27 and Tue 28
        case 6: days += [christmas + 1, christmas + 2]      // Sun: Boxing Day Mon 26, Christmas Tue 27
        default: days += [christmas, christmas + 1]
        }
        // One-offs: a royal wedding, a state funeral, a coronation.
        switch year {
        case 2011: days.append(CivilDate(year: 2011, month: 4, day: 29))
        case 2022: days.append(CivilDate(year: 2022, month: 9, day: 19))
        case 2023: days.append(CivilDate(year: 2023, month: 5, day: 8))
        default: break
        }
        return days.sorted()
    }

    /// Every bank holiday of ``years``, as days since the epoch.
    static let holidays: Set<Int> = Set(years.flatMap { bankHolidays($0).map(\.daysSinceEpoch) })

    static func isWorkingDay(_ date: CivilDate) -> Bool {
        date.weekdayFromMonday < 5 && !holidays.contains(date.daysSinceEpoch)
    }

    /// The number of working days d with a < d ≤ b (0 when b ≤ a).
    static func workingDays(_ a: CivilDate, _ b: CivilDate) -> Int {
        guard a < b else { return 0 }
        var count = 0
        var day = a + 1
        while day <= b {
            if isWorkingDay(day) { count += 1 }
            day = day + 1
        }
        return count
    }

    /// The `n`th working day after `date` (n ≥ 1).
    static func workingDay(_ n: Int, after date: CivilDate) -> CivilDate {
        var day = date
        var left = n
        while left > 0 {
            day = day + 1
            if isWorkingDay(day) { left -= 1 }
        }
        return day
    }

    // MARK: London time

    /// The last Sunday of `month`.
    static func lastSunday(_ month: Int, _ year: Int) -> CivilDate {
        let last = CivilDate(year: year, month: month, day: CivilDate.daysIn(month: month, year: year))
        return last - ((last.weekdayFromMonday + 1) % 7)
    }

    /// Whether London keeps summer time at `date` `hour:minute` UTC: from 01:00 UTC on the last
    /// Sunday of March to 01:00 UTC on the last Sunday of October.
    static func isSummerTime(_ date: CivilDate, hour: Int, minute: Int) -> Bool {
        let minutes = hour * 60 + minute
        let start = lastSunday(3, date.year), end = lastSunday(10, date.year)
        if date < start || date > end { return false }
        if date == start { return minutes >= 60 }
        if date == end { return minutes < 60 }
        return true
    }

    /// The London calendar date of `date` `hour:minute` UTC.
    static func londonDate(_ date: CivilDate, hour: Int, minute: Int) -> CivilDate {
        isSummerTime(date, hour: hour, minute: minute) && hour == 23 ? date + 1 : date
    }
}
