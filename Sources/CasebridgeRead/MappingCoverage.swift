import CasebridgeMapping
import CasebridgeModel

/// How much of an export a mapping read: per mapped element path, how many elements matched, and per
/// mapped field, in how many records it had a value.
///
/// A mapping with a misspelt path reads nothing from it and says nothing: coverage turns that silence
/// into warnings with the mapping file's line (``warnings``): an element path that matched nothing
/// while its parent element occurs (`/CaseExport/Visits/Vist` reads no visit), and a required or key
/// field that was empty in every record. `check --strict-mapping` makes them errors.
public struct MappingCoverage: Sendable {
    /// One mapped element path: a record's element, or the element a field reads.
    public struct Element: Sendable, Equatable {
        /// The path from the root, as the mapping spells it (`/CaseExport/People/Person`).
        public var path: String
        /// The record kind whose element this is, or that reads a field from it.
        public var kind: RecordKind?
        /// Whether this is a record's own element (else an element a field reads).
        public var isRecord: Bool
        /// The mapping line that names it.
        public var line: Int
        /// Elements that matched the path.
        public var matched: Int
        /// Elements that matched its parent's path (the root's for a top-level path).
        public var parentMatched: Int
    }

    /// One mapped field of one record mapping.
    public struct Field: Sendable, Equatable {
        public var kind: RecordKind
        public var name: String
        public var line: Int
        /// Records read by the field's record mapping.
        public var records: Int
        /// Records in which the field had a value (valid or not).
        public var present: Int
        /// Whether the field is always required or a key.
        public var isRequiredOrKey: Bool
    }

    public var elements: [Element] = []
    public var fields: [Field] = []
    /// The mapping file, for warnings.
    public var file = ""

    /// Coverage of nothing read yet.
    public init() {}

    /// Records read per record mapping line, zeros included: what a reconciliation reports as "read 0".
    public var recordsByKind: [RecordKind: Int] {
        var counts: [RecordKind: Int] = [:]
        for element in elements where element.isRecord {
            if let kind = element.kind { counts[kind, default: 0] += element.matched }
        }
        return counts
    }

    /// The mapping's warnings: `file:line: what`, one line each, no value of the export in them.
    public var warnings: [String] {
        var out: [String] = []
        for element in elements where element.matched == 0 && element.parentMatched > 0 {
            let parent = element.path.split(separator: "/").dropLast().joined(separator: "/")
            let times = element.parentMatched == 1 ? "once" : "\(element.parentMatched.grouped) times"
            let consequence = element.isRecord ? "no \(element.kind?.rawValue ?? "record") was read from it"
                : "\(element.kind.map { "no \($0.rawValue) " } ?? "nothing ")got a value from it"
            out.append("\(file):\(element.line): \(element.path) matched no element, though /\(parent) occurs \(times): \(consequence)")
        }
        for field in fields where field.isRequiredOrKey && field.records > 0 && field.present == 0 {
            out.append("\(file):\(field.line): \(field.kind.rawValue).\(field.name) is required but was empty in all "
                + "\(field.records.grouped) \(field.kind.rawValue) record\(field.records == 1 ? "" : "s"): does its path name the right place?")
        }
        return out
    }
}

extension MappingCoverage {
    /// Coverage of a finished read.
    init(mapping: Mapping, plan: ReadPlan, nodeHits: [Int], fields counts: [(emitted: Int, present: [Int])]) {
        file = mapping.file
        var seen = Set<[QualifiedName]>()
        func note(_ path: [QualifiedName], kind: RecordKind?, isRecord: Bool, line: Int) {
            guard path.count > 1, seen.insert(path).inserted, let node = plan.existingNode(for: path),
                  let parent = plan.existingNode(for: Array(path.dropLast())) else { return }
            elements.append(Element(path: "/" + path.map(Self.spelled).joined(separator: "/"), kind: kind, isRecord: isRecord,
                                    line: line, matched: nodeHits[node], parentMatched: nodeHits[parent]))
        }
        for use in StepConflicts.uses(of: mapping) {
            let record = mapping.records.first { $0.path == use.path && $0.line == use.line }
            let owner = record ?? mapping.records.first { use.path.starts(with: $0.path) && $0.fields.contains { $0.line == use.line } }
            note(use.path, kind: owner?.kind, isRecord: record != nil, line: use.line)
        }
        for (index, record) in mapping.records.enumerated() {
            let (emitted, present) = counts[index + 1]
            for (fieldIndex, field) in record.fields.enumerated() {
                if case .constant = field.location { continue }
                fields.append(Field(kind: record.kind, name: field.name, line: field.line, records: emitted,
                                    present: present[fieldIndex], isRequiredOrKey: field.isKey || field.requirement == .always))
            }
        }
    }

    /// A step as the mapping spells it: `Person`, `Item[@class='Document']`.
    static func spelled(_ step: QualifiedName) -> String {
        step.local + (step.test.map { "[@\($0.attribute)='\($0.values.joined(separator: "|"))']" } ?? "")
    }
}

/// A mapping that read less than it should, where its coverage warnings are errors (`--strict-mapping`):
/// nothing is judged or loaded.
public struct MappingCoverageError: ExitStatusError, Sendable {
    /// The coverage warnings, `file:line: what`.
    public var warnings: [String]

    public init(warnings: [String]) {
        self.warnings = warnings
    }

    public var exitStatus: ExitStatus { .usage }

    public var description: String {
        "mapping error (--strict-mapping): " + warnings.joined(separator: "; ") + "; nothing was checked or loaded"
    }
}
