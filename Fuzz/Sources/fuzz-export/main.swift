import FuzzSupport

/// libFuzzer's entry: one input, read as a reference-format export through the built-in mapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExport(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    ExportTarget.reference.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
