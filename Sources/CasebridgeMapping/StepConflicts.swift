/// Refuses a mapping in which one element could match two steps of different attribute tests.
///
/// A streaming read decides which step an element is as its start tag is read, once: so beside a
/// step `Item[@class='Document']` there may be `Item[@class='Plan']` (one attribute, other values), but
/// not a plain `Item`, nor `Item[@kind='x']`, since one `<Item>` could then be both.
package enum StepConflicts {
    /// One absolute path the mapping reads, and the mapping line that names it.
    package struct Use {
        package let path: [QualifiedName]
        package let line: Int
    }

    /// Throws a ``ConfigError`` at the later of two steps that one element could match.
    static func check(_ mapping: Mapping) throws {
        var seen: [[QualifiedName]: [(step: QualifiedName, line: Int)]] = [:]
        for use in uses(of: mapping) {
            for depth in 1..<max(1, use.path.count) {
                let parent = use.path.prefix(depth).map { $0 }
                let step = use.path[depth]
                var siblings = seen[parent] ?? []
                for sibling in siblings where sibling.step.name == step.name && sibling.step.test != step.test {
                    if let reason = conflict(sibling.step, step) {
                        throw ConfigError(file: mapping.file, line: max(use.line, sibling.line), column: 1, reason: reason)
                    }
                }
                if !siblings.contains(where: { $0.step == step }) {
                    siblings.append((step, use.line))
                    seen[parent] = siblings
                }
            }
        }
    }

    private static func conflict(_ a: QualifiedName, _ b: QualifiedName) -> String? {
        let described = "\(a.local)\(a.test?.description ?? "") and \(b.local)\(b.test?.description ?? "")"
        guard let first = a.test, let second = b.test else {
            return "\(described) could both be one element: a step with an attribute test cannot stand beside the same step without one"
        }
        if first.attribute != second.attribute {
            return "\(described) could both be one element: steps of one name may test one attribute only"
        }
        if !Set(first.values).isDisjoint(with: second.values) {
            return "\(described) share a value: an element could match both"
        }
        return nil
    }

    /// Every absolute path the mapping reads: record elements, the places of their fields, the envelope's
    /// and the totals'.
    package static func uses(of mapping: Mapping) -> [Use] {
        var uses: [Use] = []
        func add(_ base: [QualifiedName], _ location: FieldLocation, line: Int) {
            switch location {
            case let .elementText(path), let .elementAttribute(path, _): uses.append(Use(path: base + path, line: line))
            case let .template(pieces):
                for case let .place(place) in pieces { add(base, place, line: line) }
            default: break
            }
        }
        for field in mapping.envelope { add([mapping.root], field.location, line: field.line) }
        for record in mapping.records {
            uses.append(Use(path: record.path, line: record.line))
            for field in record.fields { add(record.path, field.location, line: field.line) }
        }
        if let totals = mapping.totals {
            switch totals.layout {
            case let .perElement(path, kind, count):
                uses.append(Use(path: path, line: totals.line))
                add(path, kind, line: totals.line)
                add(path, count, line: totals.line)
            case let .perKind(places):
                for place in places.values { add([mapping.root], place, line: totals.line) }
            }
        }
        return uses
    }
}
