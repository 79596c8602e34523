import CasebridgeModel

/// The words a draft mapping guesses by: which canonical kind an element name suggests, and which
/// canonical field an attribute or element name suggests. Names are compared lowercased, letters and
/// digits only (`LAchildID` → `lachildid`).
enum DraftGuesses {
    /// A name as it is compared.
    static func normalised(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") })
    }

    /// Kinds by the words of element names, the more specific first (`ChildProtectionPlans` is a Plan,
    /// not a Person).
    static let kindWords: [(RecordKind, [String])] = [
        (.deleted, ["deleted", "deletion"]),
        (.member, ["member", "occupant", "resident"]),
        (.allocation, ["allocation", "allocated", "caseholder"]),
        (.status, ["status", "episode", "cindetails", "legalstatus"]),
        (.outcome, ["outcome", "goal"]),
        (.action, ["action", "task"]),
        (.visit, ["visit"]),
        (.section, ["section", "note"]),
        (.part, ["part", "attachment", "content", "file"]),
        (.document, ["document", "doc", "assessment", "record"]),
        (.plan, ["plan"]),
        (.family, ["family", "household"]),
        (.worker, ["worker", "staff", "practitioner", "professional"]),
        (.team, ["team"]),
        (.person, ["person", "child", "individual", "client", "people"]),
    ]

    /// The canonical kind an element name suggests.
    static func kind(of element: String) -> RecordKind? {
        let name = normalised(element)
        return kindWords.first { $0.1.contains { name.contains($0) } }?.0
    }

    /// Field names by the words of attribute and element names: exact words first, then words a name ends with.
    static let fieldWords: [String: [String]] = [
        "id": ["id", "ref", "reference", "lachildid", "uid", "key"],
        "person": ["person", "child", "personid", "childid", "personref", "childref", "client"],
        "kind": ["kind", "category", "persontype"],
        "forename": ["forename", "firstname", "givenname", "given"],
        "surname": ["surname", "lastname", "familyname"],
        "birthDate": ["birthdate", "dateofbirth", "dob", "born", "personbirthdate"],
        "gender": ["gender", "sex", "gendercurrent"],
        "ethnicity": ["ethnicity", "ethnic", "ethnicorigin"],
        "lastModified": ["lastmodified", "modified", "updated", "changed", "lastupdated"],
        "team": ["team", "teamid", "teamref"],
        "worker": ["worker", "workerid", "socialworker", "staff"],
        "name": ["name", "label", "topic", "heading"],
        "role": ["role", "grade", "jobtitle"],
        "code": ["code", "status", "legalstatus"],
        "from": ["from", "start", "startdate", "since", "joined", "opened", "referraldate", "cinreferraldate", "cppstartdate"],
        "to": ["to", "end", "enddate", "until", "left", "closed", "closuredate", "cinclosuredate", "cppenddate"],
        "family": ["family", "household", "familyid", "householdid"],
        "type": ["type", "doctype", "documenttype", "plantype"],
        "scope": ["scope", "shared"],
        "origin": ["origin", "event", "eventid"],
        "version": ["version", "issue", "revision"],
        "title": ["title", "subject"],
        "eventDate": ["eventdate", "date", "held", "meetingdate"],
        "recordedAt": ["recordedat", "recorded", "created", "entered"],
        "uploadedAt": ["uploadedat", "uploaded"],
        "author": ["author", "writer"],
        "manifestParts": ["manifestparts", "parts"],
        "manifestBytes": ["manifestbytes"],
        "manifestSha256": ["manifestsha256"],
        "seq": ["seq", "sequence", "order", "index"],
        "mime": ["mime", "mimetype", "contenttype"],
        "bytes": ["bytes", "size", "length"],
        "sha256": ["sha256", "hash", "digest", "checksum"],
        "encoding": ["encoding", "format"],
        "href": ["href", "file", "path", "url", "link"],
        "start": ["start", "startdate", "opened", "from", "cppstartdate", "cinplanstartdate"],
        "end": ["end", "enddate", "closed", "to", "cppenddate", "cinplanenddate"],
        "reviewDue": ["reviewdue", "review", "nextreview", "reviewdate"],
        "targetDate": ["targetdate", "target"],
        "owner": ["owner", "assignee"],
        "due": ["due", "duedate"],
        "date": ["date", "on", "visitdate", "visited"],
        "seenAlone": ["seenalone", "alone", "childseenalone"],
    ]

    /// Envelope fields by the words of the root's attributes and of elements outside every record.
    static let envelopeWords: [String: [String]] = [
        "exportId": ["exportid", "id", "run", "serialno", "reference"],
        "sequence": ["sequence", "runnumber", "seq"],
        "kind": ["kind", "mode"],
        "exportedAt": ["exportedat", "created", "datetime", "generated", "timestamp"],
        "since": ["since"],
        "schemaVersion": ["schemaversion", "version", "release"],
        "system": ["system", "softwarecode", "software"],
        "authority": ["authority", "lea", "council"],
    ]

    /// How well `name` suits `field` among `words`: 2 for an exact word, 1 for a word it starts or ends
    /// with (of five letters or more), 0 for none.
    static func score(_ name: String, field: String, words: [String: [String]]) -> Int {
        let normal = normalised(name)
        guard let list = words[field] else { return 0 }
        if list.contains(normal) { return 2 }
        if list.contains(where: { $0.count >= 5 && (normal.hasSuffix($0) || normal.hasPrefix($0)) }) { return 1 }
        return 0
    }

    /// The pairs of words a boolean is often written with, and what each means.
    static let booleanWords: [[String: String]] = [
        ["Y": "true", "N": "false"], ["y": "true", "n": "false"], ["yes": "true", "no": "false"], ["Yes": "true", "No": "false"],
        ["YES": "true", "NO": "false"], ["1": "true", "0": "false"], ["TRUE": "true", "FALSE": "false"],
    ]
}
