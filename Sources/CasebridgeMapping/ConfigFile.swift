import CasebridgeModel
import Foundation
import Yams

/// A mistake in a mapping or policy file, with the file, line and column it sits on.
public struct ConfigError: ExitStatusError, Sendable, Equatable {
    public var exitStatus: ExitStatus { .usage }

    public var file: String
    public var line: Int
    public var column: Int
    public var reason: String

    public init(file: String, line: Int, column: Int, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// `file:line:column: reason`, the shape editors and terminals recognise.
    public var description: String { "\(file):\(line):\(column): \(reason)" }
}

/// A node of a YAML configuration file that knows where it stands, so every complaint names a line.
///
/// Mapping and policy files are read through this, never through `Decodable`, because a council's
/// data team needs to be told *which line* of their file is wrong.
public struct ConfigNode {
    let node: Node
    /// The file the node came from, for messages.
    public let file: String

    /// Parses `text` (the contents of `file`) and returns its root node.
    public static func parse(_ text: String, file: String) throws -> ConfigNode {
        do {
            guard let root = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, line: 1, column: 1, reason: "the file is empty")
            }
            return ConfigNode(node: root, file: file)
        } catch let error as YamlError {
            throw ConfigError.fromYams(error, file: file)
        }
    }

    /// Reads and parses the file at `path`.
    public static func load(path: String) throws -> ConfigNode {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, line: 0, column: 0, reason: "cannot be read (\(error.localizedDescription))")
        }
        return try parse(text, file: path)
    }

    /// The 1-based line of this node.
    public var line: Int { node.mark?.line ?? 0 }
    public var column: Int { node.mark?.column ?? 0 }

    /// An error located at this node.
    public func error(_ reason: String) -> ConfigError {
        ConfigError(file: file, line: line, column: column, reason: reason)
    }

    /// The scalar text of this node, or an error naming what was expected.
    public func string(_ what: String) throws -> String {
        guard case let .scalar(scalar) = node else { throw error("\(what) must be a single value") }
        return scalar.string
    }

    /// A whole number.
    public func int(_ what: String) throws -> Int {
        let text = try string(what)
        guard let value = Int(text) else { throw error("\(what) must be a whole number, not '\(text)'") }
        return value
    }

    /// A number, whole or with a fraction (`0.02`), or a percentage (`2%`).
    public func double(_ what: String) throws -> Double {
        let text = try string(what)
        let percent = text.hasSuffix("%")
        guard let value = Double(percent ? String(text.dropLast()) : text), value.isFinite else {
            throw error("\(what) must be a number, not '\(text)'")
        }
        return percent ? value / 100 : value
    }

    /// `true` or `false`.
    public func bool(_ what: String) throws -> Bool {
        switch try string(what) {
        case "true", "yes": return true
        case "false", "no": return false
        case let other: throw error("\(what) must be true or false, not '\(other)'")
        }
    }

    /// The members of a mapping, in file order, with their keys as text.
    public func members(_ what: String) throws -> [(key: String, keyNode: ConfigNode, value: ConfigNode)] {
        guard case let .mapping(mapping) = node else { throw error("\(what) must be a mapping of names to values") }
        var seen = Set<String>()
        return try mapping.map { pair in
            let keyNode = ConfigNode(node: pair.key, file: file)
            let key = try keyNode.string("a key of \(what)")
            guard seen.insert(key).inserted else { throw keyNode.error("'\(key)' appears twice in \(what)") }
            return (key, keyNode, ConfigNode(node: pair.value, file: file))
        }
    }

    /// The items of a sequence.
    public func items(_ what: String) throws -> [ConfigNode] {
        guard case let .sequence(sequence) = node else { throw error("\(what) must be a list") }
        return sequence.map { ConfigNode(node: $0, file: file) }
    }

    /// A list of scalar strings.
    public func strings(_ what: String) throws -> [String] {
        try items(what).map { try $0.string("an item of \(what)") }
    }

    /// Whether the node is a mapping.
    public var isMapping: Bool {
        if case .mapping = node { return true }
        return false
    }

    /// Whether the node is a single value.
    public var isScalar: Bool {
        if case .scalar = node { return true }
        return false
    }
}

/// Reads a YAML mapping's members by name, refusing names it was not asked about, so that a typo
/// (`requird: true`) is an error rather than silently ignored.
public struct ConfigMembers {
    private let owner: ConfigNode
    private let what: String
    private var byKey: [String: (keyNode: ConfigNode, value: ConfigNode)] = [:]
    private var order: [String] = []

    public init(_ node: ConfigNode, _ what: String) throws {
        owner = node
        self.what = what
        for member in try node.members(what) {
            byKey[member.key] = (member.keyNode, member.value)
            order.append(member.key)
        }
    }

    /// The member called `name`, if present.
    public func optional(_ name: String) -> ConfigNode? { byKey[name]?.value }

    /// The member called `name`, or an error saying it is missing.
    public func required(_ name: String) throws -> ConfigNode {
        guard let value = byKey[name]?.value else { throw owner.error("\(what) needs '\(name)'") }
        return value
    }

    /// Fails on the first member not in `known`.
    public func refuseUnknown(_ known: Set<String>) throws {
        for key in order where !known.contains(key) {
            let list = known.sorted().joined(separator: ", ")
            throw byKey[key]!.keyNode.error("'\(key)' is not a setting of \(what) (expected one of: \(list))")
        }
    }
}

extension ConfigError {
    static func fromYams(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return ConfigError(file: file, line: mark.line, column: mark.column, reason: "not valid YAML: \(problem)")
        default:
            return ConfigError(file: file, line: 0, column: 0, reason: "not valid YAML: \(error)")
        }
    }
}
