import CasebridgeModel
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Who ran a migration, and with what: recorded with each run in `casebridge_run` (the audit trail), so
/// that a council can say which person, machine, release and configuration loaded each export.
public struct RunAudit: Sendable, Equatable {
    /// The operating system's user the run ran as.
    public var user: String
    /// The machine it ran on.
    public var host: String
    /// Casebridge's release and the SHA-256 of its executable.
    public var version: String
    public var build: String
    /// The SHA-256 of the mapping, policy and target mapping files the run used.
    public var mappingSHA256: String?
    public var policySHA256: String?
    public var targetMappingSHA256: String?

    /// This process's user, host and build, with the digests of the mapping, policy and target mapping
    /// files at these paths.
    public static func current(mappingFile: String, policyFile: String, targetMappingFile: String) -> RunAudit {
        RunAudit(user: currentUser, host: ProcessInfo.processInfo.hostName, version: CasebridgeBuild.version,
                 build: CasebridgeBuild.digest, mappingSHA256: FileDigest.sha256(path: mappingFile),
                 policySHA256: FileDigest.sha256(path: policyFile), targetMappingSHA256: FileDigest.sha256(path: targetMappingFile))
    }

    /// The build and the configuration, in words: `Casebridge 0.5.0 (build 1a2b3c4d5e6f), mapping 120ab449…,
    /// policy …, target mapping …` (digests shortened to 12 hex digits).
    public var configuration: String {
        "Casebridge \(version) (build \(Self.short(build))), mapping \(Self.short(mappingSHA256)), policy \(Self.short(policySHA256)), "
            + "target mapping \(Self.short(targetMappingSHA256))"
    }

    /// The first 12 hex digits of a digest, with an ellipsis; `unknown` for none.
    public static func short(_ digest: String?) -> String {
        guard let digest, !digest.isEmpty else { return "unknown" }
        return digest.count > 12 ? digest.prefix(12) + "…" : digest
    }

    /// Every field, in JSON.
    public var json: JSONValue {
        func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            ("user", .string(user)), ("host", .string(host)), ("casebridgeVersion", .string(version)), ("casebridgeBuild", .string(build)),
            ("mappingSHA256", optional(mappingSHA256)), ("policySHA256", optional(policySHA256)),
            ("targetMappingSHA256", optional(targetMappingSHA256)),
        ])
    }

    /// The name of the effective user, else its number.
    static var currentUser: String {
        let uid = geteuid()
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }
}
