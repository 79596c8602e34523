import CasebridgeModel
import Foundation
import Testing

struct JSONValueTests {
    @Test("a string that needs no escape is written as it is, non-ASCII letters included")
    func plainStrings() {
        #expect(JSONValue.string("D-0000001").serialised() == #""D-0000001""#)
        #expect(JSONValue.string("Café · 東京").serialised() == "\"Café · 東京\"")
        #expect(JSONValue.string("").serialised() == #""""#)
    }

    @Test("quotes, backslashes and control characters are escaped wherever they are in the string")
    func escapedStrings() {
        #expect(JSONValue.string("say \"no\"").serialised() == #""say \"no\"""#)
        #expect(JSONValue.string("C:\\exports").serialised() == #""C:\\exports""#)
        #expect(JSONValue.string("line\nnext\r\tend").serialised() == #""line\nnext\r\tend""#)
        #expect(JSONValue.string("bell\u{7}é").serialised() == #""bell\u0007é""#)
        #expect(JSONValue.string("\u{1F}").serialised() == #""\u001f""#)
    }

    @Test("what is written reads back as the same strings, keys and nesting, compact or pretty")
    func roundTrip() throws {
        let value = JSONValue.object([
            ("id \"quoted\"", .string("a\\b\nc\u{0}d")),
            ("nested", .array([.int(1), .null, .bool(true), .object([("deep", .array([.string("x")]))])])),
            ("plain", .string("Café")),
        ])
        for pretty in [false, true] {
            let text = value.serialised(pretty: pretty)
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect(parsed["id \"quoted\""] as? String == "a\\b\nc\u{0}d")
            #expect(parsed["plain"] as? String == "Café")
            let nested = try #require(parsed["nested"] as? [Any])
            #expect(nested.count == 4)
            let deep = try #require((nested[3] as? [String: Any])?["deep"] as? [String])
            #expect(deep == ["x"])
        }
    }

    @Test("pretty output indents two spaces a level, deeper than the usual levels too")
    func indentation() {
        var value = JSONValue.array([.int(1)])
        for _ in 0..<9 { value = .array([value]) }
        let lines = value.serialised(pretty: true).split(separator: "\n")
        #expect(lines.contains { $0 == String(repeating: "  ", count: 10) + "1" })
        #expect(JSONValue.object([("a", .int(1))]).serialised(pretty: true) == "{\n  \"a\": 1\n}")
    }
}
