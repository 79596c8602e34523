import Foundation

/// The mapping files that ship inside Casebridge (`mappings/` in the source tree links to them).
public enum BuiltInMappings {
    /// The path of the reference-format mapping, `legacy-case-export.yaml`.
    public static var legacyCaseExport: String {
        Bundle.module.url(forResource: "legacy-case-export", withExtension: "yaml")?.path ?? "mappings/legacy-case-export.yaml"
    }
}
