import CasebridgeModel
import Testing

struct ValueShapeTests {
    @Test(arguments: [
        ("2019-08-14", "an ISO date (yyyy-MM-dd)"), ("14/08/2019", "a UK date (dd/MM/yyyy)"),
        ("14-Aug-2019", "a date (dd-MMM-yyyy)"), ("2019/08/14", "a date (yyyy/MM/dd)"), ("14.08.2019", "a date (dd.MM.yyyy)"),
        ("2019-08-14T17:40:00Z", "a timestamp with a zone (yyyy-MM-ddTHH:mm:ssZ)"),
        ("2019-08-14T17:40:00+01:00", "a timestamp with a zone (yyyy-MM-ddTHH:mm:ss+hh:mm)"),
        ("14/08/2019 17:40", "a timestamp without a zone (dd/MM/yyyy HH:mm)"),
        ("14-Aug-2019 17:40:00", "a timestamp without a zone (dd-MMM-yyyy HH:mm:ss)"),
        ("2019-02-30", "a date in the form yyyy-MM-dd that does not exist"),
        ("12345", "a whole number of 5 digits"), ("-3", "a number with a sign or a fraction"),
        ("true", "a true/false word"), (String(repeating: "ab", count: 32), "a SHA-256 digest"),
        ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=", "base64 text of 36 characters"),
        ("Amira", "a single word of 5 characters"), ("when Lily-Mae Müller starts school", "free text of 34 characters"),
    ])
    func `a value is described by its shape alone`(value: String, phrase: String) {
        #expect(ValueShape.of(value).phrase == phrase)
    }

    @Test func `a shape never holds the value's text`() {
        for value in ["Zoë Ó Súilleabháin", "Lily-Mae", "03/05/2014", "when Lily-Mae Müller starts school"] {
            let shape = ValueShape.of(value)
            #expect(!shape.phrase.contains(value))
            #expect(!shape.name.contains(value))
        }
    }

    @Test func `a layout spells itself as a pattern a mapping can use`() throws {
        let layout = try #require(ValueShape.of("14-Aug-2019 17:40:00").layout)
        #expect(layout.pattern == "dd-MMM-yyyy HH:mm:ss")
        let pattern = try DatePattern(layout.pattern)
        #expect(pattern.match("14-Aug-2019 17:40:00") != nil)
        #expect(try #require(ValueShape.of("2019-08-14T17:40:00+01:00").layout).pattern == "yyyy-MM-dd'T'HH:mm:ssXXX")
    }
}
