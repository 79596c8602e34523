import CasebridgeModel
import Foundation

/// Reads a mapping file (YAML, described in `mappings/README.md`) into a checked ``Mapping``.
///
/// Every mistake is reported with the mapping file's line: an unknown record kind or field, a type
/// that cannot hold the canonical field, a path that is not a path, an `inherit` from a record that
/// does not enclose this one.
public enum MappingLoader {
    /// Loads and checks the mapping file at `path`.
    public static func load(path: String) throws -> Mapping {
        try load(ConfigNode.load(path: path))
    }

    /// Checks the mapping held in `text`; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> Mapping {
        try load(ConfigNode.parse(text, file: file))
    }

    static func load(_ root: ConfigNode) throws -> Mapping {
        let top = try ConfigMembers(root, "the mapping")
        try top.refuseUnknown(["format", "description", "defaultNamespace", "namespaces", "root", "envelope", "records", "totals"])
        let format = try top.required("format").string("format")
        var names = NameResolver(defaultNamespace: try top.optional("defaultNamespace")?.string("defaultNamespace") ?? "")
        if let namespaces = top.optional("namespaces") {
            for member in try namespaces.members("namespaces") {
                names.prefixes[member.key] = try member.value.string("namespace URI of '\(member.key)'")
            }
        }
        let rootNode = try top.required("root")
        let rootName = try names.element(try rootNode.string("root"), at: rootNode)

        var envelope: [FieldMapping] = []
        if let envelopeNode = top.optional("envelope") {
            for member in try envelopeNode.members("envelope") {
                guard let canonical = CanonicalSchema.envelopeFields.first(where: { $0.name == member.key }) else {
                    let known = CanonicalSchema.envelopeFields.map(\.name).joined(separator: ", ")
                    throw member.keyNode.error("'\(member.key)' is not an envelope field (expected one of: \(known))")
                }
                envelope.append(try field(member.key, canonical: canonical, node: member.value, kind: nil,
                                          recordPath: [rootName], names: names))
            }
        }

        var records: [RecordMapping] = []
        for item in try top.required("records").items("records") {
            records.append(try record(item, root: rootName, names: names, earlier: records))
        }
        // `inherit` may name a record declared later in the file; check once all are known.
        for record in records {
            for field in record.fields {
                guard case let .inherited(kind, name) = field.location else { continue }
                try checkInheritance(of: field, in: record, from: kind, field: name, records: records, file: root.file)
            }
        }
        let totals = try top.optional("totals").map { try self.totals($0, root: rootName, names: names, records: records) }
        return Mapping(format: format, root: rootName, envelope: envelope, records: records, totals: totals, file: root.file)
    }

    /// `totals: {element: /Root/Totals/Total, kind: "@kind", count: "@count"}`, or one place per kind
    /// relative to the root: `totals: {Person: "@people", Document: "Trailer/@documents"}`.
    private static func totals(_ node: ConfigNode, root: QualifiedName, names: NameResolver,
                               records: [RecordMapping]) throws -> TotalsMapping {
        let members = try ConfigMembers(node, "totals")
        if let elementNode = members.optional("element") {
            try members.refuseUnknown(["element", "kind", "count"])
            let pathText = try elementNode.string("element")
            guard pathText.hasPrefix("/") else {
                throw elementNode.error("element '\(pathText)' must be a path from the root, starting with /")
            }
            let path = try names.elementPath(String(pathText.dropFirst()), at: elementNode)
            guard path.first == root, path.count > 1 else {
                throw elementNode.error("element '\(pathText)' must lie inside the root element \(root)")
            }
            if records.contains(where: { $0.path == path }) {
                throw elementNode.error("element '\(pathText)' is already mapped as a record")
            }
            let location = { (name: String) throws -> FieldLocation in
                let place = try members.required(name)
                return try names.location(try place.string(name), at: place)
            }
            return TotalsMapping(layout: .perElement(path: path, kind: try location("kind"), count: try location("count")),
                                 line: node.line)
        }
        var places: [RecordKind: FieldLocation] = [:]
        for member in try node.members("totals") {
            guard let kind = RecordKind(rawValue: member.key), records.contains(where: { $0.kind == kind }) else {
                let known = Mapping(format: "", root: root, envelope: [], records: records, file: "").kinds.map(\.rawValue)
                throw member.keyNode.error("'\(member.key)' is not a record kind this mapping reads (expected element: PATH with kind and count, "
                    + "or one of: \(known.joined(separator: ", ")))")
            }
            places[kind] = try names.location(try member.value.string("the place of \(member.key)'s total"), at: member.value)
        }
        guard !places.isEmpty else { throw node.error("totals maps nothing: give element, kind and count, or a place per record kind") }
        return TotalsMapping(layout: .perKind(places), line: node.line)
    }

    private static func record(_ node: ConfigNode, root: QualifiedName, names: NameResolver,
                               earlier: [RecordMapping]) throws -> RecordMapping {
        let members = try ConfigMembers(node, "a record")
        try members.refuseUnknown(["kind", "element", "fields", "description"])
        let kindNode = try members.required("kind")
        let kindName = try kindNode.string("kind")
        guard let kind = RecordKind(rawValue: kindName) else {
            let known = RecordKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw kindNode.error("'\(kindName)' is not a record kind (expected one of: \(known))")
        }
        let elementNode = try members.required("element")
        let pathText = try elementNode.string("element")
        guard pathText.hasPrefix("/") else {
            throw elementNode.error("element '\(pathText)' must be a path from the root, starting with /")
        }
        let path = try names.elementPath(String(pathText.dropFirst()), at: elementNode)
        guard path.first == root else {
            throw elementNode.error("element '\(pathText)' does not start at the root element \(root)")
        }
        guard path.count > 1 else { throw elementNode.error("a record cannot be the root element itself") }
        if earlier.contains(where: { $0.kind == kind && $0.path == path }) {
            throw elementNode.error("\(kind.rawValue) is already mapped at \(pathText)")
        }
        var fields: [FieldMapping] = []
        for member in try members.required("fields").members("fields of \(kind.rawValue)") {
            guard let canonical = CanonicalSchema.field(member.key, of: kind) else {
                let known = kind.fields.map(\.name).joined(separator: ", ")
                throw member.keyNode.error("'\(member.key)' is not a field of \(kind.rawValue) (expected one of: \(known))")
            }
            fields.append(try field(member.key, canonical: canonical, node: member.value, kind: kind,
                                    recordPath: path, names: names))
        }
        // A condition may only name a field of the same record.
        for field in fields {
            let other: String
            switch field.requirement {
            case .optional, .always: continue
            case let .whenEquals(name, _): other = name
            case let .whenPresent(name): other = name
            }
            guard fields.contains(where: { $0.name == other }) else {
                throw ConfigError(file: node.file, line: field.line, column: 1,
                                  reason: "'\(field.name)' is required when '\(other)' …, but \(kind.rawValue) maps no field '\(other)'")
            }
        }
        return RecordMapping(kind: kind, path: path, fields: fields, line: node.line)
    }

    private static func field(_ name: String, canonical: CanonicalField, node: ConfigNode, kind: RecordKind?,
                              recordPath: [QualifiedName], names: NameResolver) throws -> FieldMapping {
        // A plain string is a path.
        if node.isScalar {
            if canonical.kind == .date { throw node.error("'\(name)' is a date: say its type, iso-date or uk-date") }
            let location = try names.location(try node.string("the path of '\(name)'"), at: node)
            let format = defaultFormat(for: canonical)
            return FieldMapping(name: name, location: location, format: format,
                                label: label(name, location, kind: kind, recordPath: recordPath), line: node.line)
        }
        let members = try ConfigMembers(node, "field '\(name)'")
        try members.refuseUnknown(["path", "inherit", "value", "type", "codes", "required", "key", "label"])
        let sources = ["path", "inherit", "value"].filter { members.optional($0) != nil }
        guard sources.count == 1 else {
            throw node.error("field '\(name)' needs exactly one of path, inherit or value")
        }
        let location: FieldLocation
        if let pathNode = members.optional("path") {
            location = try names.location(try pathNode.string("path"), at: pathNode)
        } else if let inheritNode = members.optional("inherit") {
            let text = try inheritNode.string("inherit")
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, let owner = RecordKind(rawValue: String(parts[0])), !parts[1].isEmpty else {
                throw inheritNode.error("inherit '\(text)' must be Kind.field, e.g. Person.id")
            }
            location = .inherited(owner, String(parts[1]))
        } else {
            location = .constant(try members.required("value").string("value"))
        }

        var format = defaultFormat(for: canonical)
        if let typeNode = members.optional("type") {
            let typeName = try typeNode.string("type")
            guard let parsed = ValueFormat(rawValue: typeName) else {
                let known = ValueFormat.allCases.map(\.rawValue).joined(separator: ", ")
                throw typeNode.error("'\(typeName)' is not a type (expected one of: \(known))")
            }
            guard parsed.canonicalKind == canonical.kind else {
                throw typeNode.error("'\(name)' holds \(canonical.kind.rawValue) values; type '\(typeName)' cannot feed it")
            }
            format = parsed
        } else if canonical.kind == .date {
            throw node.error("'\(name)' is a date: say its type, iso-date or uk-date")
        }
        let codes = try members.optional("codes")?.strings("codes") ?? []
        if !codes.isEmpty, format != .text {
            throw members.optional("codes")!.error("codes apply to text fields only")
        }
        var requirement = Requirement.optional
        if let requiredNode = members.optional("required") {
            if requiredNode.isScalar {
                requirement = try requiredNode.bool("required") ? .always : .optional
            } else {
                let condition = try ConfigMembers(requiredNode, "the condition of '\(name)'")
                try condition.refuseUnknown(["when", "equals", "present"])
                let other = try condition.required("when").string("when")
                if let equals = condition.optional("equals") {
                    let values = equals.isScalar ? [try equals.string("equals")] : try equals.strings("equals")
                    requirement = .whenEquals(field: other, values: values)
                } else if let present = condition.optional("present"), try present.bool("present") {
                    requirement = .whenPresent(field: other)
                } else {
                    throw requiredNode.error("a condition needs 'equals: VALUE' or 'present: true'")
                }
            }
        }
        let isKey = try members.optional("key")?.bool("key") ?? false
        let label = try members.optional("label")?.string("label")
            ?? Self.label(name, location, kind: kind, recordPath: recordPath)
        return FieldMapping(name: name, location: location, format: format, codes: codes,
                            requirement: requirement, isKey: isKey, label: label, line: node.line)
    }

    private static func defaultFormat(for canonical: CanonicalField) -> ValueFormat {
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

    /// The name a field goes by in findings: `BirthDate`, `Manifest@parts`, `Status@code`.
    static func label(_ name: String, _ location: FieldLocation, kind: RecordKind?, recordPath: [QualifiedName]) -> String {
        let base: String
        var isAttribute = false
        switch location {
        case let .attribute(attribute):
            base = attribute
            isAttribute = true
        case let .elementText(path): base = path.map(\.local).joined(separator: "/")
        case let .elementAttribute(path, attribute): base = path.map(\.local).joined(separator: "/") + "@" + attribute
        case .ownText, .inherited, .constant: base = name
        }
        // Parts of a record are reported on their owner, so they carry their element's name.
        guard let kind, kind.reportedKind != kind, let element = recordPath.last?.local else { return base }
        return isAttribute ? "\(element)@\(base)" : "\(element)/\(base)"
    }

    private static func checkInheritance(of field: FieldMapping, in record: RecordMapping, from owner: RecordKind,
                                         field ownerField: String, records: [RecordMapping], file: String) throws {
        let fail = { (reason: String) in ConfigError(file: file, line: field.line, column: 1, reason: reason) }
        let enclosing = records.filter {
            $0.kind == owner && $0.path.count < record.path.count && Array(record.path.prefix($0.path.count)) == $0.path
        }
        guard !enclosing.isEmpty else {
            throw fail("'\(field.name)' inherits from \(owner.rawValue), but no \(owner.rawValue) record encloses \(record.kind.rawValue)")
        }
        for candidate in enclosing where candidate.field(ownerField) == nil {
            throw fail("'\(field.name)' inherits \(owner.rawValue).\(ownerField), which that record does not map")
        }
    }
}

/// Turns prefixed names of a mapping file into namespace URIs.
struct NameResolver {
    var defaultNamespace: String
    var prefixes: [String: String] = [:]

    init(defaultNamespace: String) {
        self.defaultNamespace = defaultNamespace
    }

    func element(_ text: String, at node: ConfigNode) throws -> QualifiedName {
        guard !text.isEmpty, !text.contains("@"), text != ".", text != ".." else {
            throw node.error("'\(text)' is not an element name")
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return QualifiedName(namespace: defaultNamespace, local: text)
        case 2:
            guard let uri = prefixes[String(parts[0])] else {
                throw node.error("prefix '\(parts[0])' is not declared under namespaces")
            }
            return QualifiedName(namespace: uri, local: String(parts[1]))
        default: throw node.error("'\(text)' is not an element name")
        }
    }

    func elementPath(_ text: String, at node: ConfigNode) throws -> [QualifiedName] {
        try text.split(separator: "/", omittingEmptySubsequences: false).map { try element(String($0), at: node) }
    }

    /// `@attr`, `.`, `A/B`, `A/B/@attr`.
    func location(_ text: String, at node: ConfigNode) throws -> FieldLocation {
        if text == "." { return .ownText }
        if text.hasPrefix("/") || text.contains("..") {
            throw node.error("path '\(text)' must stay inside the record: no leading / and no ..")
        }
        var segments = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var attribute: String?
        if let last = segments.last, last.hasPrefix("@") {
            let name = String(last.dropFirst())
            guard !name.isEmpty, !name.contains(":") else {
                throw node.error("'\(last)' is not an attribute this format can read (no namespaced attributes)")
            }
            attribute = name
            segments.removeLast()
        }
        let path = try segments.map { try element($0, at: node) }
        switch (path.isEmpty, attribute) {
        case (true, let attribute?): return .attribute(attribute)
        case (false, let attribute?): return .elementAttribute(path, attribute)
        case (false, nil): return .elementText(path)
        case (true, nil): throw node.error("path '\(text)' is empty")
        }
    }
}
