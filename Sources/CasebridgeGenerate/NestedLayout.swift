import CasebridgeModel
import Foundation

/// The records of an export spelled as a nested household export, the layout another council's
/// system might write: records nest inside their household, with the layout's own element names,
/// codes (`household`/`individual`, `M`/`F`, `Y`/`N`, document types by their legacy names), date
/// layouts (`03.05.2014`, `2019/06/01`, `14-Aug-2019`), London wall-clock times, offsets, and ids split
/// in two (`prefix="C" number="000123"`).
///
/// ```xml
/// <Household prefix="F" number="000001"><Label>Khan household</Label>
///   <Individual prefix="C" number="000001" category="C"><GivenName>Amira</GivenName>…</Individual>
///   <Occupant person="C-000001" role="Child" joined="2014/05/03"/>
///   <Item class="Document" ref="D-0000001" child="C-000001" kind="Strategy Discussion Minutes" shared="household" …>
///     <Field name="EventDate">14-Aug-2019</Field> …</Item>
/// </Household>
/// ```
///
/// A value the flat export writes valid is written in this layout's spelling; a value planted invalid
/// is written as it is, and each planted invalid value is invalid in this layout too, so that
/// `mappings/examples/household-export.yaml` reads the same records, findings included.
struct NestedLayout {
    static let namespace = "urn:example:household-export:1"

    /// The legacy system's names of the document types.
    static let documentTypes: [String: String] = [
        "STRAT": "Strategy Discussion Minutes", "ICPC": "Initial Child Protection Conference", "RCPC": "Review Child Protection Conference",
        "CGM": "Core Group Minutes", "FAMASS": "Family Assessment", "PLOLET": "Letter Before Proceedings", "VISIT": "Home Visit",
        "ASSESS": "Single Assessment", "CINPLAN": "Child in Need Plan", "CPPLAN": "Child Protection Plan", "DIRECT": "Direct Work",
        "SUPERV": "Supervision Record", "CHRON": "Chronology", "LETTER": "Correspondence",
    ]
    static let genders = ["0": "U", "1": "M", "2": "F", "9": "X"]
    static let personKinds = ["child": "C", "unborn": "U", "adult": "A"]
    static let scopes = ["family": "household", "child": "individual"]
    static let booleans = ["true": "Y", "false": "N"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    let sink: ByteSink

    // MARK: Envelope and organisation

    func begin(_ envelope: Envelope, options: GeneratorOptions) throws {
        if options.bom { try sink.bytes([0xEF, 0xBB, 0xBF]) }
        try sink.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        let since = envelope.since.map { " since=\"\(Self.london(utc: $0))\"" } ?? ""
        try sink.line("<HouseholdExport xmlns=\"\(Self.namespace)\" version=\"\(options.totals ? "2.4" : "2.3")\" system=\"CareRecords 6.4\" "
            + "council=\"Example Borough Council\" run=\"\(envelope.exportId)\" runNumber=\"\(envelope.sequence)\" "
            + "mode=\"\(envelope.kind.uppercased())\"\(since) created=\"\(Self.london(utc: envelope.exportedAt))\">")
    }

    /// The `<Summary>` of counts (when `totals` is given) and the root's end tag.
    func end(totals: [(kind: RecordKind, count: Int)]?) throws {
        if let totals {
            try sink.line("  <Summary>")
            for total in totals { try sink.line("    <Count of=\"\(total.kind.rawValue)\" n=\"\(total.count)\"/>") }
            try sink.line("  </Summary>")
        }
        try sink.line("</HouseholdExport>")
    }

    func team(_ team: TeamRecord) throws {
        try sink.line("    <Team code=\"\(team.id)\">\(team.name)</Team>")
    }

    func worker(_ worker: WorkerRecord) throws {
        try sink.line("    <Staff \(Self.split(worker.id)) team=\"\(worker.team)\" grade=\"\(worker.role)\">\(worker.name)</Staff>")
    }

    // MARK: Households

    func householdStart(_ family: FamilyRecord) throws {
        try sink.line("    <Household \(Self.split(family.id))><Label>\(family.name)</Label>")
    }

    func householdEnd() throws { try sink.line("    </Household>") }

    func person(_ person: PersonRecord) throws {
        try sink.line("      <Individual \(Self.split(person.id)) category=\"\(Self.personKinds[person.kind] ?? person.kind)\">")
        try sink.line("        <GivenName>\(person.forename)</GivenName><FamilyName>\(person.surname)</FamilyName>")
        if let birth = person.birthDate { try sink.line("        <Born>\(Self.date(birth) { Self.dotted($0) })</Born>") }
        try sink.line("        <Sex>\(Self.genders[person.gender] ?? person.gender)</Sex><Ethnicity>\(person.ethnicity)</Ethnicity>")
        if let a = person.allocation {
            try sink.line("        <Allocated team=\"\(a.team)\" worker=\"\(a.worker)\" since=\"\(Self.slashed(a.from))\"/>")
        }
        for s in person.statuses {
            let to = s.to.map { " end=\"\(Self.slashed($0))\"" } ?? ""
            try sink.line("        <Episode code=\"\(s.code)\" start=\"\(Self.slashed(s.from))\"\(to)/>")
        }
        try sink.line("        <Updated>\(Self.london(utc: person.lastModified))</Updated>")
        try sink.line("      </Individual>")
    }

    func member(_ member: MemberRecord) throws {
        let left = member.to.map { " left=\"\(Self.slashed($0))\"" } ?? ""
        try sink.line("      <Occupant person=\"\(member.person)\" role=\"\(member.role.capitalized)\" joined=\"\(Self.slashed(member.from))\"\(left)/>")
    }

    // MARK: Casework

    /// A document's start tag and its fields, up to its parts.
    func documentStart(_ d: DocumentRecord, id: String, origin: String?) throws {
        var start = "      <Item class=\"Document\" ref=\"\(id)\" child=\"\(d.person)\" kind=\"\(Self.documentTypes[d.type] ?? d.type)\" "
            + "shared=\"\(Self.scopes[d.scope] ?? d.scope)\""
        if let family = d.family { start += " household=\"\(family)\"" }
        if let origin { start += " event=\"\(origin)\"" }
        if let version = d.version { start += " issue=\"\(version)\"" }
        try sink.line(start + ">")
        try sink.line("        <Field name=\"Title\">\(d.title)</Field><Field name=\"EventDate\">\(Self.monthName(d.date))</Field>")
        try sink.line("        <Field name=\"Recorded\">\(Self.london(utc: d.recordedAt, layout: Self.monthName))</Field>")
        if let uploaded = d.uploadedAt { try sink.line("        <Field name=\"Uploaded\">\(Self.offset(utc: uploaded))</Field>") }
        try sink.line("        <Field name=\"Author\">\(d.author)</Field>")
        if let m = d.manifest {
            try sink.line("        <Manifest parts=\"\(m.parts)\" bytes=\"\(m.bytes)\" sha256=\"\(m.sha256)\"/>")
        }
    }

    func section(_ section: SectionRecord) throws {
        let text = section.cdata ? "<![CDATA[\(section.text)]]>" : section.text
        try sink.line("        <Note topic=\"\(section.name)\">\(text)</Note>")
    }

    func documentEnd() throws { try sink.line("      </Item>") }

    /// A plan with its goals and tasks; returns the line of each goal (an Outcome).
    func plan(_ plan: PlanRecord, id: String) throws -> [Int] {
        var start = "      <Item class=\"Plan\" ref=\"\(id)\" child=\"\(plan.person)\" type=\"\(plan.type)\" opened=\"\(plan.start.uk)\""
        if let end = plan.end { start += " closed=\"\(end.uk)\"" }
        if let review = plan.reviewDue { start += " review=\"\(Self.date(review) { $0.uk })\"" }
        return try sink.record(
            start: start + ">",
            marked: plan.outcomes.map { o in
                "        <Goal ref=\"\(o.id)\"\(o.targetDate.map { " by=\"\(Self.date($0) { Self.dotted($0) })\"" } ?? "")>\(o.text)</Goal>"
            },
            other: plan.actions.map { a in "        <Task ref=\"\(a.id)\" owner=\"\(a.owner)\" due=\"\(Self.dotted(a.due))\">\(a.text)</Task>" },
            end: "      </Item>")
    }

    func visit(_ visit: VisitRecord, id: String) throws {
        try sink.line("      <Item class=\"Visit\" ref=\"\(id)\" child=\"\(visit.person)\" on=\"\(Self.date(visit.date) { Self.slashed($0) })\" "
            + "by=\"\(visit.worker)\"><Answer question=\"SeenAlone\" value=\"\(Self.booleans[visit.seenAlone] ?? visit.seenAlone)\"/></Item>")
    }

    // MARK: Values

    /// `prefix="C" number="000123"` of `C-000123`.
    static func split(_ id: String) -> String {
        guard let dash = id.firstIndex(of: "-") else { return "prefix=\"\(id)\" number=\"\"" }
        return "prefix=\"\(id[..<dash])\" number=\"\(id[id.index(after: dash)...])\""
    }

    /// An ISO date in this layout's spelling, or the value as it is when it is not a date (a planted defect).
    static func date(_ iso: String, _ spelled: (CivilDate) -> String) -> String {
        CivilDate(iso: iso).map(spelled) ?? iso
    }

    static func dotted(_ d: CivilDate) -> String { "\(pad(d.day)).\(pad(d.month)).\(d.year)" }
    static func slashed(_ d: CivilDate) -> String { "\(d.year)/\(pad(d.month))/\(pad(d.day))" }
    static func monthName(_ d: CivilDate) -> String { "\(pad(d.day))-\(months[d.month - 1])-\(d.year)" }

    /// A UTC timestamp as London wall-clock time (`dd/MM/yyyy HH:mm:ss` unless `layout` says otherwise), or
    /// the value as it is when it is not a UTC timestamp.
    static func london(utc: String, layout: (CivilDate) -> String = { $0.uk }) -> String {
        guard let clock = londonClock(utc) else { return utc }
        return "\(layout(clock.day)) \(clock.time)"
    }

    /// A UTC timestamp as ISO 8601 London time with its offset (`2019-08-29T17:40:00+01:00`).
    static func offset(utc: String) -> String {
        guard let clock = londonClock(utc) else { return utc }
        return "\(clock.day.iso)T\(clock.time)\(clock.summer ? "+01:00" : "+00:00")"
    }

    /// The London day, time of day (`HH:mm:ss`) and whether summer time holds, of a staged UTC timestamp.
    private static func londonClock(_ utc: String) -> (day: CivilDate, time: String, summer: Bool)? {
        guard let (minutes, second) = utcMinutes(utc) else { return nil }
        let local = WallClock.londonWallClock(utcMinutes: minutes)
        return (CivilDate(daysSinceEpoch: local / 1440), "\(pad(local % 1440 / 60)):\(pad(local % 60)):\(pad(second))", local != minutes)
    }

    /// The minute since 1970 and the second of a staged UTC timestamp (`yyyy-MM-ddTHH:mm:ssZ`).
    private static func utcMinutes(_ text: String) -> (Int, Int)? {
        guard let staged = ValueFormat.utcTimestamp.normalise(text), staged == text, let date = CivilDate(iso: String(text.prefix(10))) else {
            return nil
        }
        let digits = Array(text.utf8)
        func number(_ at: Int) -> Int { Int(digits[at] - 0x30) * 10 + Int(digits[at + 1] - 0x30) }
        return (date.daysSinceEpoch * 1440 + number(11) * 60 + number(14), number(17))
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
