import FuzzSupport

/// libFuzzer's entry: one input, read as a policy file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPolicy(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    PolicyTarget.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
