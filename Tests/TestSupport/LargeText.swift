import Foundation

#if canImport(Glibc)
import Glibc
#endif

// Tests split and search exports and database dumps of tens of megabytes. In the tests' unoptimized build,
// Foundation's `components(separatedBy:)` and the standard library's `split(separator:)` over a `String`
// took seconds for each (they walk characters), most of the time of the tests that cut an export short or
// compare a PostgreSQL target's dump; these walk bytes with memchr and memcmp.

/// The lines of `text`, split at each newline byte (a last newline leaves an empty last line; a `\r`
/// before a newline stays at the end of its line), as `components(separatedBy: "\n")` splits text without
/// a `\r\n`, which it takes for one character and does not split.
public func lines(of text: String) -> [String] {
    var text = text
    return text.withUTF8 { splitLines(UnsafeRawBufferPointer($0)) }
}

/// The lines of the file at `path`, as ``lines(of:)`` splits its text.
public func readLines(_ path: String) throws -> [String] {
    try Data(contentsOf: URL(fileURLWithPath: path)).withUnsafeBytes { splitLines($0) }
}

private func splitLines(_ bytes: UnsafeRawBufferPointer) -> [String] {
    guard let base = bytes.baseAddress else { return [""] }
    var lines: [String] = []
    var start = 0
    while true {
        let rest = UnsafeRawBufferPointer(start: base + start, count: bytes.count - start)
        guard let newline = memchr(base + start, 0x0A, rest.count) else {
            lines.append(String(decoding: rest, as: UTF8.self))
            return lines
        }
        let end = base.distance(to: UnsafeRawPointer(newline))
        lines.append(String(decoding: UnsafeRawBufferPointer(start: base + start, count: end - start), as: UTF8.self))
        start = end + 1
    }
}

/// How many times `needle` occurs in `text`, without overlapping (counted from the left, as a split counts them).
public func occurrences(of needle: String, in text: Data) -> Int {
    let pattern = Array(needle.utf8)
    guard !pattern.isEmpty else { return 0 }
    return text.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Int in
        guard let base = bytes.baseAddress else { return 0 }
        var count = 0
        var start = 0
        // Each place the first byte occurs (memchr), compared whole there (memcmp).
        while bytes.count - start >= pattern.count,
              let first = memchr(base + start, Int32(pattern[0]), bytes.count - start - pattern.count + 1) {
            let at = base.distance(to: UnsafeRawPointer(first))
            if memcmp(first, pattern, pattern.count) == 0 {
                count += 1
                start = at + pattern.count
            } else {
                start = at + 1
            }
        }
        return count
    }
}
