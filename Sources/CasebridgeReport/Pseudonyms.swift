import CasebridgeTarget
import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Stable pseudonyms for children and families: a keyed hash (HMAC-SHA256) of the legacy id under a
/// secret kept beside the target, so the director's report never shows an id, yet the same child is
/// the same pseudonym from run to run.
///
/// ```swift
/// let names = try Pseudonyms(secretFile: Pseudonyms.secretPath(forTarget: "target.db"))
///     .resolving(children: ["C-000124", "C-000125"], families: ["F-000001"])
/// names.child("C-000124")   // "Child 7F3A-91C2-0B5E-44D1"
/// ```
///
/// The pseudonym is the first 8 bytes of HMAC-SHA256(secret, "child:" + id) (or "family:" + id) in
/// upper-case hex, split 4-4-4-4: 64 bits, so that two of a million children share one with a chance
/// of about 3 in 100 million (n²/2⁶⁵), below one in a million. Should two ids of one report still
/// share a code, ``resolving(children:families:)`` keeps it for the first of them in id order and
/// gives each later one the first free code of HMAC(secret, "child:" + id + "#" + n), n = 1, 2, …:
/// two different ids are never shown as one pseudonym, and the same ids get the same pseudonyms every
/// time. Without the secret a pseudonym cannot be traced back to an id.
public struct Pseudonyms: Sendable {
    /// The secret's length in bytes.
    public static let secretBytes = 32
    /// The bits of a pseudonym's code.
    public static let codeBits = 64

    private let key: SymmetricKey
    /// Bits of the hash a code keeps: ``codeBits``, fewer only through the testing hook.
    private let bits: Int
    /// The codes of ids whose own code an earlier id of the same kind holds, by "kind:id".
    private var reassigned: [String: String] = [:]

    /// Uses `secret` as the key.
    public init(secret: Data) {
        self.init(secret: secret, keepingBits: Self.codeBits)
    }

    /// Testing hook: codes keep only the first `bits` bits of the hash (the rest shown as 0), so that
    /// a test can make ids collide.
    package init(secret: Data, keepingBits bits: Int) {
        key = SymmetricKey(data: secret)
        self.bits = min(max(bits, 1), Self.codeBits)
    }

    /// Reads the secret at `secretFile`, creating it (32 random bytes, mode 0600) when it does not exist.
    public init(secretFile: String) throws {
        self.init(secret: try Self.secret(at: secretFile))
    }

    /// Where the secret of `target` is kept: beside an SQLite target, as `<target>.report-secret`; for a
    /// PostgreSQL target (its tables in `schema`), on this machine (``TargetEngines/localStem(target:schema:)``).
    public static func secretPath(forTarget target: String, schema: String = TargetMapping.defaultPostgresSchema) -> String {
        ((try? TargetEngines.localStem(target: target, schema: schema)) ?? target) + ".report-secret"
    }

    /// A child's pseudonym, `Child XXXX-XXXX-XXXX-XXXX`.
    public func child(_ id: String) -> String { "Child " + code("child", id) }

    /// A family's pseudonym, `Family XXXX-XXXX-XXXX-XXXX`.
    public func family(_ id: String) -> String { "Family " + code("family", id) }

    /// These pseudonyms with every collision among `children`, and among `families`, resolved: of ids
    /// sharing a code, the first in id order keeps it and each later one, in that order, takes the
    /// first code of "kind:id#1", "kind:id#2", … that no id of the kind holds.
    public func resolving(children: some Sequence<String>, families: some Sequence<String>) -> Pseudonyms {
        var resolved = self
        resolved.reassigned = [:]
        for (kind, ids) in [("child", Set(children).sorted()), ("family", Set(families).sorted())] {
            var holder: [String: String] = [:]
            for id in ids { let code = hashCode("\(kind):\(id)"); if holder[code] == nil { holder[code] = id } }
            var taken = Set(holder.keys)
            for id in ids where holder[hashCode("\(kind):\(id)")] != id {
                var counter = 1
                var code = hashCode("\(kind):\(id)#\(counter)")
                while taken.contains(code) {
                    counter += 1
                    code = hashCode("\(kind):\(id)#\(counter)")
                }
                taken.insert(code)
                resolved.reassigned["\(kind):\(id)"] = code
            }
        }
        return resolved
    }

    private func code(_ kind: String, _ id: String) -> String {
        reassigned["\(kind):\(id)"] ?? hashCode("\(kind):\(id)")
    }

    /// XXXX-XXXX-XXXX-XXXX: the first 8 bytes of the HMAC of `message`, beyond ``bits`` set to 0.
    private func hashCode(_ message: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key)
        var value = mac.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        if bits < Self.codeBits { value &= ~((UInt64(1) << UInt64(Self.codeBits - bits)) - 1) }
        let hex = String(value, radix: 16, uppercase: true)
        let padded = String(repeating: "0", count: 16 - hex.count) + hex
        return stride(from: 0, to: 16, by: 4).map { start in
            String(padded.dropFirst(start).prefix(4))
        }.joined(separator: "-")
    }

    /// The secret at `path`: read when it exists (it must be exactly ``secretBytes`` long, and is
    /// tightened to 0600), else created with fresh random bytes, mode 0600 from its first byte. The new
    /// secret is written whole under a temporary name and linked into place, so a report running at the
    /// same moment never reads half a secret, and never replaces one.
    static func secret(at path: String) throws -> Data {
        if access(path, F_OK) != 0 {
            let temporary = path + ".new-\(UInt64.random(in: 0...UInt64.max))"
            let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw ReportError(.output, path, "the report's secret could not be created: \(String(cString: strerror(errno)))")
            }
            defer { unlink(temporary) }
            let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
            let written = secret.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            let synced = fsync(fd) == 0
            close(fd)
            guard written == secret.count, synced else {
                throw ReportError(.output, path, "the report's secret could not be written: \(String(cString: strerror(errno)))")
            }
            if link(temporary, path) == 0 { return secret }
            guard errno == EEXIST else {
                throw ReportError(.output, path, "the report's secret could not be created: \(String(cString: strerror(errno)))")
            }
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReportError(.target, path, "the report's secret exists but cannot be read")
        }
        guard data.count == secretBytes else {
            throw ReportError(.target, path, "the report's secret holds \(data.count) bytes, not \(secretBytes); restore it from backup (deleting it changes every pseudonym)")
        }
        chmod(path, 0o600)
        return data
    }
}
