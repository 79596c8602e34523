/// Where a staged record was read, as one sortable integer (the staging column `line`).
///
/// A record read from the export being checked keeps its plain line number. A record a delta load
/// carries over from the target's live state was read from an earlier export: its location is that
/// export's `sequence` in the high 32 bits and the line in the low 32, so that ordering by location
/// orders by export, then line, and a finding about it can name the file it came from. A migration
/// that keeps its staging for the next delta stages its own records' locations so too, naming its own
/// sequence, which reads as the export being checked.
public enum RecordLocation {
    private static let lineBits: Int64 = 32
    private static let lineMask: Int64 = (1 << 32) - 1

    /// The location of `line` in the export with `sequence`.
    public static func encode(sequence: Int, line: Int) -> Int {
        Int((Int64(sequence) << lineBits) | (Int64(line) & lineMask))
    }

    /// The export's sequence (`nil` for the export being checked) and the line in it.
    public static func decode(_ location: Int) -> (sequence: Int?, line: Int) {
        let sequence = Int64(location) >> lineBits
        return (sequence == 0 ? nil : Int(sequence), Int(Int64(location) & lineMask))
    }

    /// The file and line of `location`: a plain line is in `file` (the export being read, with
    /// `sequence`); an encoded one is in the earlier export `earlierFiles` names by sequence.
    public static func place(_ location: Int, file: String, sequence current: Int?, earlierFiles: [Int: String]) -> (file: String, line: Int) {
        let (sequence, line) = decode(location)
        guard let sequence, sequence != current else { return (file, line) }
        return (earlierFiles[sequence] ?? "the export with sequence \(sequence)", line)
    }

    /// SQL giving the location of a plain line in the export with `sequence`, leaving an encoded one.
    public static func encodeSQL(_ column: String, sequence: Int) -> String {
        "(CASE WHEN \(column) IS NULL OR \(column) > \(lineMask) THEN \(column) ELSE (\(sequence) << \(lineBits)) | \(column) END)"
    }

    /// SQL giving the line within its file of a location.
    public static func lineSQL(_ column: String) -> String { "(\(column) & \(lineMask))" }

    /// SQL giving the sequence of a location's export, or `current` for a plain line.
    public static func sequenceSQL(_ column: String, current: Int?) -> String {
        "(CASE WHEN \(column) > \(lineMask) THEN \(column) >> \(lineBits) ELSE \(current.map(String.init) ?? "NULL") END)"
    }
}
