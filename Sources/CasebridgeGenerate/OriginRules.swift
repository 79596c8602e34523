import CasebridgeModel

/// One live copy of an origin (written, not quarantined, not the second record of a duplicated id),
/// as `family-document-missing` and `replica-diverges` see it.
struct OriginCopy {
    let id: String
    let person: String
    /// The copy's `version` (1 when absent).
    let version: Int
    /// `Manifest@sha256`, nil when the copy has no Manifest.
    let manifestSha256: String?
    /// Where the copy's start tag is.
    let source: SourceLocation
}

/// The generator's own reckoning of the two rules judged over all copies of an origin, for one export
/// (``ExportWriter``) and for the merged state of a series (``SeriesOracle``) alike.
enum OriginRules {
    /// The findings of one origin whose event (`type`, `date`) concerns `family`. `children` are the
    /// Persons who were child members of the family on the event date; `copies` are in file order,
    /// and a missing copy is reported at the first one.
    static func findings(
        origin: String, type: String, date: CivilDate, family: String, children: [String], copies: [OriginCopy]
    ) -> [Finding] {
        guard let first = copies.first else { return [] }
        var out: [Finding] = []
        let holders = Set(copies.map(\.person))
        for child in children where !holders.contains(child) {
            var finding = Expect.familyDocumentMissing(
                origin: origin, child: child, family: family, type: Vocabulary.title(of: type).lowercased(),
                date: date, line: first.source.line)
            finding.source = first.source
            out.append(finding)
        }
        func at(_ copy: OriginCopy, _ finding: Finding) -> Finding {
            var finding = finding
            finding.source = copy.source
            return finding
        }
        let top = copies.map(\.version).max()!
        var atTop: [OriginCopy] = []
        for copy in copies {
            if copy.version < top {
                out.append(at(copy, Expect.replicaDiverges(
                    copy.id, origin: origin, "holds version \(copy.version) below version \(top)", line: copy.source.line)))
            } else {
                atTop.append(copy)
            }
        }
        // A missing Manifest is a value of its own.
        let values = atTop.map { $0.manifestSha256 ?? "(no manifest)" }
        var tally: [String: Int] = [:]
        for v in values { tally[v, default: 0] += 1 }
        let majority = tally.first { $0.value * 2 > values.count }?.key
        for (copy, value) in zip(atTop, values) where value != majority {
            out.append(at(copy, Expect.replicaDiverges(
                copy.id, origin: origin,
                majority == nil ? "differs in content from other copies at version \(top), with no majority"
                    : "differs in content from the majority of copies at version \(top)",
                line: copy.source.line)))
        }
        return out
    }
}
