/// Turns the paths of a mapping file into namespace-qualified steps: prefixed names into namespace
/// URIs, `Field[@name='EventDate']` into a step with an attribute test, `{@prefix}-{@number}` into a
/// template.
struct NameResolver {
    var defaultNamespace: String
    var prefixes: [String: String] = [:]

    init(defaultNamespace: String) {
        self.defaultNamespace = defaultNamespace
    }

    /// One step: `Name`, `x:Name`, `Name[@attribute='value']`.
    func element(_ text: String, at node: ConfigNode) throws -> QualifiedName {
        var nameText = Substring(text)
        var test: AttributeTest?
        if let open = text.firstIndex(of: "[") {
            nameText = text[..<open]
            test = try attributeTest(text[open...], step: text, at: node)
        }
        guard !nameText.isEmpty, !nameText.contains("@"), !nameText.contains("]"), nameText != ".", nameText != ".." else {
            throw node.error("'\(text)' is not an element name")
        }
        let parts = nameText.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return QualifiedName(namespace: defaultNamespace, local: String(nameText), test: test)
        case 2:
            guard let uri = prefixes[String(parts[0])] else {
                throw node.error("prefix '\(parts[0])' is not declared under namespaces")
            }
            return QualifiedName(namespace: uri, local: String(parts[1]), test: test)
        default: throw node.error("'\(text)' is not an element name")
        }
    }

    /// `[@attribute='value']` (or with double quotes): one attribute, one value.
    private func attributeTest(_ text: Substring, step: String, at node: ConfigNode) throws -> AttributeTest {
        let fail = node.error("'\(step)' is not a step with an attribute test: write Name[@attribute='value']")
        guard text.hasPrefix("[@"), text.hasSuffix("]") else { throw fail }
        let inner = text.dropFirst(2).dropLast()
        guard let equals = inner.firstIndex(of: "=") else { throw fail }
        let attribute = String(inner[..<equals])
        var quoted = inner[inner.index(after: equals)...]
        guard let quote = quoted.first, quote == "'" || quote == "\"", quoted.count >= 2, quoted.last == quote else { throw fail }
        quoted = quoted.dropFirst().dropLast()
        guard !attribute.isEmpty, !attribute.contains(":"), !attribute.contains(" "), !quoted.contains(quote) else { throw fail }
        return AttributeTest(attribute: attribute, values: [String(quoted)])
    }

    /// `A/B[@x='1']/C`: steps separated by `/`, a `/` inside a quoted test value not counting.
    func elementPath(_ text: String, at node: ConfigNode) throws -> [QualifiedName] {
        try Self.steps(text).map { try element($0, at: node) }
    }

    /// Splits a path at the slashes that are not inside `[…]`.
    static func steps(_ text: String) -> [String] {
        var steps: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            if character == "[" { depth += 1 }
            if character == "]" { depth = max(0, depth - 1) }
            if character == "/", depth == 0 {
                steps.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        steps.append(current)
        return steps
    }

    /// `@attr`, `.`, `A/B`, `A/B/@attr`, `Field[@name='EventDate']/@value`.
    func location(_ text: String, at node: ConfigNode) throws -> FieldLocation {
        if text == "." { return .ownText }
        var segments = Self.steps(text)
        if text.hasPrefix("/") || segments.contains("..") {
            throw node.error("path '\(text)' must stay inside the record: no leading / and no ..")
        }
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

    /// `{@prefix}-{@number}`: literal text and places relative to the record; `{{` and `}}` are
    /// literal braces.
    func template(_ text: String, at node: ConfigNode) throws -> [TemplatePiece] {
        var pieces: [TemplatePiece] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "{", next < text.endIndex, text[next] == "{" {
                literal.append("{")
                index = text.index(after: next)
            } else if character == "}", next < text.endIndex, text[next] == "}" {
                literal.append("}")
                index = text.index(after: next)
            } else if character == "{" {
                guard let close = text[next...].firstIndex(of: "}") else {
                    throw node.error("template '\(text)': a { is not closed")
                }
                if !literal.isEmpty { pieces.append(.literal(literal)) }
                literal = ""
                pieces.append(.place(try location(String(text[next..<close]), at: node)))
                index = text.index(after: close)
            } else if character == "}" {
                throw node.error("template '\(text)': a } closes no { (write }} for a literal brace)")
            } else {
                literal.append(character)
                index = next
            }
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        guard pieces.contains(where: { if case .place = $0 { return true } else { return false } }) else {
            throw node.error("template '\(text)' names no place: write {@attribute} or {Element} for each part")
        }
        return pieces
    }
}
