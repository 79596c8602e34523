import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Findings kept in a temporary file rather than in memory: a check of a whole authority's export finds
/// a hundred thousand of them, and writes them out one at a time.
///
/// Findings arrive in runs (one rule's, from whichever thread judged it), each sorted into contract order
/// as it is added; ``forEach(_:)`` reads the runs back by severity and rule, which is the contract order
/// of all of them. The file is unlinked from the start (`tmpfile(3)`, mode 0600): it holds ids, and
/// nothing is left behind however the run ends.
public final class FindingSpill: @unchecked Sendable {
    private struct Run {
        var severity: Severity
        var rule: String
        var offset: Int64
        var length: Int
        var count: Int
    }

    private struct State {
        /// The `FILE *` of the unlinked temporary file.
        var stream: OpaquePointer
        /// Where each run lies, in the order they were written, one after the other from the file's start.
        var runs: [Run] = []
    }

    // Guarded by `lock`, an NSLock: ThreadSanitizer does not see Synchronization's Mutex (a futex) order
    // two threads' accesses, and the rules' two threads append here (see TemporaryFiles).
    private let lock = NSLock()
    private var state: State

    /// A new, empty spill file.
    public init() throws {
        guard let stream = tmpfile() else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot create a temporary file for findings"])
        }
        state = State(stream: OpaquePointer(stream))
    }

    deinit {
        fclose(UnsafeMutablePointer<FILE>(state.stream))
    }

    /// How many findings the spill holds.
    public var count: Int { lock.withLock { state.runs.reduce(0) { $0 + $1.count } } }

    /// How many findings each rule has in the spill (rules without any left out).
    public var countsByRule: [String: Int] {
        lock.withLock { state.runs.reduce(into: [:]) { $0[$1.rule, default: 0] += $1.count } }
    }

    /// The highest severity among them (critical first), `nil` when there are none.
    public var worstSeverity: Severity? { lock.withLock { state.runs.map(\.severity).min() } }

    /// Adds `findings`, as one run for each rule (and severity), sorted into contract order.
    public func append(_ findings: [Finding]) throws {
        struct RunKey: Hashable {
            var rule: String
            var severity: Severity
        }
        var runs: [RunKey: [Finding]] = [:]
        for finding in findings { runs[RunKey(rule: finding.rule, severity: finding.severity), default: []].append(finding) }
        for (key, var run) in runs {
            run.sort(by: Finding.contractOrder)
            var bytes: [UInt8] = []
            for finding in run { FindingCoding.encode(finding, into: &bytes) }
            try lock.withLock {
                let stream = UnsafeMutablePointer<FILE>(state.stream)
                let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, stream) }
                guard written == bytes.count else {
                    throw CocoaError(.fileWriteOutOfSpace, userInfo: [NSLocalizedDescriptionKey: "cannot write findings to a temporary file"])
                }
                let offset = state.runs.last.map { $0.offset + Int64($0.length) } ?? 0
                state.runs.append(Run(severity: key.severity, rule: key.rule, offset: offset, length: bytes.count, count: run.count))
            }
        }
    }

    /// Hands `body` every finding, in contract order (severity, rule, key), one run in memory at a time.
    public func forEach(_ body: (Finding) throws -> Void) rethrows {
        let runs = lock.withLock {
            state.runs.sorted { a, b in a.severity != b.severity ? a.severity < b.severity : a.rule < b.rule }
        }
        for run in runs {
            let bytes = read(run)
            try bytes.withUnsafeBytes { raw in
                var cursor = FindingCoding.Cursor(raw)
                for _ in 0..<run.count { try body(cursor.finding()) }
            }
        }
    }

    private func read(_ run: Run) -> [UInt8] {
        lock.withLock { () -> [UInt8] in
            let stream = UnsafeMutablePointer<FILE>(state.stream)
            fflush(stream)
            var bytes = [UInt8](repeating: 0, count: run.length)
            var done = 0
            while done < run.length {
                let got = bytes.withUnsafeMutableBytes { buffer in
                    pread(fileno(stream), buffer.baseAddress! + done, run.length - done, off_t(run.offset) + off_t(done))
                }
                // A temporary file this process wrote reads back whole; anything else is a broken machine.
                precondition(got > 0, "the findings' temporary file could not be read back")
                done += got
            }
            return bytes
        }
    }
}

/// A finding as bytes: severity, rule, key and context fields, message and source, each text as its
/// length and UTF-8.
enum FindingCoding {
    static func encode(_ finding: Finding, into bytes: inout [UInt8]) {
        bytes.append(UInt8(finding.severity.rank))
        put(finding.rule, &bytes)
        put(finding.key.count, &bytes)
        for field in finding.key {
            put(field.name, &bytes)
            put(field.value, &bytes)
        }
        put(finding.context.count, &bytes)
        for field in finding.context {
            put(field.name, &bytes)
            put(field.value, &bytes)
        }
        put(finding.message, &bytes)
        if let source = finding.source {
            bytes.append(1)
            put(source.file, &bytes)
            put(source.line, &bytes)
            put(source.lines.count, &bytes)
            for line in source.lines { put(line, &bytes) }
        } else {
            bytes.append(0)
        }
    }

    private static func put(_ text: String, _ bytes: inout [UInt8]) {
        put(text.utf8.count, &bytes)
        bytes.append(contentsOf: text.utf8)
    }

    /// A whole number ≥ 0 in seven-bit groups, low first.
    private static func put(_ number: Int, _ bytes: inout [UInt8]) {
        var rest = UInt64(max(0, number))
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Reads findings back from bytes ``encode(_:into:)`` wrote.
    struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var at = 0

        init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func finding() -> Finding {
            let rank = Int(byte())
            let severity = Severity.allCases.first { $0.rank == rank } ?? .low
            let rule = text()
            let key = (0..<number()).map { _ in FindingField(text(), text()) }
            let context = (0..<number()).map { _ in FindingField(text(), text()) }
            let message = text()
            var source: SourceLocation?
            if byte() == 1 {
                let file = text()
                let line = number()
                let lines = (0..<number()).map { _ in number() }
                source = SourceLocation(file: file, line: line, lines: lines)
            }
            return Finding(rule: rule, severity: severity, key: key, context: context, message: message, source: source)
        }

        private mutating func byte() -> UInt8 {
            defer { at += 1 }
            return bytes[at]
        }

        private mutating func number() -> Int {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let next = byte()
                value |= UInt64(next & 0x7F) << shift
                if next < 0x80 { return Int(value) }
                shift += 7
            }
        }

        private mutating func text() -> String {
            let count = number()
            defer { at += count }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<(at + count)]), as: UTF8.self)
        }
    }
}
