@testable import CasebridgeStore
import Foundation
import TestSupport
import Testing

/// A new staging is made with pages larger than SQLite's default: the size only takes when it is set
/// before the first table is created.
struct StagingPagesTests {
    @Test func `a new staging file has the staging's page size, and keeps it when opened again`() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("staging.sqlite")
        do {
            let staging = try StagingStore(path: path)
            #expect(try staging.database.scalar("PRAGMA page_size")?.int == StagingStore.pageBytes)
            try staging.commitRead(envelope: [:])
        }
        #expect(StagingStore.pageBytes != 4096)
        let reopened = try Database(path: path, readOnly: true, create: false)
        #expect(try reopened.scalar("PRAGMA page_size")?.int == StagingStore.pageBytes)
    }
}
