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

    /// The name of the effective user, else its number.
    static var currentUser: String {
        let uid = geteuid()
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }
}
