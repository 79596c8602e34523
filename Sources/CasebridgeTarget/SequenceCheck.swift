import CasebridgeModel
import CasebridgeStore

/// Why an export's `sequence` does not fit the target's history: it must not load.
public struct SequenceError: ExitStatusError, Sendable {
    public var exitStatus: ExitStatus { .sequence }

    public var reason: String
    public var description: String { reason }
}

/// The target already holds this export: running it again is a no-op, not a failure.
public struct ExportAlreadyLoaded: Error, CustomStringConvertible, Sendable {
    public var exportId: String?
    public var sequence: Int
    public var run: Int64
    public var loadedAt: String?

    public var description: String {
        "\(exportId ?? "the export") (sequence \(sequence)) was already loaded as run \(run)\(loadedAt.map { " at \($0)" } ?? ""); nothing to do"
    }
}

/// Where an export stands in the target's sequence of loaded exports.
public enum SequencePosition: Sendable, Equatable {
    /// The target has loaded nothing yet.
    case first
    /// The next export after the last loaded one.
    case next
    /// After a gap the user allowed: these sequences were never loaded.
    case afterGap(missing: [Int])
}

/// Sequence discipline: every export's `sequence` is recorded with its run; an export already loaded
/// is skipped, an older one is refused, and a gap is refused unless the user allows it.
package enum SequenceCheck {
    /// Where `export` stands among the target's `runs` (`nil` for a target still to be created).
    /// `exportDigest` gives the SHA-256 of the export's bytes, asked for only when the target loaded an
    /// export of the same id and sequence: the same bytes are a no-op, other bytes are refused.
    package static func position(in runs: (any TargetRuns)?, export: ExportHeader, allowGap: Bool,
                                 exportDigest: () -> String?) throws -> SequencePosition {
        guard let sequence = export.sequence else {
            throw SequenceError(reason: "the export has no valid sequence, so Casebridge cannot tell whether it was loaded or what it follows; nothing was changed")
        }
        let deltaFirst = SequenceError(reason: "\(export.exportId ?? "the export") is a delta export (sequence \(sequence)): it changes a state the target does not hold yet; load the full export it follows first; nothing was changed")
        guard let runs else {
            if export.kind == "delta" { throw deltaFirst }
            return .first
        }
        if let same = try runs.loadedRun(sequence: sequence) {
            guard same.exportID == export.exportId else {
                throw SequenceError(reason: "sequence \(sequence) was loaded from \(same.exportID ?? "another export") as run \(same.runID); this export (\(export.exportId ?? "no exportId")) claims the same sequence; nothing was changed")
            }
            if let loaded = same.exportSHA256, let digest = exportDigest(), digest != loaded {
                throw SequenceError(reason: "\(export.exportId ?? "the export") (sequence \(sequence)) was loaded as run \(same.runID) from a file with SHA-256 \(loaded.prefix(16))…, and this file holds other bytes (SHA-256 \(digest.prefix(16))…) under the same export id and sequence: the legacy system wrote it again, or it was changed; a new export needs a new sequence; nothing was changed")
            }
            throw ExportAlreadyLoaded(exportId: export.exportId, sequence: sequence, run: same.runID, loadedAt: same.finishedAt)
        }
        guard let last = try runs.lastLoadedRun()?.sequence else {
            if export.kind == "delta" { throw deltaFirst }
            return .first
        }
        if sequence < last {
            throw SequenceError(reason: "sequence \(sequence) is older than the last loaded export (sequence \(last)): loading it now would undo newer changes; nothing was changed")
        }
        if sequence == last + 1 { return .next }
        let missing = Array((last + 1)..<sequence)
        guard allowGap else {
            throw SequenceError(reason: "sequence \(sequence) follows \(last): \(Self.describe(missing)) \(missing.count == 1 ? "is" : "are") missing; load \(missing.count == 1 ? "it" : "them") first, or give --allow-gap to go on without; nothing was changed")
        }
        return .afterGap(missing: missing)
    }

    /// "sequence 413" or "sequences 413–415" or "sequences 413, 415".
    package static func describe(_ missing: [Int]) -> String {
        if missing.count == 1 { return "sequence \(missing[0])" }
        if missing.count > 2 { return "sequences \(missing.first!)–\(missing.last!)" }
        return "sequences " + missing.map(String.init).joined(separator: ", ")
    }
}
