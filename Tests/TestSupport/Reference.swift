import CasebridgeCheck
import CasebridgeMapping
import CasebridgeTarget

/// The built-in configuration every test target reads: the reference mapping, the default policy and
/// the SSD target mapping, each loaded once (a mistake in one stops the tests with its reason).
public enum Reference {
    /// The built-in mapping's file.
    public static let mappingFile = BuiltInMappings.legacyCaseExport

    /// The built-in mapping of the reference format (LCE2).
    public static let mapping: Mapping = loaded("the reference mapping") { try MappingLoader.load(path: mappingFile) }

    /// The built-in policy.
    public static let policy: Policy = loaded("the default policy") { try Policy.load(path: Policy.defaultPath) }

    /// The built-in target mapping onto the SSD-shaped schema.
    public static let targetMapping: TargetMapping = loaded("the target mapping") { try TargetMapping.load(path: TargetMapping.builtInPath) }

    private static func loaded<T>(_ what: String, _ load: () throws -> T) -> T {
        do {
            return try load()
        } catch {
            fatalError("\(what) does not load: \(error)")
        }
    }
}

/// A mapping of the reference format's visits only, at `element`.
public func visitsMapping(_ element: String, fields: String) -> String {
    """
    format: m
    defaultNamespace: "urn:lce:2"
    root: CaseExport
    envelope:
      exportedAt: {path: "@exportedAt", type: utc-timestamp}
    records:
      - kind: Visit
        element: \(element)
        fields:
    \(fields)
    """
}
