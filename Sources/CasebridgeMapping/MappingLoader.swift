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
                envelope.append(try FieldLoader.field(member.key, canonical: canonical, node: member.value, kind: nil,
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
        let mapping = Mapping(format: format, root: rootName, envelope: envelope, records: records, totals: totals, file: root.file)
        try StepConflicts.check(mapping)
        return mapping
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
        try members.refuseUnknown(["kind", "element", "where", "fields", "description"])
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
        var path = try names.elementPath(String(pathText.dropFirst()), at: elementNode)
        guard path.first == root else {
            throw elementNode.error("element '\(pathText)' does not start at the root element \(root)")
        }
        guard path.count > 1 else { throw elementNode.error("a record cannot be the root element itself") }
        if let whereNode = members.optional("where") {
            guard path[path.count - 1].test == nil else {
                throw whereNode.error("element '\(pathText)' already tests an attribute: give the test once")
            }
            path[path.count - 1].test = try condition(whereNode)
        }
        if earlier.contains(where: { $0.kind == kind && $0.path == path }) {
            throw elementNode.error("\(kind.rawValue) is already mapped at \(pathText)")
        }
        var fields: [FieldMapping] = []
        for member in try members.required("fields").members("fields of \(kind.rawValue)") {
            guard let canonical = CanonicalSchema.field(member.key, of: kind) else {
                let known = kind.fields.map(\.name).joined(separator: ", ")
                throw member.keyNode.error("'\(member.key)' is not a field of \(kind.rawValue) (expected one of: \(known))")
            }
            fields.append(try FieldLoader.field(member.key, canonical: canonical, node: member.value, kind: kind,
                                                recordPath: path, names: names))
        }
        try FieldLoader.checkConditions(of: fields, kind: kind, file: node.file)
        return RecordMapping(kind: kind, path: path, fields: fields, line: node.line)
    }

    /// `where: {"@class": Document}` (or a list of values): the record element's attribute test.
    private static func condition(_ node: ConfigNode) throws -> AttributeTest {
        let members = try node.members("where")
        guard members.count == 1, let member = members.first, member.key.hasPrefix("@"), member.key.count > 1,
              !member.key.contains(":") else {
            throw node.error("where tests one attribute of the record's element: where: {\"@class\": Document}")
        }
        let values = member.value.isScalar ? [try member.value.string("where")] : try member.value.strings("where")
        guard !values.isEmpty else { throw member.value.error("where lists no value") }
        return AttributeTest(attribute: String(member.key.dropFirst()), values: values)
    }

    private static func checkInheritance(of field: FieldMapping, in record: RecordMapping, from owner: RecordKind,
                                         field ownerField: String, records: [RecordMapping], file: String) throws {
        let fail = { (reason: String) in ConfigError(file: file, line: field.line, column: 1, reason: reason) }
        let enclosing = records.filter {
            $0.kind == owner && $0.path.count < record.path.count && Array(record.path.prefix($0.path.count)) == $0.path
        }
        guard !enclosing.isEmpty else {
            // A record chosen by an attribute test encloses only paths that repeat the test.
            let untested = records.first {
                $0.kind == owner && $0.path.count < record.path.count && $0.path.last?.test != nil
                    && Array(record.path.prefix($0.path.count)).map(\.name) == $0.path.map(\.name)
            }
            let hint = untested.map { " (its element ends in \($0.path.last!.local)\($0.path.last!.test!): write that step in this path too)" } ?? ""
            throw fail("'\(field.name)' inherits from \(owner.rawValue), but no \(owner.rawValue) record encloses \(record.kind.rawValue)\(hint)")
        }
        for candidate in enclosing where candidate.field(ownerField) == nil {
            throw fail("'\(field.name)' inherits \(owner.rawValue).\(ownerField), which that record does not map")
        }
    }
}
