import CasebridgeMapping
import CasebridgeModel
import Foundation

/// The limits and requirements the rules judge by: upload limits and required sections per document
/// type, visit limits per status, and the bank holidays. Read from a YAML policy file
/// (`mappings/policy/default.yaml`); nothing in a rule's code holds a limit, a type code or a date.
public struct Policy: Sendable {
    /// What the policy says of one document type.
    public struct DocumentType: Sendable, Hashable {
        public var code: String
        public var description: String
        /// Working days after the event date within which it must be uploaded.
        public var uploadWithinWorkingDays: Int
        /// Sections it must hold with non-blank text.
        public var requiredSections: [String]
    }

    public var documentTypes: [DocumentType]
    /// The section holding the child's voice.
    public var childsVoiceSection: String
    /// Working days within which a child with an open status must have been visited, by status code.
    public var visitWithinWorkingDays: [String: Int]
    /// The working-day calendar: weekends and bank holidays excluded.
    public var calendar: WorkingCalendar
    /// How much of a target table a full export may delete before `migrate` refuses it.
    public var deletionGuard = DeletionGuard()
    /// The file it was read from.
    public var file: String

    /// The built-in policy, `mappings/policy/default.yaml`.
    public static var defaultPath: String {
        Bundle.module.url(forResource: "policy", withExtension: nil)?.appendingPathComponent("default.yaml").path
            ?? "mappings/policy/default.yaml"
    }

    /// The policy entry of document type `code`.
    public func documentType(_ code: String) -> DocumentType? { documentTypes.first { $0.code == code } }

    /// Loads and checks the policy file at `path`; a mistake names the file's line.
    public static func load(path: String) throws -> Policy {
        try load(ConfigNode.load(path: path))
    }

    /// Checks the policy held in `text`; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> Policy {
        try load(ConfigNode.parse(text, file: file))
    }

    static func load(_ root: ConfigNode) throws -> Policy {
        let top = try ConfigMembers(root, "the policy")
        try top.refuseUnknown(["documentTypes", "childsVoiceSection", "visitWithinWorkingDays", "bankHolidays", "deletionGuard"])
        var types: [DocumentType] = []
        for member in try top.required("documentTypes").members("documentTypes") {
            let fields = try ConfigMembers(member.value, "document type \(member.key)")
            try fields.refuseUnknown(["description", "uploadWithinWorkingDays", "requiredSections"])
            let limitNode = try fields.required("uploadWithinWorkingDays")
            let limit = try limitNode.int("uploadWithinWorkingDays")
            guard limit >= 0 else { throw limitNode.error("uploadWithinWorkingDays must be 0 or more, not \(limit)") }
            types.append(DocumentType(
                code: member.key, description: try fields.optional("description")?.string("description") ?? member.key,
                uploadWithinWorkingDays: limit,
                requiredSections: try fields.optional("requiredSections")?.strings("requiredSections") ?? []))
        }
        let voice = try top.required("childsVoiceSection").string("childsVoiceSection")
        var visits: [String: Int] = [:]
        for member in try top.required("visitWithinWorkingDays").members("visitWithinWorkingDays") {
            let days = try member.value.int("the visit limit of \(member.key)")
            guard days >= 0 else { throw member.value.error("a visit limit must be 0 or more, not \(days)") }
            visits[member.key] = days
        }
        var holidays: [CivilDate] = []
        for item in try top.required("bankHolidays").items("bankHolidays") {
            let text = try item.string("a bank holiday")
            guard let date = CivilDate(iso: text) else { throw item.error("'\(text)' is not a date (yyyy-MM-dd)") }
            if holidays.contains(date) { throw item.error("\(text) is listed twice") }
            holidays.append(date)
        }
        var policy = Policy(documentTypes: types, childsVoiceSection: voice, visitWithinWorkingDays: visits,
                            calendar: WorkingCalendar(bankHolidays: holidays), file: root.file)
        if let guardNode = top.optional("deletionGuard") {
            let members = try ConfigMembers(guardNode, "deletionGuard")
            try members.refuseUnknown(["maxShare", "floor"])
            if let shareNode = members.optional("maxShare") {
                let share = try shareNode.double("maxShare")
                guard (0...1).contains(share) else { throw shareNode.error("maxShare must be between 0 and 1, not \(share)") }
                policy.deletionGuard.maxShare = share
            }
            if let floorNode = members.optional("floor") {
                let floor = try floorNode.int("floor")
                guard floor >= 0 else { throw floorNode.error("floor must be 0 or more, not \(floor)") }
                policy.deletionGuard.floor = floor
            }
        }
        return policy
    }
}

/// The deletion guard: a full export that would delete more of a target table's live rows than this
/// is refused (unless the user allows it), for a legacy export cut short looks exactly like one in
/// which most records were deleted.
public struct DeletionGuard: Sendable, Hashable {
    /// The share of a table's live rows a full export may delete (0.02: 2%).
    public var maxShare = 0.02
    /// Up to this many rows of a table may go whatever its size, so that small tables are not held to a share.
    public var floor = 10

    public init(maxShare: Double = 0.02, floor: Int = 10) {
        self.maxShare = maxShare
        self.floor = floor
    }

    /// Whether deleting `deleted` of `live` rows is more than the guard allows.
    public func exceeded(deleted: Int, live: Int) -> Bool {
        deleted > floor && Double(deleted) > maxShare * Double(live)
    }
}

/// Working days in England and Wales: Monday to Friday, not a bank holiday.
public struct WorkingCalendar: Sendable {
    /// The bank holidays, sorted.
    public let bankHolidays: [CivilDate]
    private let holidayDays: Set<Int>
    /// The years the holiday list covers.
    public let coveredYears: ClosedRange<Int>?

    public init(bankHolidays: [CivilDate]) {
        self.bankHolidays = bankHolidays.sorted()
        holidayDays = Set(bankHolidays.map(\.daysSinceEpoch))
        let years = bankHolidays.map(\.year)
        coveredYears = years.min().flatMap { low in years.max().map { low...$0 } }
    }

    /// Whether `date` is a working day.
    public func isWorkingDay(_ date: CivilDate) -> Bool {
        date.weekdayFromMonday < 5 && !holidayDays.contains(date.daysSinceEpoch)
    }

    /// The number of working days d with a < d ≤ b (0 when b ≤ a): the working days from a to b of `docs/rules.md`.
    public func workingDays(from a: CivilDate, to b: CivilDate) -> Int {
        guard b > a else { return 0 }
        return workingDaysUpTo(b) - workingDaysUpTo(a)
    }

    /// Working days from 1970-01-01 up to and including `date`: the difference of two of these is
    /// workingDays, which is how the rules compute it in SQL.
    public func workingDaysUpTo(_ date: CivilDate) -> Int {
        let day = date.daysSinceEpoch
        // Whole weeks since Monday 1969-12-29, then the rest of the week.
        let sinceMonday = day + 3
        let weeks = sinceMonday >= 0 ? sinceMonday / 7 : (sinceMonday - 6) / 7
        let rest = sinceMonday - weeks * 7
        let weekdays = weeks * 5 + min(rest + 1, 5)
        let holidays = bankHolidays.prefix { $0.daysSinceEpoch <= day }.filter { $0.weekdayFromMonday < 5 }.count
        return weekdays - holidays
    }
}
