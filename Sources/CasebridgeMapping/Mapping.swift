import CasebridgeModel

/// An XML name matched by namespace URI and local name, whatever prefix a file uses; as a step of a
/// path it may also test an attribute of the element (`Field[@name='EventDate']`).
public struct QualifiedName: Hashable, Sendable, CustomStringConvertible {
    /// The namespace URI, or `""` for no namespace.
    public var namespace: String
    public var local: String
    /// For a step of a path: the attribute the element must carry, with one of the values listed.
    public var test: AttributeTest?

    /// The name `local` in `namespace` (`""` for none), testing an attribute when `test` is given.
    public init(namespace: String, local: String, test: AttributeTest? = nil) {
        self.namespace = namespace
        self.local = local
        self.test = test
    }

    public var description: String {
        (namespace.isEmpty ? local : "{\(namespace)}\(local)") + (test.map(\.description) ?? "")
    }

    /// The name without its attribute test.
    public var name: QualifiedName { QualifiedName(namespace: namespace, local: local) }
}

/// A step's test of one attribute of the element (no namespace), evaluated as the element starts:
/// `[@class='Document']`. The attribute's value, trimmed, must equal one of `values`.
public struct AttributeTest: Hashable, Sendable, CustomStringConvertible {
    public var attribute: String
    public var values: [String]

    /// A test that `attribute` holds one of `values`.
    public init(attribute: String, values: [String]) {
        self.attribute = attribute
        self.values = values
    }

    public var description: String {
        "[" + values.map { "@\(attribute)='\($0)'" }.joined(separator: " or ") + "]"
    }
}

/// One piece of a `template`: literal text, or the value at a place relative to the record.
public enum TemplatePiece: Hashable, Sendable {
    case literal(String)
    /// An attribute, element text or descendant attribute (never an inherited or fixed value).
    case place(FieldLocation)
}

/// Where a field's value lives, relative to its record's element.
public enum FieldLocation: Hashable, Sendable {
    /// An attribute of the record's element: `@id`.
    case attribute(String)
    /// The text of a descendant element: `Name`, `Manifest/Total`.
    case elementText([QualifiedName])
    /// An attribute of a descendant element: `Manifest/@parts`.
    case elementAttribute([QualifiedName], String)
    /// The record element's own text: `.`.
    case ownText
    /// A field of the enclosing record of another kind: `inherit: Person.id` for a nested export.
    case inherited(RecordKind, String)
    /// A fixed value, for formats that leave a field implicit: `value: child`.
    case constant(String)
    /// A value built from several places: `template: "{@prefix}-{@number}"`. It is absent when any
    /// place it names is absent.
    case template([TemplatePiece])
}

/// When a missing value is a finding.
public enum Requirement: Hashable, Sendable {
    case optional
    case always
    /// Required when another field of the record holds one of these values (`BirthDate` when `kind` is child).
    case whenEquals(field: String, values: [String])
    /// Required when another field of the record is present (`Manifest@parts` when `uploadedAt` is).
    case whenPresent(field: String)
}

/// One canonical field of a record, as a mapping locates and types it.
public struct FieldMapping: Hashable, Sendable {
    /// The canonical field name (`birthDate`).
    public var name: String
    public var location: FieldLocation
    /// How the raw value becomes the canonical one: map, type, pattern, zone, range and codes.
    public var rule: ValueRule
    public var requirement: Requirement
    /// Whether a failing value quarantines the record.
    public var isKey: Bool
    /// The field's name in findings (`BirthDate`, `Status@code`).
    public var label: String
    /// The mapping file line that defines the field.
    public var line: Int

    public init(
        name: String, location: FieldLocation, format: ValueFormat = .text, codes: [String] = [],
        requirement: Requirement = .optional, isKey: Bool = false, label: String, line: Int = 0
    ) {
        self.name = name
        self.location = location
        rule = ValueRule(format: format, codes: codes)
        self.requirement = requirement
        self.isKey = isKey
        self.label = label
        self.line = line
    }

    /// The value's type.
    public var format: ValueFormat {
        get { rule.format }
        set { rule.format = newValue }
    }

    /// Allowed canonical values, case-sensitive; empty for any.
    public var codes: [String] {
        get { rule.codes }
        set { rule.codes = newValue }
    }

    /// Whether a finding may quote the field's raw value: it holds codes or recodes values.
    public var quotesRawValues: Bool { !rule.codes.isEmpty || rule.recoding != nil }
}

/// Which elements are records of one canonical kind, and where their fields live.
public struct RecordMapping: Hashable, Sendable {
    public var kind: RecordKind
    /// The element's path from the document root; its last step may test an attribute (`where`).
    public var path: [QualifiedName]
    public var fields: [FieldMapping]
    public var line: Int

    public init(kind: RecordKind, path: [QualifiedName], fields: [FieldMapping], line: Int = 0) {
        self.kind = kind
        self.path = path
        self.fields = fields
        self.line = line
    }

    /// The mapping of canonical field `name`, if the format carries it.
    public func field(_ name: String) -> FieldMapping? { fields.first { $0.name == name } }
}

/// Where an export declares how many records of each kind it holds: its control totals. A read whose
/// records differ from the declared counts is refused, so an export cut short is never taken as whole.
public struct TotalsMapping: Hashable, Sendable {
    /// How the counts are laid out.
    public enum Layout: Hashable, Sendable {
        /// One element per kind, naming the kind and its count (`<Total kind="Person" count="857"/>`);
        /// `kind` and `count` are located relative to that element.
        case perElement(path: [QualifiedName], kind: FieldLocation, count: FieldLocation)
        /// A place of its own per kind, relative to the root element (`Person: "@people"`).
        case perKind([RecordKind: FieldLocation])
    }

    public var layout: Layout
    /// The mapping file line of `totals:`.
    public var line: Int

    public init(layout: Layout, line: Int) {
        self.layout = layout
        self.line = line
    }
}

/// A whole mapping file: how one legacy export format becomes canonical records.
public struct Mapping: Hashable, Sendable {
    /// The format's name, for messages and run records.
    public var format: String
    /// The root element of an export.
    public var root: QualifiedName
    /// Envelope fields, located relative to the root element.
    public var envelope: [FieldMapping]
    public var records: [RecordMapping]
    /// Where the export declares its own record counts, when the format has them.
    public var totals: TotalsMapping?
    /// The file it was read from.
    public var file: String

    public init(format: String, root: QualifiedName, envelope: [FieldMapping], records: [RecordMapping],
                totals: TotalsMapping? = nil, file: String) {
        self.format = format
        self.root = root
        self.envelope = envelope
        self.records = records
        self.totals = totals
        self.file = file
    }

    /// The record kinds this mapping reads, each once, in canonical order.
    public var kinds: [RecordKind] {
        let present = Set(records.map(\.kind))
        return RecordKind.allCases.filter { present.contains($0) }
    }
}
