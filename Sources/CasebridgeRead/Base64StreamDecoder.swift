/// Decodes base64 that arrives in pieces, skipping ASCII whitespace anywhere, strict otherwise:
/// standard alphabet, `=` padding only at the end, nothing after it but whitespace.
///
/// The decoder carries an incomplete 4-character group across pieces and hands decoded bytes to
/// `output` in blocks, so memory stays at one block whatever the content's size.
public struct Base64StreamDecoder {
    /// Why content failed to decode, for messages.
    public enum Failure: Equatable, Sendable {
        case invalidCharacter(UInt8)
        case dataAfterPadding
        case badPadding
        case truncated
    }

    private static let whitespace: UInt8 = 0xFE
    private static let padding: UInt8 = 0xFD
    private static let invalid: UInt8 = 0xFF

    private static let table: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = UInt8(value) }
        for character in [0x20, 0x09, 0x0A, 0x0D, 0x0C] { table[character] = whitespace }
        table[Int(UInt8(ascii: "="))] = padding
        return table
    }()

    /// The first failure met, if any; once failed, further input is ignored.
    public private(set) var failure: Failure?
    /// Whether any non-whitespace character has been seen.
    public private(set) var sawContent = false

    private var quantum: UInt32 = 0
    private var quantumCount = 0
    private var paddingCount = 0
    private var block: [UInt8]
    private var blockCount = 0

    /// A decoder that flushes decoded bytes in blocks of `blockSize`.
    public init(blockSize: Int = 1 << 16) {
        block = [UInt8](repeating: 0, count: max(blockSize, 3))
    }

    /// Forgets everything, ready for new content.
    public mutating func reset() {
        failure = nil
        sawContent = false
        quantum = 0
        quantumCount = 0
        paddingCount = 0
        blockCount = 0
    }

    /// Decodes `input`, calling `output` with each full block of decoded bytes.
    public mutating func feed(_ input: UnsafeBufferPointer<UInt8>, output: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard failure == nil, let base = input.baseAddress else { return }
        let count = input.count
        var quantum = self.quantum
        var quantumCount = self.quantumCount
        var blockCount = self.blockCount
        let capacity = block.count
        Self.table.withUnsafeBufferPointer { table in
            block.withUnsafeMutableBufferPointer { out in
                var i = 0
                while i < count {
                    let value = table[Int(base[i])]
                    i += 1
                    if value < 64 {
                        if paddingCount > 0 { failure = .dataAfterPadding; return }
                        sawContent = true
                        quantum = (quantum << 6) | UInt32(value)
                        quantumCount += 1
                        if quantumCount == 4 {
                            if blockCount + 3 > capacity {
                                output(UnsafeBufferPointer(rebasing: out[0..<blockCount]))
                                blockCount = 0
                            }
                            out[blockCount] = UInt8(truncatingIfNeeded: quantum >> 16)
                            out[blockCount + 1] = UInt8(truncatingIfNeeded: quantum >> 8)
                            out[blockCount + 2] = UInt8(truncatingIfNeeded: quantum)
                            blockCount += 3
                            quantum = 0
                            quantumCount = 0
                        }
                    } else if value == Self.whitespace {
                        continue
                    } else if value == Self.padding {
                        sawContent = true
                        // `=` may only fill the last one or two places of a group.
                        guard quantumCount + paddingCount >= 2, paddingCount < 2 else { failure = .badPadding; return }
                        paddingCount += 1
                        if quantumCount + paddingCount == 4 {
                            quantum <<= UInt32(6 * paddingCount)
                            let produced = 3 - paddingCount
                            if blockCount + 3 > capacity {
                                output(UnsafeBufferPointer(rebasing: out[0..<blockCount]))
                                blockCount = 0
                            }
                            out[blockCount] = UInt8(truncatingIfNeeded: quantum >> 16)
                            if produced == 2 { out[blockCount + 1] = UInt8(truncatingIfNeeded: quantum >> 8) }
                            blockCount += produced
                            quantum = 0
                            quantumCount = 0
                            // Stay "after padding": only whitespace may follow.
                            paddingCount = 4
                        }
                    } else {
                        failure = .invalidCharacter(base[i - 1])
                        return
                    }
                }
            }
        }
        self.quantum = quantum
        self.quantumCount = quantumCount
        self.blockCount = blockCount
    }

    /// Ends the content: flushes what is decoded and reports a failure if the last group is incomplete.
    public mutating func finish(output: (UnsafeBufferPointer<UInt8>) -> Void) {
        if failure == nil, quantumCount != 0 || (paddingCount != 0 && paddingCount != 4) {
            failure = .truncated
        }
        if blockCount > 0 {
            block.withUnsafeBufferPointer { output(UnsafeBufferPointer(rebasing: $0[0..<blockCount])) }
            blockCount = 0
        }
    }
}

extension Base64StreamDecoder.Failure: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .invalidCharacter(byte): return "a character that is not base64 (byte 0x\(String(byte, radix: 16)))"
        case .dataAfterPadding: return "data after the '=' padding"
        case .badPadding: return "misplaced '=' padding"
        case .truncated: return "an incomplete last group (missing padding)"
        }
    }
}
