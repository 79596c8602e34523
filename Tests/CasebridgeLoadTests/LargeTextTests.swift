import Foundation
import TestSupport
import Testing

/// The byte-level helpers the tests use on large exports answer as Foundation's split does.
struct LargeTextTests {
    @Test(arguments: ["", "\n", "one", "one\n", "one\ntwo", "\n\none\n\ntwo\n", "é\nü\r\nx"])
    func `lines(of:) and readLines split at each newline byte`(_ text: String) throws {
        let folder = try TemporaryFolder()
        let file = try folder.write(text, to: "text.txt")
        let expected = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        #expect(lines(of: text) == expected)
        #expect(try readLines(file) == expected)
        if !text.contains("\r\n") { #expect(lines(of: text) == text.components(separatedBy: "\n")) }
    }

    @Test(arguments: [("id=\"P1\"", "<a id=\"P1\"/><b id=\"P12\"/>"), ("id=\"P1\"", "<a id=\"P1\"/><b id=\"P1\"/>"),
                      ("aa", "aaaa"), ("aa", "aaa"), ("x", ""), ("long needle", "short")])
    func `occurrences counts as a split by the same text counts its pieces`(_ needle: String, _ text: String) {
        #expect(occurrences(of: needle, in: Data(text.utf8)) == text.components(separatedBy: needle).count - 1)
    }
}
