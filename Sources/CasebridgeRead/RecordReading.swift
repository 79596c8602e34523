import CasebridgeModel

/// How one record mapping reads its raw values: each by its field's rule (map, type, codes, range),
/// then the requirements judged on the canonical values.
///
/// It holds no state of a read, so a record's raw values can be read on another thread than the
/// parser's (``PendingRecord``): the parser collects, the storing thread reads.
struct RecordReading: Sendable {
    /// The mapped fields, in mapping order.
    let fields: [RecordBuilder.Field]
    /// For each mapped field, its index among the kind's canonical fields (envelope: among envelope fields).
    let canonicalIndex: [Int]
    let canonicalCount: Int

    /// The canonical values, the raw values that failed (both in canonical order) and the failures.
    /// A failure quotes the raw value only for a code or a recoded value, and then at most 40
    /// characters of it.
    func read(_ raws: [String?]) -> (values: [String?], bad: [String?], invalid: [InvalidValue]) {
        var values = [String?](repeating: nil, count: canonicalCount)
        var bad = values
        // The failed readings by mapped field, made only for a record that has one (most have none).
        var failures: [ValueRule.Reading?] = []
        for index in fields.indices where !fields[index].isContent {
            guard let raw = raws[index] else { continue }
            let reading = fields[index].rule.read(raw)
            if case let .valid(value) = reading {
                values[canonicalIndex[index]] = value
            } else {
                bad[canonicalIndex[index]] = raw
                if failures.isEmpty { failures = Array(repeating: nil, count: fields.count) }
                failures[index] = reading
            }
        }
        var invalid: [InvalidValue] = []
        for index in fields.indices where !fields[index].isContent {
            let field = fields[index]
            if let raw = raws[index] {
                guard !failures.isEmpty, case let .invalid(reason, quotes)? = failures[index] else { continue }
                invalid.append(InvalidValue(field: field.name, label: field.label, raw: quotes ? ValueRule.quoted(raw) : nil,
                                            reason: reason, isKey: field.isKey))
            } else if isRequired(field, raws: raws, values: values) {
                invalid.append(InvalidValue(field: field.name, label: field.label, raw: nil,
                                            reason: "is required but missing", isKey: field.isKey))
            }
        }
        return (values, bad, invalid)
    }

    /// The canonical value of field `index` alone (what ``read(_:)`` gives it), `nil` when absent or invalid.
    func canonical(_ index: Int, in raws: [String?]) -> String? {
        guard let raw = raws[index], case let .valid(value) = fields[index].rule.read(raw) else { return nil }
        return value
    }

    /// Whether a missing value is a finding: conditions are judged on the named field's canonical
    /// value (`equals`) or on its presence, valid or not (`present`).
    /// `values` are the canonical values in canonical order (a mapping names each field once).
    private func isRequired(_ field: RecordBuilder.Field, raws: [String?], values: [String?]) -> Bool {
        switch field.requirement {
        case .optional: return false
        case .always: return true
        case let .whenEquals(other, accepted): return values[canonicalIndex[other]].map(accepted.contains) ?? false
        case let .whenPresent(other): return raws[other] != nil
        }
    }
}

/// A record as the parser emits it to a sink that stores on a thread of its own: everything but its
/// raw values' reading, which ``finish()`` does where it is called.
public struct PendingRecord: Sendable {
    /// The record; its values once ``finish()`` has read them.
    public internal(set) var record: ReadRecord
    let raws: [String?]
    let reading: RecordReading?

    /// A record already read.
    public init(_ record: ReadRecord) {
        self.record = record
        raws = []
        reading = nil
    }

    init(record: ReadRecord, raws: [String?], reading: RecordReading) {
        self.record = record
        self.raws = raws
        self.reading = reading
    }

    /// Reads the record's values (valid, bad and invalid) into ``record``, in place: a record moves from
    /// the parser to the store without a copy, each of which retains and releases every value it holds.
    public mutating func finish() {
        guard let reading else { return }
        (record.values, record.badValues, record.invalid) = reading.read(raws)
    }
}
