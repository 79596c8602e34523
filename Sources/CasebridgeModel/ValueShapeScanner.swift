/// Finds the shape of a value that arrives in pieces (element text, which libxml2 hands over in
/// chunks and which may be megabytes of base64), keeping at most ``keep`` bytes of it.
///
/// ```swift
/// var scanner = ValueShape.Scanner()
/// scanner.add(piece1); scanner.add(piece2)
/// let shape = scanner.shape            // the value's shape
/// let short = scanner.shortValue       // the value itself when it is short, else nil
/// scanner.reset()                      // ready for the next value, its buffer kept
/// ```
extension ValueShape {
    public struct Scanner {
        /// Values up to this many bytes are kept whole (and may be counted as distinct values).
        public static let keep = 64

        private var prefix: [UInt8] = []
        private var scan = Scan()
        private var length = 0
        private var started = false
        private var trailingSpace = 0
        private var trailingLineBreaks = 0

        public init() { prefix.reserveCapacity(Self.keep) }

        /// Forgets the value, keeping the buffer.
        public mutating func reset() {
            prefix.removeAll(keepingCapacity: true)
            scan = Scan()
            length = 0
            started = false
            trailingSpace = 0
            trailingLineBreaks = 0
        }

        /// Adds the next piece of the value.
        public mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
            for byte in bytes {
                let space = ValueShape.isSpace(byte)
                if !started {
                    if space { continue }
                    started = true
                }
                if space {
                    trailingSpace += 1
                    if byte == 0x0A || byte == 0x0D { trailingLineBreaks += 1 }
                } else {
                    trailingSpace = 0
                    trailingLineBreaks = 0
                }
                scan.add(byte)
                length += 1
                if prefix.count < Self.keep + 1 { prefix.append(byte) }
            }
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
            var counted = scan
            counted.whitespace -= trailingSpace
            counted.lineBreaks -= trailingLineBreaks
            return ValueShape.ofLong(counted, characters: byteCount - counted.continuationBytes)
        }
    }
}
