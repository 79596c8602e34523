import CasebridgeMapping
import CasebridgeModel

/// One count an export declares for itself (the mapping's `totals`), as read: the kind it counts and
/// the count, raw, and the line that declares it.
public struct DeclaredTotal: Sendable, Equatable {
    public var kind: String?
    public var count: String?
    public var line: Int

    public init(kind: String?, count: String?, line: Int) {
        self.kind = kind
        self.count = count
        self.line = line
    }
}

/// Control totals: the counts an export declares for itself, held against the records read.
///
/// A legacy export job cut short can still close its tags and look whole; its own trailer of counts
/// tells. Every declared count must name a kind the mapping reads, be a whole number, and equal the
/// records of that kind read (quarantined ones included); kinds it does not declare are not checked.
enum ControlTotals {
    /// Throws a ``ReadError`` (at the line of the first count that fails) unless every declared count
    /// holds; returns the counts declared, by kind.
    ///
    /// When a kind read no record at all and the mapping's element for it matched nothing
    /// (`coverage`), the mapping is named as the likely cause rather than the export.
    @discardableResult
    static func verify(_ declared: [DeclaredTotal], read counts: [RecordKind: Int], mapping: Mapping,
                       file: String, coverage: MappingCoverage? = nil) throws -> [RecordKind: Int] {
        var expected: [RecordKind: (count: Int, line: Int)] = [:]
        for total in declared {
            let fail = { (reason: String) in ReadError(file: file, line: total.line, column: 0, reason: reason) }
            guard let name = total.kind, let kind = RecordKind(rawValue: name), mapping.kinds.contains(kind) else {
                let known = mapping.kinds.map(\.rawValue).joined(separator: ", ")
                // Described, never quoted: what the export holds never reaches stderr.
                throw fail("the export's totals count \(total.kind.map { "a kind (\(ValueShape.of($0).phrase))" } ?? "a kind it does not name"), "
                    + "which is not a record kind this mapping reads (\(known))")
            }
            guard let text = total.count, let normal = ValueFormat.integer.normalise(text), let count = Int(normal) else {
                throw fail("the export's totals give \(total.count.map { ValueShape.of($0).phrase } ?? "no count") for \(name): not a whole number")
            }
            if let earlier = expected[kind], earlier.count != count {
                throw fail("the export's totals give two counts for \(name): \(earlier.count.grouped) and \(count.grouped)")
            }
            expected[kind] = (count, total.line)
        }
        let differing = expected.filter { counts[$0.key, default: 0] != $0.value.count }.sorted { $0.key < $1.key }
        guard let first = differing.first else { return expected.mapValues(\.count) }
        let unmatched = differing.compactMap { kind, total in
            coverage?.elements.first { $0.isRecord && $0.kind == kind && $0.matched == 0 && counts[kind, default: 0] == 0 }
                .map { (kind, total, $0) }
        }
        if let (kind, total, element) = unmatched.first {
            throw ReadError(file: file, line: total.line, column: 0, reason:
                "the export declares \(total.count.grouped) \(kind.rawValue) records but none was read: the mapping's element "
                + "\(element.path) (\(mapping.file):\(element.line)) matched nothing, so the mapping is likely wrong, not the export; "
                + "nothing was checked or loaded")
        }
        let described = differing.map { kind, total in
            "\(total.count.grouped) \(kind.rawValue) records but \(counts[kind, default: 0].grouped) were read"
        }
        throw ReadError(file: file, line: differing.map(\.value.line).min() ?? first.value.line, column: 0, reason:
            "the export declares \(described.joined(separator: "; ")): it is incomplete (cut short, or written in part); "
            + "nothing was checked or loaded: ask the legacy system for the export again")
    }
}
