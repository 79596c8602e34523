import CasebridgeModel
import Crypto
import Foundation

/// One piece of part content, prepared once and reused by every part that draws it: its decoded
/// bytes, their SHA-256 and base64, and the base64 wrapped at 76 columns.
struct ContentBlob: Sendable {
    let raw: [UInt8]
    /// Lowercase hex SHA-256 of `raw`.
    let sha256: String
    /// Unbroken base64 of `raw`.
    let base64: [UInt8]
    /// Base64 in 76-character lines, each ending with the export's line break.
    let wrapped: [UInt8]
    /// Line breaks in `wrapped`.
    let wrappedLineBreaks: Int
    let mime: String
    /// File name extension for an attachment holding this content.
    let ext: String
}

/// The content every part of an export is drawn from.
///
/// Generating a gigabyte of fresh random content, base64 and digests would dominate the run; a small
/// pool prepared up front turns writing a part into copying bytes. Sizes vary around
/// `GeneratorOptions.inlinePartBytes` (from half to one and a half times it).
struct ContentPool: Sendable {
    let blobs: [ContentBlob]

    private static let kinds: [(mime: String, ext: String, magic: [UInt8])] = [
        ("application/pdf", "pdf", Array("%PDF-1.4\n".utf8) + [0x25, 0xE2, 0xE3, 0xCF, 0xD3, 0x0A]),
        ("application/pdf", "pdf", Array("%PDF-1.7\n".utf8)),
        ("image/jpeg", "jpg", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00]),
        ("image/png", "png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx",
         [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]),
    ]

    init(seed: UInt64, typicalBytes: Int, newline: [UInt8]) {
        // Keep the pool within about 256 MiB however large a part is asked for.
        let perBlob = max(1, typicalBytes) * 4
        let count = max(4, min(48, (256 << 20) / perBlob))
        var rng = Xoshiro256StarStar(seed: seed, unit: -1, stream: .content)
        var blobs: [ContentBlob] = []
        blobs.reserveCapacity(count)
        for i in 0..<count {
            let kind = Self.kinds[i % Self.kinds.count]
            let low = max(1, typicalBytes / 2), high = max(low, typicalBytes + typicalBytes / 2)
            let size = max(kind.magic.count, rng.int(low...high))
            var raw = kind.magic
            raw.reserveCapacity(size + 8)
            while raw.count < size {
                var word = rng.next()
                withUnsafeBytes(of: &word) { raw.append(contentsOf: $0) }
            }
            raw.removeLast(raw.count - size)
            blobs.append(Self.blob(raw: raw, mime: kind.mime, ext: kind.ext, newline: newline))
        }
        self.blobs = blobs
    }

    private static func blob(raw: [UInt8], mime: String, ext: String, newline: [UInt8]) -> ContentBlob {
        let base64 = [UInt8](Data(raw).base64EncodedData())
        var wrapped: [UInt8] = []
        wrapped.reserveCapacity(base64.count + base64.count / 76 * newline.count + newline.count)
        var breaks = 0
        var start = 0
        while start < base64.count {
            let end = min(start + 76, base64.count)
            wrapped.append(contentsOf: base64[start..<end])
            wrapped.append(contentsOf: newline)
            breaks += 1
            start = end
        }
        return ContentBlob(
            raw: raw, sha256: SHA256.hash(data: raw).hex, base64: base64, wrapped: wrapped,
            wrappedLineBreaks: breaks, mime: mime, ext: ext)
    }

    var count: Int { blobs.count }

    subscript(index: Int) -> ContentBlob { blobs[index] }

    /// SHA-256 of the blobs' content concatenated in the given order: what a Manifest declares.
    func manifestSha256(_ indices: [Int]) -> String {
        var hasher = SHA256()
        for i in indices { hasher.update(data: blobs[i].raw) }
        return hasher.finalize().hex
    }
}
