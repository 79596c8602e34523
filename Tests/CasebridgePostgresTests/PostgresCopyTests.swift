@testable import CasebridgeTarget
import TestSupport
import Testing

/// `COPY … FROM STDIN` as the load sends it: blocks handed to a sending thread while the next is made.
@Suite(.enabled(if: PostgresServer.enabled))
struct PostgresCopyTests {
    @Test func `a copy of many blocks arrives whole and in order, with fields larger than a block sent between them`() throws {
        let database = try PostgresServer.database("copy")
        let connection = try PostgresConnection(database.uri)
        try connection.execute("CREATE TABLE copied (n bigint, data bytea)")
        // Rows of 1 to 3,000 bytes, and every thousandth one of 600 KiB (more than a block).
        let length = { (n: Int) in n % 1000 == 999 ? 600 << 10 : 1 + (n * 7919) % 3000 }
        let rows = 5000
        try connection.copyIn("COPY copied (n, data) FROM STDIN (FORMAT binary)") { stream in
            let copy = PostgresBinaryCopy(stream: stream)
            try copy.begin()
            for n in 0..<rows {
                try copy.row(fields: 2)
                try copy.bigint(Int64(n))
                try copy.field(length: Int32(length(n)))
                try [UInt8](repeating: UInt8(n % 256), count: length(n)).withUnsafeBytes { try stream.raw($0) }
            }
            try copy.end()
        }
        let expected = (0..<rows).reduce(0) { $0 + length($1) }
        #expect(try connection.scalar("SELECT count(*) FROM copied")?.int == rows)
        #expect(try connection.scalar("SELECT sum(length(data)) FROM copied")?.int == expected)
        // Each row's bytes are its own: nothing of one row was sent inside another's.
        #expect(try connection.scalar("""
            SELECT count(*) FROM copied WHERE data <> decode(repeat(lpad(to_hex((n % 256)::int), 2, '0'), length(data)), 'hex')
            """)?.int == 0)
    }

    @Test func `a copy abandoned after blocks were handed over sends nothing and leaves the connection usable`() throws {
        let database = try PostgresServer.database("copyabandon")
        let connection = try PostgresConnection(database.uri)
        try connection.execute("CREATE TABLE copied (line text)")
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try connection.copyIn("COPY copied (line) FROM STDIN") { stream in
                for n in 0..<100_000 {
                    stream.add(.text("line \(n)"))
                    try stream.endRow()
                }
                throw Stop()
            }
        }
        #expect(try connection.scalar("SELECT count(*) FROM copied")?.int == 0)
    }
}
