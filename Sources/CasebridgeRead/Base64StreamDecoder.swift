/// Decodes base64 that arrives in pieces, skipping ASCII whitespace anywhere, strict otherwise:
/// standard alphabet, `=` padding only at the end, nothing after it but whitespace.
///
/// The decoder carries an incomplete 4-character group across pieces and hands decoded bytes to
/// `output` in blocks, so memory stays at one block whatever the content's size. Whole groups of four
/// alphabet characters take a fast path (one table lookup each giving its bits in place, one test per
/// group, as many groups as the input and the block hold without a check between them); whitespace,
/// padding and groups split across pieces take the careful one.
public final class Base64StreamDecoder {
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

    /// Alphabet characters map to 0…63; everything else has its top bits set.
    nonisolated(unsafe) private static let table: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        table.initialize(repeating: invalid, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = UInt8(value) }
        for character in [0x20, 0x09, 0x0A, 0x0D, 0x0C] { table[character] = whitespace }
        table[Int(UInt8(ascii: "="))] = padding
        return UnsafePointer(table)
    }()

    /// The fast path's four tables, one for each place of a group: an alphabet character's six bits
    /// already shifted into the group's 24, anything else all ones (which no four valid places make).
    nonisolated(unsafe) private static let placed: UnsafePointer<UInt32> = {
        let placed = UnsafeMutablePointer<UInt32>.allocate(capacity: 4 * 256)
        for place in 0..<4 {
            for character in 0..<256 {
                let value = table[character]
                placed[place * 256 + character] = value < 64 ? UInt32(value) << UInt32(18 - 6 * place) : notInAlphabet
            }
        }
        return UnsafePointer(placed)
    }()
    private static let notInAlphabet: UInt32 = 0xFFFF_FFFF

    /// The first failure met, if any; once failed, further input is ignored.
    public private(set) var failure: Failure?
    /// Whether any non-whitespace character has been seen.
    public private(set) var sawContent = false

    private var quantum: UInt32 = 0
    private var quantumCount = 0
    /// 0 before padding; 1 or 2 while a group is being padded; 4 once padding has ended the content.
    private var paddingCount = 0
    private let block: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private var blockCount = 0

    /// A decoder that flushes decoded bytes in blocks of `blockSize`.
    public init(blockSize: Int = 1 << 16) {
        capacity = max(blockSize, 3)
        block = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + 1)
    }

    deinit { block.deallocate() }

    /// Forgets everything, ready for new content.
    public func reset() {
        failure = nil
        sawContent = false
        quantum = 0
        quantumCount = 0
        paddingCount = 0
        blockCount = 0
    }

    /// Decodes `input`, calling `output` with each full block of decoded bytes.
    public func feed(_ input: UnsafeBufferPointer<UInt8>, output: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard failure == nil, var p = input.baseAddress, !input.isEmpty else { return }
        let end = p + input.count
        let table = Self.table
        let out = block
        let capacity = self.capacity
        var count = blockCount
        var sawAny = false
        while p < end {
            // Fast path: whole groups of four alphabet characters, as many at a time as both the input
            // and the block hold.
            if quantumCount == 0, paddingCount == 0 {
                let placed = Self.placed
                var interrupted = false
                while !interrupted, end - p >= 4 {
                    if count + 3 > capacity {
                        output(UnsafeBufferPointer(start: out, count: count))
                        count = 0
                    }
                    let groups = min((end - p) / 4, (capacity - count) / 3)
                    var done = 0
                    while done < groups {
                        let group = UnsafeRawPointer(p).loadUnaligned(as: UInt32.self).littleEndian
                        let value = placed[Int(group & 0xFF)] | placed[256 + Int(group >> 8 & 0xFF)]
                            | placed[512 + Int(group >> 16 & 0xFF)] | placed[768 + Int(group >> 24)]
                        if value > 0xFF_FFFF { interrupted = true; break }
                        // Four bytes written, three kept: the fourth is the next group's first (the block
                        // has a byte to spare beyond its capacity).
                        UnsafeMutableRawPointer(out + count).storeBytes(of: (value << 8).bigEndian, as: UInt32.self)
                        count += 3
                        p += 4
                        done += 1
                    }
                    if done > 0 { sawAny = true }
                }
                if p == end { break }
            }
            // Careful path: one character.
            let character = p[0]
            let value = table[Int(character)]
            p += 1
            if value < 64 {
                guard paddingCount == 0 else { failure = .dataAfterPadding; break }
                sawAny = true
                quantum = quantum << 6 | UInt32(value)
                quantumCount += 1
                if quantumCount == 4 {
                    if count + 3 > capacity {
                        output(UnsafeBufferPointer(start: out, count: count))
                        count = 0
                    }
                    out[count] = UInt8(truncatingIfNeeded: quantum >> 16)
                    out[count + 1] = UInt8(truncatingIfNeeded: quantum >> 8)
                    out[count + 2] = UInt8(truncatingIfNeeded: quantum)
                    count += 3
                    quantum = 0
                    quantumCount = 0
                }
            } else if value == Self.whitespace {
                continue
            } else if value == Self.padding {
                sawAny = true
                // `=` may only fill the last one or two places of a group.
                guard quantumCount + paddingCount >= 2, paddingCount < 2 else { failure = .badPadding; break }
                paddingCount += 1
                if quantumCount + paddingCount == 4 {
                    quantum <<= UInt32(6 * paddingCount)
                    let produced = 3 - paddingCount
                    if count + 3 > capacity {
                        output(UnsafeBufferPointer(start: out, count: count))
                        count = 0
                    }
                    out[count] = UInt8(truncatingIfNeeded: quantum >> 16)
                    if produced == 2 { out[count + 1] = UInt8(truncatingIfNeeded: quantum >> 8) }
                    count += produced
                    quantum = 0
                    quantumCount = 0
                    paddingCount = 4  // only whitespace may follow
                }
            } else {
                failure = .invalidCharacter(character)
                break
            }
        }
        if sawAny { sawContent = true }
        blockCount = count
    }

    /// Ends the content: flushes what is decoded and reports a failure if the last group is incomplete.
    public func finish(output: (UnsafeBufferPointer<UInt8>) -> Void) {
        if failure == nil, quantumCount != 0 || (paddingCount != 0 && paddingCount != 4) {
            failure = .truncated
        }
        if blockCount > 0 {
            output(UnsafeBufferPointer(start: block, count: blockCount))
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
