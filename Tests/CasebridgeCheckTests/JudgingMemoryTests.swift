@testable import CasebridgeCheck
import CasebridgeStore
import Foundation
import TestSupport
import Testing

/// What keeps a large export's judging in bounded memory: rules read their rows one at a time, and the
/// staging sorts for them in a smaller cache while they run.
struct JudgingMemoryTests {
    @Test func `mapRows keeps what the transform makes of each row, in order, and leaves out its nils`() throws {
        let database = try Database(path: ":memory:")
        try database.execute("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3), (4), (5)")
        let odd = try database.mapRows("SELECT n FROM t WHERE n >= ? ORDER BY n", [.integer(2)]) { row -> String? in
            guard let n = row.int("n"), n % 2 == 1 else { return nil }
            return "n\(n)"
        }
        #expect(odd == ["n3", "n5"])
        #expect(try database.mapRows("SELECT n FROM t WHERE n > 9") { $0.int("n") }.isEmpty)
    }

    @Test func `the staging judges with a smaller cache and has its own back afterwards, also when judging fails`() throws {
        let staging = try StagingStore(path: ":memory:")
        let cacheSize = { try staging.database.scalar("PRAGMA cache_size")?.int ?? 0 }
        let own = try cacheSize()
        let whileJudging = try staging.whileJudging { try cacheSize() }
        // A negative cache_size is KiB: a smaller cache is a smaller magnitude.
        #expect(abs(whileJudging) < abs(own))
        #expect(try cacheSize() == own)

        struct Failure: Error {}
        #expect(throws: Failure.self) { try staging.whileJudging { throw Failure() } }
        #expect(try cacheSize() == own)
    }
}
