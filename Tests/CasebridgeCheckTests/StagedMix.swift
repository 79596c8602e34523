import CasebridgeCheck
import CasebridgeGenerate
import Foundation
import TestSupport

/// A generated export with the bench's mix (small inline parts, a third of the parts as attachment
/// files) in `folder`, read and staged with the reference mapping and policy.
func stagedMix(families: Int, seed: UInt64, in folder: TemporaryFolder) throws -> StagedExport {
    var options = GeneratorOptions(families: families, seed: seed)
    options.inlinePartBytes = 256
    options.hrefPartRate = 0.33
    let export = try ExportGenerator(options: options).write(to: folder.url.appendingPathComponent("export")).exportFile
    return try ExportStaging(mapping: Reference.mapping).read(export: export.path, into: .temporary()).finish(policy: Reference.policy)
}
