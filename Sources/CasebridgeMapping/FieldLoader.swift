import CasebridgeModel

/// Reads one field of a mapping file: where its value comes from (`path`, `inherit`, `value` or
/// `template`), how it reads (``ValueRuleLoader``), whether and when it is required, whether it is a
/// key, and its label.
enum FieldLoader {
    /// The field `name` of a record of `kind` (`nil` for the envelope) at `recordPath`.
    static func field(_ name: String, canonical: CanonicalField, node: ConfigNode, kind: RecordKind?,
                      recordPath: [QualifiedName], names: NameResolver) throws -> FieldMapping {
        // A plain string is a path.
        if node.isScalar {
            let format = try ValueRuleLoader.format(nil, field: name, canonical: canonical, node: node)
            let location = try names.location(try node.string("the path of '\(name)'"), at: node)
            return FieldMapping(name: name, location: location, format: format,
                                label: label(name, location, kind: kind, recordPath: recordPath), line: node.line)
        }
        let members = try ConfigMembers(node, "field '\(name)'")
        try members.refuseUnknown(Set(["path", "inherit", "value", "template", "required", "key", "label"]).union(ValueRuleLoader.settings))
        let location = try source(members, field: name, node: node, names: names)
        var isConstant = false
        if case .constant = location { isConstant = true }
        var field = FieldMapping(
            name: name, location: location, requirement: try requirement(members, field: name),
            isKey: try members.optional("key")?.bool("key") ?? false,
            label: try members.optional("label")?.string("label") ?? label(name, location, kind: kind, recordPath: recordPath),
            line: node.line)
        field.rule = try ValueRuleLoader.rule(members, field: name, canonical: canonical, node: node, isConstant: isConstant)
        return field
    }

    /// Exactly one of `path`, `inherit`, `value` and `template`.
    private static func source(_ members: ConfigMembers, field name: String, node: ConfigNode,
                               names: NameResolver) throws -> FieldLocation {
        let sources = ["path", "inherit", "value", "template"].filter { members.optional($0) != nil }
        guard sources.count == 1 else {
            throw node.error("field '\(name)' needs exactly one of path, inherit, value or template")
        }
        if let pathNode = members.optional("path") {
            return try names.location(try pathNode.string("path"), at: pathNode)
        }
        if let inheritNode = members.optional("inherit") {
            let text = try inheritNode.string("inherit")
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, let owner = RecordKind(rawValue: String(parts[0])), !parts[1].isEmpty else {
                throw inheritNode.error("inherit '\(text)' must be Kind.field, e.g. Person.id")
            }
            return .inherited(owner, String(parts[1]))
        }
        if let templateNode = members.optional("template") {
            return .template(try names.template(try templateNode.string("template"), at: templateNode))
        }
        return .constant(try members.required("value").string("value"))
    }

    /// `required: true`, or a condition on another field of the record.
    private static func requirement(_ members: ConfigMembers, field name: String) throws -> Requirement {
        guard let requiredNode = members.optional("required") else { return .optional }
        if requiredNode.isScalar { return try requiredNode.bool("required") ? .always : .optional }
        let condition = try ConfigMembers(requiredNode, "the condition of '\(name)'")
        try condition.refuseUnknown(["when", "equals", "present"])
        let other = try condition.required("when").string("when")
        if let equals = condition.optional("equals") {
            let values = equals.isScalar ? [try equals.string("equals")] : try equals.strings("equals")
            return .whenEquals(field: other, values: values)
        }
        if let present = condition.optional("present"), try present.bool("present") {
            return .whenPresent(field: other)
        }
        throw requiredNode.error("a condition needs 'equals: VALUE' or 'present: true'")
    }

    /// A condition may only name a field of the same record, and an `equals` value must be one the
    /// named field can hold once read: conditions are judged on canonical values (after `map`).
    static func checkConditions(of fields: [FieldMapping], kind: RecordKind, file: String) throws {
        for field in fields {
            let other: String
            var values: [String] = []
            switch field.requirement {
            case .optional, .always: continue
            case let .whenEquals(name, listed):
                other = name
                values = listed
            case let .whenPresent(name): other = name
            }
            let fail = { (reason: String) in ConfigError(file: file, line: field.line, column: 1, reason: reason) }
            guard let named = fields.first(where: { $0.name == other }) else {
                throw fail("'\(field.name)' is required when '\(other)' …, but \(kind.rawValue) maps no field '\(other)'")
            }
            for value in values {
                if let reason = impossible(value, for: named) { throw fail("'\(field.name)' is required when \(other) equals '\(value)', \(reason)") }
            }
        }
    }

    /// Why `value` can never be the canonical value of `field`, or `nil` when it can.
    private static func impossible(_ value: String, for field: FieldMapping) -> String? {
        let rule = field.rule
        let possible: [String]
        if !rule.codes.isEmpty {
            possible = rule.codes
        } else if let recoding = rule.recoding {
            possible = recoding.targets.compactMap { rule.typedValue($0) }
        } else if case let .constant(fixed) = field.location {
            possible = [rule.typedValue(fixed) ?? fixed]
        } else {
            guard rule.format != .text else { return nil }
            if let normal = rule.typedValue(value) {
                return normal == value ? nil : "but conditions are judged on canonical values: write '\(normal)'"
            }
            return "which \(field.name) never holds: it is \(rule.expectation)"
        }
        guard !possible.contains(value) else { return nil }
        return "which \(field.name) never holds once read (conditions are judged on canonical values: one of \(possible.joined(separator: ", ")))"
    }

    /// The name a field goes by in findings: `BirthDate`, `Manifest@parts`, `Status@code`.
    static func label(_ name: String, _ location: FieldLocation, kind: RecordKind?, recordPath: [QualifiedName]) -> String {
        let base: String
        var isAttribute = false
        switch location {
        case let .attribute(attribute):
            base = attribute
            isAttribute = true
        case let .elementText(path): base = path.map(stepLabel).joined(separator: "/")
        case let .elementAttribute(path, attribute): base = path.map(stepLabel).joined(separator: "/") + "@" + attribute
        case .ownText, .inherited, .constant, .template: base = name
        }
        // Parts of a record are reported on their owner, so they carry their element's name.
        guard let kind, kind.reportedKind != kind, let element = recordPath.last?.local else { return base }
        return isAttribute ? "\(element)@\(base)" : "\(element)/\(base)"
    }

    /// A step as a label shows it: `Name`, `Field[@name='EventDate']`.
    private static func stepLabel(_ step: QualifiedName) -> String {
        step.local + (step.test.map { "[@\($0.attribute)='\($0.values.joined(separator: "|"))']" } ?? "")
    }
}
