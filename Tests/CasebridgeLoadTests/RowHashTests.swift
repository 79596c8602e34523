import CasebridgeStore
import Testing

/// The SQL function that hashes each incoming row (``Database/addSHA256Function()``): what tells a
/// changed row from an unchanged one, run after run, so its digits must never change.
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
}
