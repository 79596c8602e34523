import FuzzSupport

/// libFuzzer's entry: one input, read as a part's href inside the export's folder.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHref(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    HrefTarget.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
