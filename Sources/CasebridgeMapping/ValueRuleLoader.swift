import CasebridgeModel
import Foundation

/// Reads the settings of a field that say how its raw value becomes the canonical one (`type`,
/// `pattern`, `zone`, `min`, `max`, `codes`, `map`, `match`) into a ``ValueRule``, refusing every
/// combination that could not work with the line it is on.
enum ValueRuleLoader {
    /// The settings this loader reads.
    static let settings: Set<String> = ["type", "pattern", "zone", "min", "max", "codes", "map", "match"]

    /// The rule of field `name` (canonical `canonical`) from its settings; `node` is the field's own node.
    static func rule(_ members: ConfigMembers, field name: String, canonical: CanonicalField, node: ConfigNode,
                     isConstant: Bool) throws -> ValueRule {
        var rule = ValueRule(format: try format(members, field: name, canonical: canonical, node: node))
        try readDateSettings(members, into: &rule)
        try readRange(members, into: &rule)
        if let codesNode = members.optional("codes") {
            rule.codes = try codesNode.strings("codes")
            if !rule.codes.isEmpty, rule.format != .text { throw codesNode.error("codes apply to text fields only") }
        }
        try readMap(members, into: &rule, isConstant: isConstant)
        return rule
    }

    /// The type: as given (it must be able to hold the canonical field), else the canonical field's own.
    static func format(_ members: ConfigMembers?, field name: String, canonical: CanonicalField, node: ConfigNode) throws -> ValueFormat {
        guard let typeNode = members?.optional("type") else {
            if canonical.kind == .date {
                throw node.error("'\(name)' is a date: say its type, iso-date, uk-date, or date with a pattern")
            }
            return defaultFormat(for: canonical)
        }
        let typeName = try typeNode.string("type")
        guard let parsed = ValueFormat(rawValue: typeName) else {
            let known = ValueFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw typeNode.error("'\(typeName)' is not a type (expected one of: \(known))")
        }
        guard parsed.canonicalKind == canonical.kind else {
            throw typeNode.error("'\(name)' holds \(canonical.kind.rawValue) values; type '\(typeName)' cannot feed it")
        }
        return parsed
    }

    /// The type a field has when its mapping names none.
    static func defaultFormat(for canonical: CanonicalField) -> ValueFormat {
        switch canonical.kind {
        case .text, .date: return .text
        case .integer: return .integer
        case .boolean: return .boolean
        case .timestamp: return .utcTimestamp
        case .sha256: return .sha256
        case .content: return .base64
        case .file: return .href
        }
    }

    /// `pattern` (types date and timestamp) and `zone` (timestamp).
    private static func readDateSettings(_ members: ConfigMembers, into rule: inout ValueRule) throws {
        let patternNode = members.optional("pattern")
        let zoneNode = members.optional("zone")
        if let patternNode {
            guard rule.format == .date || rule.format == .timestamp else {
                throw patternNode.error("pattern applies to type date or timestamp, not \(rule.format.rawValue)")
            }
            let text = try patternNode.string("pattern")
            switch Result(catching: { () throws(DatePatternError) in try DatePattern(text) }) {
            case let .success(pattern): rule.pattern = pattern
            case let .failure(error): throw patternNode.error("pattern \(error.description)")
            }
            if rule.format == .date, rule.pattern!.hasTime {
                throw patternNode.error("pattern '\(rule.pattern!)' holds a time: use type timestamp")
            }
            if rule.format == .timestamp, !rule.pattern!.hasTime {
                throw patternNode.error("pattern '\(rule.pattern!)' holds no time (HH:mm): use type date")
            }
        } else if rule.format == .date, let typeNode = members.optional("type") {
            throw typeNode.error("type date needs a pattern (for yyyy-MM-dd use iso-date, for dd/MM/yyyy uk-date)")
        }
        if let zoneNode {
            guard rule.format == .timestamp else { throw zoneNode.error("zone applies to type timestamp only") }
            let text = try zoneNode.string("zone")
            guard let zone = ClockZone(rawValue: text) else {
                throw zoneNode.error("'\(text)' is not a zone (expected one of: \(ClockZone.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if rule.pattern?.requiresOffset == true {
                throw zoneNode.error("pattern '\(rule.pattern!)' reads the offset from each value: leave out zone")
            }
            rule.zone = zone
        } else if let pattern = rule.pattern, rule.format == .timestamp, !pattern.requiresOffset {
            let what = pattern.hasOffset ? "its offset (XXX) is optional" : "it has no offset (XXX)"
            throw patternNode!.error("pattern '\(pattern)': \(what), so say where times without one were written, "
                + "zone: Europe/London or zone: UTC")
        }
    }

    /// `min` and `max` of an integer.
    private static func readRange(_ members: ConfigMembers, into rule: inout ValueRule) throws {
        for (setting, node) in [("min", members.optional("min")), ("max", members.optional("max"))] {
            guard let node else { continue }
            guard rule.format == .integer else { throw node.error("\(setting) applies to type integer only") }
            let value = try node.int(setting)
            if setting == "min" { rule.minimum = value } else { rule.maximum = value }
        }
        if let minimum = rule.minimum, let maximum = rule.maximum, minimum > maximum {
            throw members.optional("max")!.error("max \(maximum) is below min \(minimum)")
        }
    }

    /// `map` and its `match`.
    private static func readMap(_ members: ConfigMembers, into rule: inout ValueRule, isConstant: Bool) throws {
        let matchNode = members.optional("match")
        guard let mapNode = members.optional("map") else {
            if let matchNode { throw matchNode.error("match says how map keys are compared: give a map too") }
            return
        }
        if isConstant { throw mapNode.error("map recodes values read from the export; a fixed value needs no map") }
        guard rule.format != .base64, rule.format != .href else {
            throw mapNode.error("map cannot apply to type \(rule.format.rawValue): it holds content, not a value")
        }
        var matching = Recoding.Matching.exact
        if let matchNode {
            let text = try matchNode.string("match")
            guard let parsed = Recoding.Matching(rawValue: text) else {
                throw matchNode.error("'\(text)' is not a way to match (expected one of: \(Recoding.Matching.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            matching = parsed
        }
        let members = try mapNode.members("map")
        guard !members.isEmpty else { throw mapNode.error("map is empty: list each source value and its canonical value") }
        var entries: [Recoding.Entry] = []
        for member in members {
            let source = member.key
            guard !source.isEmpty, source.trimmingCharacters(in: .whitespacesAndNewlines) == source else {
                throw member.keyNode.error("map key '\(source)' is blank or has whitespace around it; values are trimmed before they are matched")
            }
            let target = try member.value.string("the canonical value of '\(source)'")
            try checkTarget(target, of: source, rule: rule, at: member.value)
            entries.append(Recoding.Entry(source, target))
        }
        let recoding: Result<Recoding, RecodingError> = Result { () throws(RecodingError) in try Recoding(entries, matching: matching) }
        switch recoding {
        case let .success(value): rule.recoding = value
        case let .failure(error):
            let keyNode = members.last(where: { $0.key == error.source })?.keyNode ?? mapNode
            throw keyNode.error("map: \(error.reason)")
        }
    }

    /// A map's target must be a value the field's type can hold and, with codes, one of them.
    private static func checkTarget(_ target: String, of source: String, rule: ValueRule, at node: ConfigNode) throws {
        var typed = rule
        typed.recoding = nil
        typed.codes = []
        guard let normal = typed.typedValue(target) else {
            throw node.error("'\(source)' maps to '\(target)', which type \(rule.format.rawValue) cannot hold (\(typed.expectation))")
        }
        if !rule.codes.isEmpty, !rule.codes.contains(normal) {
            throw node.error("'\(source)' maps to '\(target)', which is not one of the field's codes (\(rule.codes.joined(separator: ", ")))")
        }
    }
}
