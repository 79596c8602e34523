import CasebridgeSchedule
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

struct ScheduleTemplateTests {
    /// The repository's scripts/systemd folder, found from this file.
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/systemd")

    @Test func `the embedded templates are the files in scripts/systemd, word for word`() throws {
        let service = try String(contentsOf: Self.scripts.appendingPathComponent("casebridge-schedule.service.in"), encoding: .utf8)
        let timer = try String(contentsOf: Self.scripts.appendingPathComponent("casebridge-schedule.timer.in"), encoding: .utf8)
        #expect(ScheduleTemplates.serviceTemplate == service)
        #expect(ScheduleTemplates.timerTemplate == timer)
    }

    @Test(arguments: [
        ("1d", "02:00", "*-*-* 02:00:00", "0 2 * * *"),
        ("1d", "23:45", "*-*-* 23:45:00", "45 23 * * *"),
        ("12h", "02:00", "*-*-* 02/12:00:00", "0 2-23/12 * * *"),
        ("6h", "13:05", "*-*-* 01/6:05:00", "5 1-23/6 * * *"),
        ("1h", "02:10", "*-*-* *:10:00", "10 * * * *"),
        ("15m", "02:05", "*-*-* *:05/15:00", "5-59/15 * * * *"),
    ])
    func `--every and --at give OnCalendar and the cron fields`(_ every: String, _ at: String, _ calendar: String, _ cron: String) throws {
        let interval = try ScheduleInterval(every: every, at: at)
        #expect(interval.onCalendar == calendar)
        #expect(interval.cronFields == cron)
    }

    @Test(arguments: [("2d", "02:00"), ("5h", "02:00"), ("7m", "02:00"), ("1d", "2:00"), ("1d", "24:00"), ("d", "02:00"), ("1x", "02:00")])
    func `a schedule a timer cannot keep is refused`(_ every: String, _ at: String) {
        #expect(throws: ScheduleTemplateError.self) { try ScheduleInterval(every: every, at: at) }
    }

    @Test func `the units quote paths for systemd, and the cron line for sh`() throws {
        let service = ScheduleTemplates.service(casebridge: "/opt/cb/casebridge", inbox: "/srv/in box", target: "/srv/t%1.db")
        #expect(service.contains("ExecStart=/opt/cb/casebridge schedule run --inbox \"/srv/in box\" --target /srv/t%%1.db\n"))
        let timer = ScheduleTemplates.timer(try ScheduleInterval(every: "1d", at: "02:00"))
        #expect(timer.contains("OnCalendar=*-*-* 02:00:00\nPersistent=true\n"))
        let line = ScheduleTemplates.cronLine(try ScheduleInterval(every: "1d", at: "02:00"), casebridge: "/opt/cb/casebridge",
                                              inbox: "/srv/in box", target: "/srv/t.db", log: "/srv/in box/schedule.log")
        #expect(line == "0 2 * * * /opt/cb/casebridge schedule run --inbox '/srv/in box' --target /srv/t.db >> '/srv/in box/schedule.log' 2>&1")
    }
}

struct ScheduleLockTests {
    @Test func `a second lock on the same target is refused with the holder's pid, and granted once the first lets go`() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("t.db").path
        let first = try ScheduleLock(target: target, wait: 0)
        #expect(ScheduleLock.holder(of: first.path) == getpid())
        let mode = try FileManager.default.attributesOfItem(atPath: first.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let started = Date()
        #expect(throws: ScheduleBusy.self) { try ScheduleLock(target: target, wait: 0.3) }
        #expect(Date().timeIntervalSince(started) >= 0.3)
        do {
            _ = try ScheduleLock(target: target, wait: 0)
        } catch let busy as ScheduleBusy {
            #expect(busy.description == "another schedule run holds \(target).schedule-lock (pid \(getpid()))")
        }
        first.release()
        let second = try ScheduleLock(target: target, wait: 0)
        second.release()
    }
}

struct InboxTests {
    @Test func `a taken name gets a numeric suffix before the extension`() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-inbox-\(UUID().uuidString)")
        let inbox = Inbox(path: folder.path)
        try FileManager.default.createDirectory(at: inbox.done, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["a.xml", "exp"] {
            _ = FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data())
            _ = FileManager.default.createFile(atPath: inbox.done.appendingPathComponent(name).path, contents: Data())
        }
        _ = FileManager.default.createFile(atPath: inbox.done.appendingPathComponent("a-1.xml").path, contents: Data())
        let entry = InboxEntry(name: "a.xml", url: folder.appendingPathComponent("a.xml"), exportPath: folder.appendingPathComponent("a.xml").path)
        #expect(try inbox.moveToDone(entry).lastPathComponent == "a-2.xml")
        let other = InboxEntry(name: "exp", url: folder.appendingPathComponent("exp"), exportPath: "")
        let failed = try inbox.moveToFailed(other, reason: "why", exitStatus: .unreadable)
        #expect(failed.lastPathComponent == "exp")
        let reason = try String(contentsOf: inbox.failed.appendingPathComponent("exp.reason.txt"), encoding: .utf8)
        #expect(reason.hasPrefix("reason: why\nexit status: 3\ntime: "))
        #expect(try FileManager.default.attributesOfItem(atPath: inbox.failed.path)[.posixPermissions] as? Int == 0o700)
        #expect(try FileManager.default.attributesOfItem(atPath: inbox.failed.appendingPathComponent("exp.reason.txt").path)[.posixPermissions] as? Int == 0o600)
    }
}
