import CasebridgeModel
import Foundation
import TestSupport
import Testing

/// SHA-256 digests as Casebridge writes them everywhere (content, raw XML, rows, files): 64 lowercase
/// hex digits, checked against the standard's test vectors.
struct DigestTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ])
    func `a file's digest is the standard's, in lowercase hex`(text: String, expected: String) throws {
        let folder = try TemporaryFolder()
        let file = folder.url.appendingPathComponent("vector").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        #expect(FileDigest.sha256(path: file) == expected)
    }
}
