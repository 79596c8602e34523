import CasebridgeModel
import Crypto
import Foundation

/// Builders for the small reference-format exports that rule examples are written in.
///
/// Hashes and sizes are computed, so an example states only what it is about:
/// `Fixture.document("D-1", person: "C-1", parts: [.inline("report", declaredBytes: 99)])`.
public enum Fixture {
    /// The People section of most examples: one child, C-1.
    public static let oneChild = people(person("C-1"))

    /// A Person; `kind` child, unborn or adult.
    public static func person(_ id: String, kind: String = "child", birthDate: String? = "2014-05-03",
                              gender: String = "2", ethnicity: String = "WBRI", statuses: String = "",
                              lastModified: String = "2019-08-30T14:02:11Z") -> String {
        let birth = birthDate.map { "<BirthDate>\($0)</BirthDate>" } ?? ""
        return """
            <Person id="\(id)" kind="\(kind)"><Forename>Amira</Forename><Surname>Khan</Surname>\(birth)\
            <Gender>\(gender)</Gender><Ethnicity>\(ethnicity)</Ethnicity>\(statuses)\
            <LastModified>\(lastModified)</LastModified></Person>
            """
    }

    /// `<People>` around the given persons.
    public static func people(_ persons: String...) -> String { "<People>\(persons.joined(separator: "\n"))</People>" }

    /// A Family with members: `(person, role, from, to)`.
    public static func family(_ id: String, _ members: [(String, String, String, String?)]) -> String {
        let lines = members.map { person, role, from, to in
            "<Member person=\"\(person)\" role=\"\(role)\" from=\"\(from)\"\(to.map { " to=\"\($0)\"" } ?? "")/>"
        }
        return "<Family id=\"\(id)\"><Name>Khan household</Name>\(lines.joined())</Family>"
    }

    /// `<Families>` around the given families.
    public static func families(_ items: String...) -> String { "<Families>\(items.joined(separator: "\n"))</Families>" }

    /// `<Documents>` around the given documents.
    public static func documents(_ items: String...) -> String { "<Documents>\(items.joined(separator: "\n"))</Documents>" }

    /// One part of a document's content.
    public struct Part: Sendable {
        var content: [UInt8]
        var seq: String?
        var declaredBytes: String?
        var declaredSha: String?
        var href: String?
        var base64Override: String?
        var encoding: String? = "base64"

        /// Inline base64 content.
        public static func inline(_ text: String, seq: String? = nil, declaredBytes: Int? = nil, declaredSha: String? = nil,
                                  base64: String? = nil, encoding: String? = "base64") -> Part {
            Part(content: Array(text.utf8), seq: seq, declaredBytes: declaredBytes.map(String.init), declaredSha: declaredSha,
                 href: nil, base64Override: base64, encoding: encoding)
        }

        /// Inline content whose declared `bytes` or `sha256` is written as given, valid or not.
        public static func inline(_ text: String, rawBytes: String? = nil, rawSha: String? = nil, seq: String? = nil) -> Part {
            Part(content: Array(text.utf8), seq: seq, declaredBytes: rawBytes, declaredSha: rawSha, href: nil, base64Override: nil)
        }

        /// Content in a file beside the export; `content` is what the file should hold.
        public static func file(_ href: String, holding text: String, seq: String? = nil) -> Part {
            Part(content: Array(text.utf8), seq: seq, declaredBytes: nil, declaredSha: nil, href: href, base64Override: nil,
                 encoding: nil)
        }
    }

    /// What a Manifest declares; `nil` members are computed from the parts.
    public struct Manifest: Sendable {
        var parts: String?
        var bytes: String?
        var sha256: String?

        public static let computed = Manifest()
        public static func declaring(parts: String? = nil, bytes: String? = nil, sha256: String? = nil) -> Manifest {
            Manifest(parts: parts, bytes: bytes, sha256: sha256)
        }
    }

    /// A Document with its manifest and parts; `uploadedAt: nil` writes one never uploaded.
    public static func document(
        _ id: String, person: String, type: String = "ASSESS", scope: String = "child", family: String? = nil,
        origin: String? = nil, version: String? = nil, eventDate: String = "14/08/2019",
        recordedAt: String = "2019-08-15T10:22:00Z", uploadedAt: String? = "2019-08-15T16:40:00Z",
        parts: [Part] = [.inline("Assessment of needs.")], manifest: Manifest? = .computed,
        sections: [(String, String)] = [("ChildsVoice", "I like my school.")]
    ) -> String {
        var attributes = "id=\"\(id)\" person=\"\(person)\" type=\"\(type)\" scope=\"\(scope)\""
        if let family { attributes += " family=\"\(family)\"" }
        if let origin { attributes += " origin=\"\(origin)\"" }
        if let version { attributes += " version=\"\(version)\"" }
        var body = "<Title>Record</Title><EventDate>\(eventDate)</EventDate><RecordedAt>\(recordedAt)</RecordedAt>"
        if let uploadedAt { body += "<UploadedAt>\(uploadedAt)</UploadedAt>" }
        body += "<Author worker=\"W-1\"/>"
        let numbered = parts.enumerated().map { index, part in (part.seq ?? String(index + 1), part) }
        if let manifest {
            let ordered = numbered.sorted { (Int($0.0) ?? 0) < (Int($1.0) ?? 0) }
            let all = ordered.flatMap(\.1.content)
            let count = manifest.parts ?? String(parts.count)
            let bytes = manifest.bytes ?? String(numbered.map { Int($0.1.declaredBytes ?? String($0.1.content.count)) ?? 0 }.reduce(0, +))
            let sha = manifest.sha256 ?? sha256(all)
            body += "<Manifest parts=\"\(count)\" bytes=\"\(bytes)\" sha256=\"\(sha)\"/>"
        }
        for (seq, part) in numbered {
            let bytes = part.declaredBytes ?? String(part.content.count)
            let sha = part.declaredSha ?? sha256(part.content)
            var partAttributes = "seq=\"\(seq)\" mime=\"application/pdf\" bytes=\"\(bytes)\" sha256=\"\(sha)\""
            if let href = part.href {
                body += "<Part \(partAttributes) href=\"\(href)\"/>"
            } else {
                if let encoding = part.encoding { partAttributes += " encoding=\"\(encoding)\"" }
                let text = part.base64Override ?? Data(part.content).base64EncodedString()
                body += "<Part \(partAttributes)>\(text)</Part>"
            }
        }
        for (name, text) in sections { body += "<Section name=\"\(name)\">\(text)</Section>" }
        return "<Document \(attributes)>\(body)</Document>"
    }

    /// `<Plans>` around the given plans.
    public static func plans(_ items: String...) -> String { "<Plans>\(items.joined(separator: "\n"))</Plans>" }

    /// A Plan with outcomes `(id, targetDate)`.
    public static func plan(_ id: String, person: String, type: String = "CP", start: String = "2019-06-01",
                            end: String? = nil, reviewDue: String? = "2019-10-01",
                            outcomes: [(String, String?)] = [("O-1", "2019-12-01")]) -> String {
        var attributes = "id=\"\(id)\" person=\"\(person)\" type=\"\(type)\" start=\"\(start)\""
        if let end { attributes += " end=\"\(end)\"" }
        if let reviewDue { attributes += " reviewDue=\"\(reviewDue)\"" }
        let body = outcomes.map { id, target in
            "<Outcome id=\"\(id)\"\(target.map { " targetDate=\"\($0)\"" } ?? "")>Attends school</Outcome>"
        }.joined()
        return "<Plan \(attributes)>\(body)</Plan>"
    }

    /// `<Visits>` around the given visits.
    public static func visits(_ items: String...) -> String { "<Visits>\(items.joined(separator: "\n"))</Visits>" }

    /// A Visit.
    public static func visit(_ id: String, person: String, date: String = "2019-08-30", seenAlone: String = "true") -> String {
        "<Visit id=\"\(id)\" person=\"\(person)\" date=\"\(date)\" seenAlone=\"\(seenAlone)\" worker=\"W-1\"/>"
    }

    /// The team and worker that fixtures refer to.
    public static let staff = """
        <Teams><Team id="T-1"><Name>Children in Need East</Name></Team></Teams>
        <Workers><Worker id="W-1" team="T-1"><Name>Sam Patel</Name><Role>Social Worker</Role></Worker></Workers>
        """

    /// A whole export around `sections`.
    public static func export(_ sections: String, exportedAt: String = "2019-09-02T23:10:00Z", sequence: Int = 412) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <CaseExport xmlns="urn:lce:2" schemaVersion="2.3" system="CareRecords 6.4" authority="Example Borough Council" \
        exportId="EXP-EXAMPLE" sequence="\(sequence)" kind="full" exportedAt="\(exportedAt)">
        \(sections)
        </CaseExport>

        """
    }

    /// Lowercase hex SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).hex
    }
}
