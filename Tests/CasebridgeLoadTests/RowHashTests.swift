import CasebridgeStore
import Testing

/// The SQL functions that hash each incoming row (``Database/addSHA256Function()``): what tells a
/// changed row from an unchanged one, run after run, so their digits must never change.
struct RowHashTests {
    @Test func `casebridge_sha256 gives the standard's digest of the text in lowercase hex, and NULL for NULL`() throws {
        let database = try Database(path: ":memory:")
        try database.addSHA256Function()
        #expect(try database.scalar("SELECT casebridge_sha256('abc')")?.string
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try database.scalar("SELECT casebridge_sha256('')")?.string
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(try database.scalar("SELECT casebridge_sha256(NULL) IS NULL")?.int == 1)
        #expect(try database.scalar("SELECT length(casebridge_sha256(json_array('a', 1, NULL)))")?.int == 64)
    }

    /// Values a row may hold: NULL, integers to both ends of their range, and text with every byte
    /// `json_array` escapes, quotes and backslashes, bytes past ASCII, digits, and a long run of them all.
    static let values: [String] = {
        var values = ["NULL", "0", "-1", "42", "9223372036854775807", "-9223372036854775807 - 1", "''", "'abc'", "'123'",
                      "'a\"b'", "'a\\b'", "'\\\"'", "'é'", "'😀 ẞ'", "char(127)", "char(128)", "'null'", "' x '"]
        values += (0..<32).map { "'a' || char(\($0)) || 'b'" }
        values.append("char(0)")
        values.append("(WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 6000) SELECT group_concat(char(i % 300), '') FROM n)")
        return values
    }()

    @Test func `casebridge_row_sha256 is the digest of json_array's text, value by value and row by row`() throws {
        let database = try Database(path: ":memory:")
        try database.addSHA256Function()
        try database.execute("CREATE TABLE v (n INTEGER PRIMARY KEY, x)")
        for value in Self.values { try database.execute("INSERT INTO v (x) VALUES (\(value))") }
        let count = try database.scalar("SELECT count(*) FROM v")?.int
        #expect(count == Self.values.count)
        let alone = try database.rows("""
            SELECT n, casebridge_row_sha256(x) AS row, casebridge_sha256(json_array(x)) AS json FROM v
            """)
        for row in alone { #expect(row["row"] != nil && row["row"] == row["json"], "value \(row["n"] ?? "?")") }
        // Every pair, and whole rows of several values.
        let differing = try database.scalar("""
            SELECT count(*) FROM v a, v b
            WHERE casebridge_row_sha256(a.x, b.x) IS NOT casebridge_sha256(json_array(a.x, b.x))
               OR casebridge_row_sha256(a.x, b.x, a.x, NULL, 7) IS NOT casebridge_sha256(json_array(a.x, b.x, a.x, NULL, 7))
            """)?.int
        #expect(differing == 0)
        #expect(try database.scalar("SELECT casebridge_row_sha256() = casebridge_sha256(json_array())")?.int == 1)
    }

    @Test func `casebridge_row_sha256 leaves a real, a blob, JSON text and a very long text to json_array`() throws {
        let database = try Database(path: ":memory:")
        try database.addSHA256Function()
        // hex(zeroblob(n)) is 2n zeros: 180,000 of them could take six times as many bytes escaped.
        for value in ["1.5", "x'00'", "json('[1,2]')", "json_array('a')", "hex(zeroblob(90000))"] {
            #expect(try database.scalar("SELECT casebridge_row_sha256('a', \(value)) IS NULL")?.int == 1, "\(value)")
        }
        // As incoming rows hash: the same digits either way.
        #expect(try database.scalar("""
            SELECT coalesce(casebridge_row_sha256('a', 1.5), casebridge_sha256(json_array('a', 1.5))) = casebridge_sha256('["a",1.5]')
            """)?.int == 1)
        // Just below the room set aside, it still writes the text itself.
        #expect(try database.scalar("""
            SELECT casebridge_row_sha256(hex(zeroblob(87000))) = casebridge_sha256(json_array(hex(zeroblob(87000))))
            """)?.int == 1)
    }
}
