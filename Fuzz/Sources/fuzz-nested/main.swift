import FuzzSupport

/// libFuzzer's entry: one input, read as an export through the nested mapping (Fuzz/mappings/nested-households.yaml).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNested(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    ExportTarget.nested.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
