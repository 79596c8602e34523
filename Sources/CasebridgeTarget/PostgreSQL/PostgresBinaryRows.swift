/// The rows of a `COPY … TO STDOUT (FORMAT binary)`, cut out of the blocks the server sends, whatever
/// their size: each row's fields as bytes (`nil` for NULL), valid only inside the call that hands them over.
///
/// The format: an 11-byte signature, flags and a header extension; then per row a 16-bit field count
/// and per field a 32-bit length (-1 for NULL) and the bytes; a count of -1 ends the data.
struct PostgresBinaryRows {
    private var pending: [UInt8] = []
    private var headerRead = false
    /// Whether the trailer arrived.
    private(set) var finished = false

    private static let signature: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00]

    /// Takes one block and hands `row` every row it completes.
    mutating func feed(_ block: UnsafeRawBufferPointer, _ row: ([UnsafeRawBufferPointer?]) throws -> Void) throws {
        pending.append(contentsOf: block)
        var offset = 0
        try pending.withUnsafeBytes { bytes in
            if !headerRead {
                guard let end = Self.headerEnd(bytes) else { return }
                offset = end
                headerRead = true
            }
            while !finished, let (fields, next) = try Self.row(in: bytes, at: offset) {
                if let fields { try row(fields) } else { finished = true }
                offset = next
            }
        }
        pending.removeFirst(offset)
    }

    /// Where the header ends, once it has arrived whole.
    private static func headerEnd(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let fixed = signature.count + 8
        guard bytes.count >= fixed else { return nil }
        let extensionLength = Int(integer(bytes, at: signature.count + 4, as: UInt32.self))
        return bytes.count >= fixed + extensionLength ? fixed + extensionLength : nil
    }

    /// The row starting at `offset` and where the next begins, once it has arrived whole; `nil` fields for the trailer.
    private static func row(in bytes: UnsafeRawBufferPointer, at offset: Int) throws -> ([UnsafeRawBufferPointer?]?, Int)? {
        guard bytes.count >= offset + 2 else { return nil }
        let count = Int16(bitPattern: integer(bytes, at: offset, as: UInt16.self))
        if count == -1 { return (nil, offset + 2) }
        guard count >= 0 else { throw PostgresError(message: "the server sent a row of \(count) fields") }
        var fields: [UnsafeRawBufferPointer?] = []
        fields.reserveCapacity(Int(count))
        var position = offset + 2
        for _ in 0..<count {
            guard bytes.count >= position + 4 else { return nil }
            let length = Int32(bitPattern: integer(bytes, at: position, as: UInt32.self))
            position += 4
            if length < 0 {
                fields.append(nil)
                continue
            }
            guard bytes.count >= position + Int(length) else { return nil }
            fields.append(UnsafeRawBufferPointer(rebasing: bytes[position..<(position + Int(length))]))
            position += Int(length)
        }
        return (fields, position)
    }

    private static func integer<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, at offset: Int, as: T.Type) -> T {
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + MemoryLayout<T>.size)])) }
        return T(bigEndian: value)
    }
}
