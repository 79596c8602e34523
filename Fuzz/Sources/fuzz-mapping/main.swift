import FuzzSupport

/// libFuzzer's entry: one input, read as a mapping file (and, when it loads, used to read two exports).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMapping(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    MappingTarget.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
