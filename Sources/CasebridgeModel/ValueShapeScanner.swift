/// Finds the shape of a value that arrives in pieces (element text, which libxml2 hands over in
/// chunks and which may be megabytes of base64), keeping at most ``keep`` bytes of it.
///
/// A short value is kept whole and shaped exactly (``ValueShape/of(bytes:)``); a long one is shaped
/// from what its bytes are (one table lookup a byte): base64 text, a long run of digits, or free text.
///
/// ```swift
/// var scanner = ValueShape.Scanner()
/// scanner.add(piece1); scanner.add(piece2)
/// let shape = scanner.shape            // the value's shape
/// let short = scanner.shortValue       // the value itself when it is short, else nil
/// scanner.reset()                      // ready for the next value, its buffer kept
/// ```
extension ValueShape {
    /// The shape of a value read piece by piece; see the extension's description.
    public struct Scanner {
        /// Values up to this many bytes are kept whole (and may be counted as distinct values).
        public static let keep = 64

        // Byte classes, as bits.
        static let digit: UInt8 = 1, upper: UInt8 = 2, lower: UInt8 = 4, mark: UInt8 = 8, space: UInt8 = 16
        static let other: UInt8 = 32, nonASCII: UInt8 = 64
        static let classes: [UInt8] = (0...255).map { (byte: Int) -> UInt8 in
            switch byte {
            case 0x30...0x39: return digit
            case 0x41...0x5A: return upper
            case 0x61...0x7A: return lower
            case 0x2B, 0x2F, 0x3D: return mark
            case 0x20, 0x09, 0x0A, 0x0D: return space
            case 0x80...0xFF: return nonASCII
            default: return other
            }
        }

        private var prefix: [UInt8] = []
        private var flags: UInt8 = 0
        private var length = 0
        private var whitespace = 0
        private var continuation = 0
        private var trailingSpace = 0
        private var started = false

        /// An empty scanner.
        public init() { prefix.reserveCapacity(Self.keep + 1) }

        /// Forgets the value, keeping the buffer.
        public mutating func reset() {
            prefix.removeAll(keepingCapacity: true)
            flags = 0
            length = 0
            whitespace = 0
            continuation = 0
            trailingSpace = 0
            started = false
        }

        /// Adds the next piece of the value.
        public mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
            var start = 0
            if !started {
                while start < bytes.count, ValueShape.isSpace(bytes[start]) { start += 1 }
                guard start < bytes.count else { return }
                started = true
            }
            let piece = UnsafeBufferPointer(rebasing: bytes[start...])
            if prefix.count <= Self.keep { prefix.append(contentsOf: piece.prefix(Self.keep + 1 - prefix.count)) }
            var flags = self.flags
            var whitespace = 0
            var continuation = 0
            Self.classes.withUnsafeBufferPointer { table in
                for byte in piece {
                    let kind = table[Int(byte)]
                    flags |= kind
                    whitespace &+= Int(kind >> 4 & 1)
                    continuation &+= byte & 0xC0 == 0x80 ? 1 : 0
                }
            }
            self.flags = flags
            self.whitespace += whitespace
            self.continuation += continuation
            length += piece.count
            var run = 0
            while run < piece.count, ValueShape.isSpace(piece[piece.count - 1 - run]) { run += 1 }
            trailingSpace = run == piece.count ? trailingSpace + run : run
        }

        /// Whether only whitespace has been added.
        public var isBlank: Bool { !started }

        /// The value's length in bytes, surrounding whitespace excluded.
        public var byteCount: Int { length - trailingSpace }

        /// The value, trimmed, when it is at most ``keep`` bytes long.
        public var shortValue: String? {
            guard started, byteCount <= Self.keep else { return nil }
            return String(decoding: prefix.prefix(byteCount), as: UTF8.self)
        }

        /// The value's shape.
        public var shape: ValueShape {
            guard started else { return ValueShape(kind: .blank, characters: 0) }
            if byteCount <= Self.keep {
                return prefix.prefix(byteCount).withUnsafeBufferPointer { ValueShape.of(bytes: $0) }
            }
            let characters = byteCount - continuation
            let inner = whitespace - trailingSpace
            if flags == Self.digit { return ValueShape(kind: .integer, characters: characters) }
            // Base64: its alphabet, both letter cases, digits or marks, and whitespace only between lines.
            let alphabet = flags & (Self.other | Self.nonASCII) == 0 && flags & Self.upper != 0 && flags & Self.lower != 0
                && flags & (Self.digit | Self.mark) != 0
            if alphabet, inner * 20 < byteCount { return ValueShape(kind: .base64, characters: characters) }
            return ValueShape(kind: inner == 0 && characters <= 40 ? .word : .freeText, characters: characters)
        }
    }
}
