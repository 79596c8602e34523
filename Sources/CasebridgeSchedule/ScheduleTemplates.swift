import Foundation

/// When a scheduled run starts: every N minutes, hours or one day, at a time of day.
public struct ScheduleInterval: Sendable, Equatable {
    public enum Unit: String, Sendable { case minutes = "m", hours = "h", days = "d" }
    public var count: Int
    public var unit: Unit
    /// The time of day the schedule is anchored to (`--at 02:00`): the run of a daily schedule, the
    /// first of an hourly one (02:00, 14:00 for 12h), the minute past the hour of a shorter one.
    public var hour: Int
    public var minute: Int

    /// Parses `--every` (`1d`, `12h`, `1h`, `30m`) and `--at` (`HH:MM`).
    /// - Throws: ``ScheduleTemplateError`` naming what is wrong.
    public init(every: String, at: String) throws {
        guard let unitCharacter = every.last, let unit = Unit(rawValue: String(unitCharacter)),
              let count = Int(every.dropLast()), count > 0 else {
            throw ScheduleTemplateError(reason: "--every \(every): give a number and a unit, e.g. 1d, 12h, 1h or 30m")
        }
        switch unit {
        case .days where count != 1:
            throw ScheduleTemplateError(reason: "--every \(every): only 1d is supported for days (a timer cannot split months evenly)")
        case .hours where 24 % count != 0:
            throw ScheduleTemplateError(reason: "--every \(every): the hours must divide a day (1, 2, 3, 4, 6, 8 or 12h)")
        case .minutes where 60 % count != 0:
            throw ScheduleTemplateError(reason: "--every \(every): the minutes must divide an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30m)")
        default: break
        }
        let parts = at.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0..<24).contains(hour), (0..<60).contains(minute) else {
            throw ScheduleTemplateError(reason: "--at \(at): give a time of day as HH:MM, e.g. 02:00")
        }
        self.count = count
        self.unit = unit
        self.hour = hour
        self.minute = minute
    }

    private func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }

    /// systemd's OnCalendar: `*-*-* 02:00:00`, `*-*-* 02/12:00:00`, `*-*-* *:00:00`, `*-*-* *:05/15:00`.
    public var onCalendar: String {
        switch unit {
        case .days: return "*-*-* \(two(hour)):\(two(minute)):00"
        case .hours: return count == 1 ? "*-*-* *:\(two(minute)):00" : "*-*-* \(two(hour % count))/\(count):\(two(minute)):00"
        case .minutes: return count == 1 ? "*-*-* *:*:00" : "*-*-* *:\(two(minute % count))/\(count):00"
        }
    }

    /// The crontab's five time fields: `0 2 * * *`, `0 2-23/12 * * *`, `0 * * * *`, `5-59/15 * * * *`.
    public var cronFields: String {
        switch unit {
        case .days: return "\(minute) \(hour) * * *"
        case .hours: return count == 1 ? "\(minute) * * * *" : "\(minute) \(hour % count)-23/\(count) * * *"
        case .minutes: return count == 1 ? "* * * * *" : "\(minute % count)-59/\(count) * * * *"
        }
    }

    /// "every day at 02:00", "every 12 hours from 02:00", "every 15 minutes".
    public var described: String {
        switch unit {
        case .days: return "every day at \(two(hour)):\(two(minute))"
        case .hours: return count == 1 ? "every hour at minute \(two(minute))" : "every \(count) hours from \(two(hour % count)):\(two(minute))"
        case .minutes: return count == 1 ? "every minute" : "every \(count) minutes"
        }
    }
}

/// A schedule that cannot be written: a bad `--every` or `--at`.
public struct ScheduleTemplateError: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public var description: String { reason }
}

/// The systemd unit files and the crontab line that run `casebridge schedule run`.
///
/// The templates are the files `scripts/systemd/casebridge-schedule.service.in` and `.timer.in`, embedded
/// here word for word (a test checks the two stay identical). Placeholders: `@CASEBRIDGE@`, `@INBOX@`,
/// `@TARGET@` (absolute paths), `@OPTIONS@` (further options, each with a leading space), `@ON_CALENDAR@`
/// and `@EVERY@`.
public enum ScheduleTemplates {
    public static let serviceName = "casebridge-schedule.service"
    public static let timerName = "casebridge-schedule.timer"

    /// scripts/systemd/casebridge-schedule.service.in
    public static let serviceTemplate = #"""
# Written by `casebridge schedule install` from scripts/systemd/casebridge-schedule.service.in.
# Loads every export waiting in the inbox into the target, in sequence order; the timer starts it.
[Unit]
Description=Casebridge: load the exports waiting in the inbox
After=local-fs.target

[Service]
Type=oneshot
ExecStart=@CASEBRIDGE@ schedule run --inbox @INBOX@ --target @TARGET@@OPTIONS@
UMask=0077
Nice=10

"""#

    /// scripts/systemd/casebridge-schedule.timer.in
    public static let timerTemplate = #"""
# Written by `casebridge schedule install` from scripts/systemd/casebridge-schedule.timer.in.
# Starts casebridge-schedule.service @EVERY@; a run missed while the machine was off runs at boot.
[Unit]
Description=Casebridge: load the waiting exports @EVERY@

[Timer]
OnCalendar=@ON_CALENDAR@
Persistent=true
Unit=casebridge-schedule.service

[Install]
WantedBy=timers.target

"""#

    /// The service unit: `casebridge` and the paths absolute, quoted for systemd where they need it.
    public static func service(casebridge: String, inbox: String, target: String, options: [String] = []) -> String {
        serviceTemplate
            .replacingOccurrences(of: "@CASEBRIDGE@", with: systemdQuoted(casebridge))
            .replacingOccurrences(of: "@INBOX@", with: systemdQuoted(inbox))
            .replacingOccurrences(of: "@TARGET@", with: systemdQuoted(target))
            .replacingOccurrences(of: "@OPTIONS@", with: options.map { " " + systemdQuoted($0) }.joined())
    }

    /// The timer unit for `interval`.
    public static func timer(_ interval: ScheduleInterval) -> String {
        timerTemplate
            .replacingOccurrences(of: "@ON_CALENDAR@", with: interval.onCalendar)
            .replacingOccurrences(of: "@EVERY@", with: interval.described)
    }

    /// One crontab line; the output is appended to `log`.
    public static func cronLine(_ interval: ScheduleInterval, casebridge: String, inbox: String, target: String,
                                options: [String] = [], log: String) -> String {
        let words = [casebridge, "schedule", "run", "--inbox", inbox, "--target", target] + options
        let command = words.map(shellQuoted).joined(separator: " ") + " >> \(shellQuoted(log)) 2>&1"
        // cron turns an unescaped % into a newline.
        return "\(interval.cronFields) \(command.replacingOccurrences(of: "%", with: "\\%"))"
    }

    /// A word for ExecStart: `%` and `$` escaped, double quotes around one holding a space, quote or backslash.
    static func systemdQuoted(_ word: String) -> String {
        var escaped = word.replacingOccurrences(of: "%", with: "%%").replacingOccurrences(of: "$", with: "$$")
        if escaped.contains(where: { $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "'" || $0 == "\\" || $0 == ";" }) || escaped.isEmpty {
            escaped = "\"" + escaped.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return escaped
    }

    /// A word for sh: as it is when it holds only safe characters, else in single quotes.
    static func shellQuoted(_ word: String) -> String {
        let safe = word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+:=@,%".contains($0)) }
        if safe, !word.isEmpty { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
