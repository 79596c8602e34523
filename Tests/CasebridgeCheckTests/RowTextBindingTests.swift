@testable import CasebridgeStore
import Foundation
import TestSupport
import Testing

/// Staging binds each row's text in place (`Statement.bindRowText`), from a buffer the statement reuses
/// for every row: each row must be stored as it was bound, whatever came before it and however long.
struct RowTextBindingTests {
    @Test func `rows of short, long, empty and non-ASCII text are stored as bound, row after row`() throws {
        let folder = try TemporaryFolder()
        let database = try Database(path: folder.path("rows.sqlite"))
        try database.execute("CREATE TABLE t (n INTEGER, a TEXT, b TEXT, c TEXT)")
        let insert = try database.prepare("INSERT INTO t (n, a, b, c) VALUES (?, ?, ?, ?)")
        // A long value (3,300 bytes) on every seventh row, more than a Swift string keeps inline: over the
        // 200 rows, many times what the statement's buffer holds, which each row fills again from its start.
        let long = String(repeating: "Größe 42 ", count: 300)
        var expected: [[String?]] = []
        for n in 0..<200 {
            let row: [String?] = [
                "C-\(n)",
                n % 7 == 0 ? long + "\(n)" : n % 5 == 0 ? "" : "ünïcödé \(n)",
                n % 3 == 0 ? nil : String(repeating: "x", count: n),
            ]
            insert.clearBindings()
            try insert.bind(Int64(n), at: 1)
            for (offset, text) in row.enumerated() {
                if let text { try insert.bindRowText(text, at: Int32(offset + 2)) }
            }
            try insert.step()
            expected.append(row)
        }
        let stored = try database.mapRows("SELECT a, b, c FROM t ORDER BY n") { [$0["a"], $0["b"], $0["c"]] }
        #expect(stored == expected)
        #expect(try database.scalar("SELECT count(*) FROM t WHERE c IS NULL")?.int == 67)
        #expect(try database.scalar("SELECT count(*) FROM t WHERE b = ''")?.int == 34)
    }

    @Test func `text longer than the statement's buffer, and a row's texts that overflow it, are stored whole`() throws {
        let folder = try TemporaryFolder()
        let database = try Database(path: folder.path("rows.sqlite"))
        try database.execute("CREATE TABLE t (a TEXT, b TEXT, c TEXT)")
        let insert = try database.prepare("INSERT INTO t (a, b, c) VALUES (?, ?, ?)")
        let capacity = Statement.rowTextCapacity
        let huge = String(repeating: "h", count: capacity + 1)
        let twoThirds = String(repeating: "t", count: capacity * 2 / 3)
        let rows: [[String]] = [[huge, "after", "huge"], [twoThirds, twoThirds, "third"], ["small", "again", "fits"]]
        for row in rows {
            insert.clearBindings()
            for (offset, text) in row.enumerated() { try insert.bindRowText(text, at: Int32(offset + 1)) }
            try insert.step()
        }
        let stored = try database.mapRows("SELECT a, b, c FROM t ORDER BY rowid") { row in ["a", "b", "c"].compactMap { row[$0] } }
        #expect(stored == rows)
    }
}
