@testable import CasebridgeStore
import Foundation
import TestSupport
import Testing

/// A staging shared while written (``StagingStore/shareForReading(whileWritten:)``) is made ready for the
/// next delta by another connection while an SQLite target's load reads it through a read-only
/// attachment: the load must keep reading it as it was when its transaction began, and the staging kept
/// afterwards must be one file again.
struct StagingSharedWhileWrittenTests {
    /// A staging with one table of its own, holding one row, shared as `whileWritten` says.
    private func sharedStaging(in folder: TemporaryFolder, name: String = "staging.sqlite",
                               whileWritten: Bool = true) throws -> (StagingStore, String) {
        let path = folder.path(name)
        let staging = try StagingStore(path: path)
        try staging.commitRead(envelope: [:])
        try staging.database.execute("CREATE TABLE probe (x INTEGER); INSERT INTO probe VALUES (1)")
        try staging.shareForReading(whileWritten: whileWritten)
        return (staging, path)
    }

    @Test func `a load's read-only attachment keeps its view while another connection writes the staging`() throws {
        let folder = try TemporaryFolder()
        let (staging, path) = try sharedStaging(in: folder)
        let load = try Database(path: folder.path("target.sqlite"))
        try load.attach(path, as: "s", readOnly: true)
        try load.transaction {
            #expect(try load.scalar("SELECT count(*) FROM s.probe")?.int == 1)
            let writer = try Database(path: path, create: false)
            writer.setBusyTimeout(milliseconds: StagingStore.sharedBusyMilliseconds)
            try writer.execute("INSERT INTO probe VALUES (2)")
            #expect(try load.scalar("SELECT count(*) FROM s.probe")?.int == 1)
            // The load writes its own database in the same transaction, never the staging.
            try load.execute("CREATE TABLE copied AS SELECT x FROM s.probe")
            #expect(throws: DatabaseError.self) { try load.execute("INSERT INTO s.probe VALUES (3)") }
        }
        #expect(try load.scalar("SELECT count(*) FROM s.probe")?.int == 2)
        #expect(try load.scalar("SELECT count(*) FROM copied")?.int == 1)
        #expect(try staging.database.scalar("SELECT count(*) FROM probe")?.int == 2)
    }

    @Test func `settling the writes needs every other connection closed, and leaves one file`() throws {
        let folder = try TemporaryFolder()
        let (staging, path) = try sharedStaging(in: folder)
        try Database(path: path, create: false).execute("INSERT INTO probe VALUES (2)")
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        do {
            let reader = try StagingStore.openReader(at: path)
            #expect(try reader.scalar("SELECT count(*) FROM probe")?.int == 2)
            #expect(throws: DatabaseError.self) { try staging.settleWrites() }
        }
        try staging.settleWrites()
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let reopened = try Database(path: path, readOnly: true, create: false)
        #expect(try reopened.scalar("PRAGMA journal_mode")?.string == "delete")
        #expect(try reopened.scalar("SELECT count(*) FROM probe")?.int == 2)
    }

    @Test func `a staging shared while written is not held exclusively again, one shared only to be read is`() throws {
        let folder = try TemporaryFolder()
        let (written, writtenPath) = try sharedStaging(in: folder, name: "written.sqlite")
        try written.holdExclusively()
        try written.database.execute("INSERT INTO probe VALUES (2)")
        #expect(try StagingStore.openReader(at: writtenPath).scalar("SELECT count(*) FROM probe")?.int == 2)

        let (read, readPath) = try sharedStaging(in: folder, name: "read.sqlite", whileWritten: false)
        #expect(try read.database.scalar("PRAGMA journal_mode")?.string != "wal")
        try read.settleWrites() // nothing to settle
        try read.holdExclusively()
        try read.database.execute("INSERT INTO probe VALUES (2)")
        let shutOut = try Database(path: readPath, readOnly: true, create: false)
        #expect(throws: DatabaseError.self) { try shutOut.scalar("SELECT count(*) FROM probe") }
    }

    @Test func `a file attached by path may have any characters a URI gives meaning to`() throws {
        let folder = try TemporaryFolder()
        let odd = folder.path("a?b#c%20d e")
        try FileManager.default.createDirectory(atPath: odd, withIntermediateDirectories: true)
        let attached = try Database(path: odd + "/file:staging.sqlite")
        try attached.execute("CREATE TABLE probe (x INTEGER); INSERT INTO probe VALUES (7)")
        #expect(FileManager.default.fileExists(atPath: odd + "/file:staging.sqlite"))
        let main = try Database(path: folder.path("main.sqlite"))
        try main.attach(odd + "/file:staging.sqlite", as: "s", readOnly: true)
        #expect(try main.scalar("SELECT x FROM s.probe")?.int == 7)
        #expect(throws: DatabaseError.self) { try main.execute("INSERT INTO s.probe VALUES (8)") }
    }
}
