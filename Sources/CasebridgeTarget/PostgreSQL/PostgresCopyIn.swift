import CasebridgeStore

/// The data of one `COPY … FROM STDIN`, sent to the server in blocks of 256 KiB: a copy of one block
/// from the calling thread, a larger one from a thread of its own (``PostgresCopySender``) while the
/// next block is made.
///
/// Rows go in PostgreSQL's text format (``add(_:)-(SQLValue)``, ``endRow()``: a tab between fields, `\N` for
/// NULL, backslash escapes): the staging holds every value as text already, which the binary format
/// would have to convert to each column's own binary form first; content goes in the binary format
/// (``PostgresBinaryCopy``), which sends bytea as it is instead of twice its size in hex.
final class PostgresCopyIn {
    private unowned let connection: PostgresConnection
    private var buffer: [UInt8] = []
    private var fieldsInRow = 0
    /// The rows ended so far.
    private(set) var rows = 0
    /// Sends the blocks once there is more than one (``PostgresCopySender``).
    private var sender: PostgresCopySender?

    private static let blockSize = 256 << 10

    init(connection: PostgresConnection) {
        self.connection = connection
        buffer.reserveCapacity(Self.blockSize + (16 << 10))
    }

    /// Adds one field of the current row.
    func add(_ value: SQLValue) {
        switch value {
        case .null: add(nil as UnsafeRawBufferPointer?)
        case let .integer(number): addText(String(number))
        case let .text(text): addText(text)
        }
    }

    /// Adds one field of the current row from its UTF-8 bytes (`nil` for NULL).
    func add(_ bytes: UnsafeRawBufferPointer?) {
        if fieldsInRow > 0 { buffer.append(0x09) }
        fieldsInRow += 1
        Self.append(field: bytes, to: &buffer)
    }

    /// Adds a whole row of the staging's fields and ends it; sends a block when one is full. The row
    /// is written into the buffer in one access, rather than a field at a time (each access to a
    /// class's property is checked for exclusivity: a tenth of a first load's time on the client).
    func addRow(_ row: RowBytes) throws {
        Self.append(row: row, to: &buffer)
        fieldsInRow = 0
        rows += 1
        if buffer.count >= Self.blockSize { try flush() }
    }

    private static func append(row: RowBytes, to buffer: inout [UInt8]) {
        for index in 0..<row.count {
            if index > 0 { buffer.append(0x09) }
            append(field: row[index], to: &buffer)
        }
        buffer.append(0x0A)
    }

    /// One field in the text format: `\N` for NULL, a backslash, tab, line feed or carriage return escaped.
    private static func append(field bytes: UnsafeRawBufferPointer?, to buffer: inout [UInt8]) {
        guard let bytes else {
            buffer.append(0x5C)
            buffer.append(0x4E)  // \N
            return
        }
        // Most values need no escape: they go in one copy, and only the others byte by byte.
        guard bytes.contains(where: needsEscape) else {
            buffer.append(contentsOf: bytes)
            return
        }
        for byte in bytes {
            switch byte {
            case 0x5C: buffer.append(0x5C); buffer.append(0x5C)
            case 0x09: buffer.append(0x5C); buffer.append(0x74)
            case 0x0A: buffer.append(0x5C); buffer.append(0x6E)
            case 0x0D: buffer.append(0x5C); buffer.append(0x72)
            default: buffer.append(byte)
            }
        }
    }

    /// A backslash, tab, line feed or carriage return: the bytes the text format escapes.
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == 0x5C || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private func addText(_ text: String) {
        var text = text
        text.withUTF8 { add(UnsafeRawBufferPointer($0)) }
    }

    /// Ends the current row; sends a block when one is full.
    func endRow() throws {
        buffer.append(0x0A)
        fieldsInRow = 0
        rows += 1
        if buffer.count >= Self.blockSize { try flush() }
    }

    /// Appends bytes as they are (the binary format's framing and data).
    func raw(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > Self.blockSize { try flush() }
        if bytes.count >= Self.blockSize {
            // Sent from here, after every block before it.
            try sender?.waitUntilSent()
            try connection.putCopyData(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Hands what the buffer holds to the sender, which is started with the first full block.
    func flush() throws {
        guard !buffer.isEmpty else { return }
        if sender == nil { sender = PostgresCopySender(connection: connection) }
        let next = try sender!.send(buffer)
        buffer = next
        buffer.reserveCapacity(Self.blockSize + (16 << 10))
    }

    /// Sends the rest and waits until every block has gone: the connection is the caller's again.
    func finish() throws {
        guard let sender else {
            guard !buffer.isEmpty else { return }
            try buffer.withUnsafeBytes { try connection.putCopyData($0) }
            buffer.removeAll(keepingCapacity: true)
            return
        }
        if !buffer.isEmpty { buffer = try sender.send(buffer) }
        try sender.finish()
        self.sender = nil
    }

    /// Drops what is not sent yet (the copy is abandoned): the connection is the caller's again.
    func abandon() {
        sender?.stop()
        sender = nil
        buffer.removeAll()
    }
}

/// `COPY … FROM STDIN (FORMAT binary)`: the framing around fields whose bytes stream in pieces (content).
struct PostgresBinaryCopy {
    let stream: PostgresCopyIn

    /// The signature, flags and header extension every binary copy opens with.
    func begin() throws {
        try send(Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0])
    }

    /// Opens a row of `fields` fields.
    func row(fields: Int16) throws { try send(Self.bigEndian(fields)) }

    /// A text field, whole.
    func text(_ value: String) throws {
        try send(Self.bigEndian(Int32(value.utf8.count)) + Array(value.utf8))
    }

    /// A bigint field.
    func bigint(_ value: Int64) throws { try send(Self.bigEndian(Int32(8)) + Self.bigEndian(value)) }

    /// Opens a field of `length` bytes, which the caller then sends with ``PostgresCopyIn/raw(_:)``.
    func field(length: Int32) throws { try send(Self.bigEndian(length)) }

    /// The trailer that ends the data.
    func end() throws { try send(Self.bigEndian(Int16(-1))) }

    private func send(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try stream.raw($0) } }

    static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}
