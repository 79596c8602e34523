/// The words households are made of: names from the communities of an English city, codes,
/// and the stock phrases of case notes. Every name is invented; none names a real person.
enum Vocabulary {
    static let girls = [
        "Amira", "Zoë", "Siobhán", "Olivia", "Aisha", "Ava", "Zuzanna", "Chloé", "Renée", "Niamh",
        "Aoife", "Leah", "Ellie", "Fatima", "Mia", "Amelia", "Ioana", "Maëlle", "Grace", "Chidinma",
        "Hafsa", "Lily-Mae", "Anaïs", "Róisín", "Wiktoria",
    ]
    static let boys = [
        "Łukasz", "Oluwaseun", "Jack", "Mohammed", "Noah", "Kacper", "José", "Seán", "Björn", "Tyler",
        "Kai", "Yusuf", "Harry", "Riley", "Darius", "Ştefan", "Jesús", "Oisín", "Tomás", "Kwame",
        "Ibrahim", "Alfie", "Dawid", "Théo", "Callum",
    ]
    static let women = [
        "Sarah", "Michelle", "Agnieszka", "Nasreen", "Gemma", "Kelly", "Ngozi", "Bríd", "Mădălina",
        "Shabana", "Danielle", "Joanne", "Małgorzata", "Chantelle", "Eilís", "Zainab",
    ]
    static let men = [
        "Dariusz", "Abdul", "Wayne", "Lee", "Chidi", "Ciarán", "Gabriel", "Imran", "Darren", "Paweł",
        "Kofi", "Stephen", "Andrei", "Jamal", "Gareth", "Piotr",
    ]
    static let surnames = [
        "Khan", "Ó Súilleabháin", "Smith", "Kowalski", "Nowak", "Patel", "Begum", "Okafor", "O'Brien",
        "Jones", "Williams", "Müller", "Nguyễn", "Dąbrowski", "Hughes", "Robson", "Charlton", "Armstrong",
        "Ali", "Popescu", "Mensah", "Brown", "Wilson", "Thompson", "Ní Bhriain", "Hussain", "Wiśniewski",
        "Adeyemi", "McAllister", "Gallagher", "Rahman", "Lefèvre", "Öztürk", "Fernández",
    ]

    /// DfE ethnicity codes, the valid ones only.
    static let ethnicities = [
        "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN",
        "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
    ]

    static let teams: [(id: String, name: String)] = [
        ("T-CIN-E", "Children in Need East"),
        ("T-CIN-W", "Children in Need West"),
        ("T-CP-N", "Child Protection North"),
        ("T-CP-S", "Child Protection South"),
        ("T-LAC", "Looked After Children & Care Leavers"),
        ("T-AAI", "Assessment & Intervention"),
        ("T-DCT", "Disabled Children's Team"),
    ]
    static let workerForenames = [
        "Sam", "Jo", "Priya", "Tomasz", "Fiona", "Grace", "Hélène", "Kieran", "Ayesha", "Marcus",
        "Rhiannon", "Dele", "Sinéad", "Bartosz", "Hannah", "Ravi",
    ]
    static let workerSurnames = [
        "Patel", "O'Neill", "Shah", "Wójcik", "McAllister", "Adeyemi", "Martin", "Doherty", "Malik",
        "Reid", "Evans", "Okonkwo", "Byrne", "Zieliński", "Clarke", "Sharma",
    ]
    static let workerRoles = [
        "Social Worker", "Social Worker", "Senior Social Worker", "Advanced Practitioner",
        "Family Support Worker", "Team Manager",
    ]

    /// Document types by scope, with the title the legacy system gives each.
    static let familyTypes = ["STRAT", "ICPC", "RCPC", "CGM", "FAMASS", "PLOLET"]
    static let childTypes = ["VISIT", "ASSESS", "CINPLAN", "CPPLAN", "DIRECT", "SUPERV", "CHRON", "LETTER"]

    static func title(of type: String) -> String {
        switch type {
        case "STRAT": return "Strategy meeting"
        case "ICPC": return "Initial child protection conference"
        case "RCPC": return "Review child protection conference"
        case "CGM": return "Core group meeting"
        case "FAMASS": return "Parenting assessment"
        case "PLOLET": return "Letter before proceedings"
        case "VISIT": return "Home visit"
        case "ASSESS": return "Child and family assessment"
        case "CINPLAN": return "Child in need plan"
        case "CPPLAN": return "Child protection plan"
        case "DIRECT": return "Direct work session"
        case "SUPERV": return "Supervision record"
        case "CHRON": return "Chronology"
        default: return "Correspondence"
        }
    }

    /// The sections a document of `type` carries: those the default policy requires, and a few
    /// more, so that a required one is never the only one.
    static func sections(of type: String) -> [String] {
        switch type {
        case "STRAT": return ["Attendees", "Concerns", "Decisions"]
        case "ICPC", "RCPC": return ["Attendees", "Analysis", "Decisions"]
        case "CGM": return ["Progress", "Actions"]
        case "FAMASS": return ["ChildsVoice", "Analysis"]
        case "PLOLET": return ["Concerns", "Timescales"]
        case "VISIT": return ["ChildsVoice", "Observations"]
        case "ASSESS": return ["ChildsVoice", "Analysis", "Recommendation"]
        case "CINPLAN", "CPPLAN": return ["ChildsVoice", "Plan"]
        case "DIRECT": return ["ChildsVoice", "Activity"]
        case "SUPERV": return ["Reflection", "ActionsReview"]
        case "CHRON": return ["Summary"]
        default: return ["Summary"]
        }
    }

    /// Stock sentences per section; `{child}` becomes the child's forename, `{children}` "the children".
    static func phrases(for section: String) -> [String] {
        switch section {
        case "ChildsVoice":
            return [
                "{child} said she feels safe at nan's house.",
                "{child} drew a picture of home & said the shouting has stopped.",
                "{child} said \"I like it when mum is happy\" and wants more time with dad.",
                "{child} told me school is \"OK\" but lunchtimes are hard.",
                "{child} was too young to give a view; observed to seek comfort from mum.",
                "{child} said they want to stay with their brothers & sisters.",
            ]
        case "Attendees":
            return ["Social worker, team manager, police, school nurse, health visitor.",
                    "Chair, social worker, mum & dad, school, GP (apologies)."]
        case "Concerns":
            return ["Domestic abuse incident reported by police on the weekend.",
                    "Neglect: home conditions poor & children often late to school.",
                    "Parental substance misuse; mum not engaging with the service."]
        case "Decisions":
            return ["Proceed to section 47 enquiries.", "Convene an initial child protection conference.",
                    "Children to remain subject to a child protection plan."]
        case "Analysis":
            return ["Risks have reduced since the last review but are not yet sustained.",
                    "Parents acknowledge the concerns & have engaged with the family support service.",
                    "The children's needs are met inconsistently; routines break down at weekends."]
        case "Progress":
            return ["School attendance up to 92% this half term.", "Dad has completed 4 of 6 sessions."]
        case "Actions":
            return ["Social worker to visit weekly.", "Health visitor to review the baby's weight."]
        case "Timescales":
            return ["Parents must attend the pre-proceedings meeting within 14 days of this letter.",
                    "Agreed changes to be evidenced within 12 weeks; review on the date set at the meeting."]
        case "Observations":
            return ["Home warm & tidy; food in the cupboards.", "Saw the children's bedrooms; beds made up."]
        case "Recommendation":
            return ["Step down to early help.", "Child in need plan.", "Strategy discussion."]
        case "Plan":
            return ["Weekly visits; school to report attendance; referral to the parenting programme."]
        case "Activity":
            return ["Three houses exercise; worries, good things & dreams.", "Life story work, session 2."]
        case "Reflection":
            return ["Discussed drift in the plan & what is getting in the way of change.",
                    "Worker reflected on dad's hostility and the impact on visits."]
        case "ActionsReview":
            return ["Previous actions: referral made; core group date set; chronology updated."]
        default:
            return ["Letter sent to parents explaining the outcome of the assessment.",
                    "Chronology of significant events updated to the end of the quarter."]
        }
    }
}

/// XML text for `s`: `&`, `<` and `>` escaped; with `charRefs`, every non-ASCII character written
/// as a numeric character reference (`Zo&#235;`), as some legacy screens save it.
func xmlText(_ s: String, charRefs: Bool = false) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count + 8)
    for scalar in s.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default:
            if charRefs && scalar.value > 0x7F {
                out += "&#\(scalar.value);"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out
}

/// `n` with leading zeros to at least `width` digits.
func padded(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
