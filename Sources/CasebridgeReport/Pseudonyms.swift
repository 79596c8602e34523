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
/// names.child("C-000124")   // "Child 7F3A-91C2-0B5E"
/// ```
///
/// The pseudonym is the first 6 bytes of HMAC-SHA256(secret, "child:" + id) (or "family:" + id) in
/// upper-case hex, split 4-4-4: 48 bits, so that two of a council's children share one only with a
/// chance of about one in ten million even at 100,000 children. Without the secret a pseudonym cannot
/// be traced back to an id.
public struct Pseudonyms: Sendable {
    /// The secret's length in bytes.
    public static let secretBytes = 32

    private let key: SymmetricKey

    /// Uses `secret` as the key.
    public init(secret: Data) {
        key = SymmetricKey(data: secret)
    }

    /// Reads the secret at `secretFile`, creating it (32 random bytes, mode 0600) when it does not exist.
    public init(secretFile: String) throws {
        self.init(secret: try Self.secret(at: secretFile))
    }

    /// Where the secret of the target at `target` is kept: beside it, as `<target>.report-secret`.
    public static func secretPath(forTarget target: String) -> String { target + ".report-secret" }

    /// A child's pseudonym, `Child XXXX-XXXX-XXXX`.
    public func child(_ id: String) -> String { "Child " + code("child", id) }

    /// A family's pseudonym, `Family XXXX-XXXX-XXXX`.
    public func family(_ id: String) -> String { "Family " + code("family", id) }

    private func code(_ kind: String, _ id: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(kind):\(id)".utf8), using: key)
        let hex = mac.prefix(6).map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return byte < 16 ? "0" + digits : digits
        }.joined()
        return stride(from: 0, to: hex.count, by: 4).map { start in
            String(hex.dropFirst(start).prefix(4))
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
