import CLibXML2
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The state of a SAX2 parse that ``PushParse`` drives: the reader's and the survey's.
protocol PushParseState: AnyObject {
    /// The parser, once made.
    var context: xmlParserCtxtPtr? { get set }
    /// The first error, which stops the parse.
    var failure: (any Error)? { get }
    /// Set before the last chunk: an error then, with elements open, means the file was cut short.
    var atEnd: Bool { get set }
    /// The encoding the export's XML declaration names, for error messages.
    var declaredEncoding: String? { get set }
    /// Whether the state stopped the parser on purpose (it has what it wanted).
    var isStopped: Bool { get }
    /// The line libxml2 is on.
    var line: Int { get }
}

/// Feeds an export file to a libxml2 SAX2 push parser in 1 MiB blocks, with the same safety for every
/// caller: a folder, a file that is not XML and an encoding other than UTF-8 or UTF-16 are refused
/// before parsing (``ExportSniffer``); no network, no DTD loading, no entity substitution.
enum PushParse {
    static let blockSize = 1 << 20

    /// Parses the file at `path` with `handler`, its callbacks reaching `state` through `userData`.
    /// `onBytes` sees every byte read, in order (for a digest); `progress` is called after each block.
    /// Returns the number of bytes read.
    static func run(path: String, handler: inout xmlSAXHandler, state: some PushParseState, userData: UnsafeMutableRawPointer,
                    onBytes: ((UnsafeRawBufferPointer) -> Void)? = nil,
                    progress: ((_ bytesRead: Int64, _ totalBytes: Int64) -> Void)? = nil) throws -> Int64 {
        ExternalEntities.refuseAll()
        try ExportSniffer.refuseFolder(path)
        // Without blocking, so that a named pipe is refused below rather than waited on (O_NONBLOCK does
        // not change reads of a regular file).
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw ReadError(file: path, line: 0, column: 0, reason: "cannot open the export: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw ReadError(file: path, line: 0, column: 0, reason: "the export is not a regular file")
        }
        let total = Int64(info.st_size)
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: blockSize)
        defer { buffer.deallocate() }
        let head = try readFully(fd, buffer, ExportSniffer.headSize, path: path)
        state.declaredEncoding = try ExportSniffer.check(Array(UnsafeRawBufferPointer(start: buffer, count: head)), file: path)
            .declaredEncoding
        onBytes?(UnsafeRawBufferPointer(start: buffer, count: head))
        guard let context = xmlCreatePushParserCtxt(&handler, userData, buffer, Int32(head), path) else {
            throw ReadError(file: path, line: 0, column: 0, reason: "libxml2 could not create a parser")
        }
        defer {
            if let document = context.pointee.myDoc { xmlFreeDoc(document) }
            xmlFreeParserCtxt(context)
        }
        // No network, no DTD loading, no entity substitution (entities are refused at declaration).
        xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue) | Int32(XML_PARSE_NOCDATA.rawValue))
        state.context = context
        var bytesRead = Int64(head)
        while state.failure == nil {
            let n = Glibc.read(fd, buffer, blockSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadError(file: path, line: state.line, column: 0, reason: "reading the export failed: \(String(cString: strerror(errno)))")
            }
            state.atEnd = n == 0
            let status = xmlParseChunk(context, buffer, Int32(n), n == 0 ? 1 : 0)
            bytesRead += Int64(n)
            onBytes?(UnsafeRawBufferPointer(start: buffer, count: n))
            if let failure = state.failure { throw failure }
            if state.isStopped { break }
            if status != 0 {
                throw ReadError(file: path, line: state.line, column: 0, reason: "the export is not well-formed XML (libxml2 error \(status))")
            }
            progress?(bytesRead, total)
            if n == 0 { break }
        }
        if let failure = state.failure { throw failure }
        return bytesRead
    }

    /// Reads up to `count` bytes (fewer only at the end of the file).
    private static func readFully(_ fd: Int32, _ buffer: UnsafeMutablePointer<CChar>, _ count: Int, path: String) throws -> Int {
        var done = 0
        while done < count {
            let n = Glibc.read(fd, buffer + done, count - done)
            if n < 0, errno == EINTR { continue }
            if n < 0 {
                throw ReadError(file: path, line: 0, column: 0, reason: "reading the export failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            done += n
        }
        return done
    }
}
