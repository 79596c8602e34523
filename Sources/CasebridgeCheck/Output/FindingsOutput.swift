import CasebridgeModel

/// The formats `check` writes findings in.
public enum FindingsFormat: String, CaseIterable, Sendable {
    /// For a person: per rule, the count, the severity and the first few findings; then a summary.
    case text
    /// The machine contract of `docs/findings-format.md`.
    case json
    /// One finding a row with a header, for spreadsheets.
    case csv
}

extension FindingsDocument {
    /// Whether `prefix`, the first bytes of a file, begins a findings file `check` writes in one of its
    /// formats (text, JSON or CSV): what `check --output` may replace.
    public static func isOwnOutput(prefix: [UInt8]) -> Bool {
        var text = prefix
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text.removeFirst(3) }
        let head = String(decoding: text.prefix(256), as: UTF8.self)
        let csv = CSVWriter.record(csvLeadingColumns).dropLast(CSVWriter.lineEnd.count) + ","
        if head.hasPrefix(textTitle) || head.hasPrefix(csv) { return true }
        return head.hasPrefix("{") && head.contains("\"export\"") && head.contains("\"file\"")
    }

    /// How the text format begins: the title, then the export's file.
    static let textTitle = "Casebridge check of "

    /// The CSV format's first columns (the finding's fields, the export file and line follow).
    static let csvLeadingColumns = ["severity", "rule", "what is wrong", "what to do"]

    /// The document rendered in `format`, whole.
    public func rendered(as format: FindingsFormat, examplesPerRule: Int = 5) -> String {
        var out = ""
        write(as: format, examplesPerRule: examplesPerRule) { out += $0 }
        return out
    }

    /// Writes the document in `format` in pieces, so that a run with many findings never holds its
    /// whole output (JSON and CSV go one finding at a time).
    public func write(as format: FindingsFormat, examplesPerRule: Int = 5, _ write: (String) -> Void) {
        switch format {
        case .json:
            writeJSON(write)
            write("\n")
        case .csv: writeCSV(write)
        case .text: write(text(examplesPerRule: examplesPerRule))
        }
    }

    /// A report for a person reading a terminal.
    public func text(examplesPerRule: Int = 5) -> String {
        var out = Self.textTitle + export.file
        if let id = export.exportId { out += " (export \(id)" + (export.sequence.map { ", sequence \($0)" } ?? "") + ")" }
        out += "\n"
        if let asOf = export.asOf { out += "As of \(asOf.uk)\n" }
        let read = recordCounts.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        out += "Read: " + (read.isEmpty ? "no records" : read.joined(separator: ", ")) + "\n"
        out += quarantine.line() + "\n\n"
        let headline = self.headline
        out += "Children with at least one critical gap: \(headline.childrenWithCriticalGaps)\n"
        out += "Family documents missing: \(headline.missingFamilyCopies) cop\(headline.missingFamilyCopies == 1 ? "y" : "ies")"
        out += " of \(headline.originsWithMissingCopies) family document\(headline.originsWithMissingCopies == 1 ? "" : "s")"
        out += ", missing from \(headline.childrenMissingCopies) child\(headline.childrenMissingCopies == 1 ? "" : "ren")"
        out += " in \(headline.familiesMissingCopies) famil\(headline.familiesMissingCopies == 1 ? "y" : "ies")\n\n"

        // Per rule: its severity, its count and its first few findings (not all of them: they may be many).
        var byRule: [String: (severity: Severity, count: Int, examples: [Finding])] = [:]
        var bySeverity: [Severity: Int] = [:]
        var total = 0
        forEachFinding { finding in
            var entry = byRule[finding.rule] ?? (finding.severity, 0, [])
            entry.count += 1
            if entry.examples.count < examplesPerRule { entry.examples.append(finding) }
            byRule[finding.rule] = entry
            bySeverity[finding.severity, default: 0] += 1
            total += 1
        }
        let ordered = byRule.sorted { a, b in
            let sa = a.value.severity, sb = b.value.severity
            return sa != sb ? sa < sb : a.key < b.key
        }
        for (rule, entry) in ordered {
            out += "\(rule) (\(entry.severity.rawValue)): \(entry.count)\n"
            for finding in entry.examples {
                let place = finding.source.map { "line \($0.line): " } ?? ""
                out += "  \(place)\(finding.message)\n"
            }
            if entry.count > examplesPerRule { out += "  … and \(entry.count - examplesPerRule) more\n" }
        }
        let clean = rulesRun.filter { byRule[$0] == nil }
        if !clean.isEmpty { out += (ordered.isEmpty ? "" : "\n") + "No findings: \(clean.joined(separator: ", "))\n" }
        let parts = Severity.allCases.compactMap { severity in bySeverity[severity].map { "\($0) \(severity.rawValue)" } }
        out += "\nSummary: \(total) finding\(total == 1 ? "" : "s")"
        out += parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
        out += " in \(recordCounts.values.reduce(0, +)) records; \(quarantined) \(QuarantineCount.label)\n"
        return out
    }

    /// The figures a director asks for first.
    public struct Headline: Equatable, Sendable {
        /// Children named by at least one critical finding.
        public var childrenWithCriticalGaps: Int
        /// `family-document-missing` findings: one per copy a child should hold and does not.
        public var missingFamilyCopies: Int
        /// Family documents (origins) with at least one copy missing.
        public var originsWithMissingCopies: Int
        /// Children missing at least one copy.
        public var childrenMissingCopies: Int
        /// Families whose documents are missing from at least one child.
        public var familiesMissingCopies: Int
    }

    /// The headline figures, from the findings.
    public var headline: Headline {
        var critical = Set<String>()
        var missing = 0
        var origins = Set<String>(), children = Set<String>(), families = Set<String>()
        forEachFinding { finding in
            if finding.severity == .critical {
                if let child = finding[field: "child"] {
                    critical.insert(child)
                } else if finding[field: "recordKind"] == "Person", let id = finding[field: "recordId"] {
                    critical.insert(id)
                }
            }
            guard finding.rule == "family-document-missing" else { return }
            missing += 1
            if let origin = finding[field: "origin"] { origins.insert(origin) }
            if let child = finding[field: "child"] { children.insert(child) }
            if let family = finding[field: "family"] { families.insert(family) }
        }
        return Headline(
            childrenWithCriticalGaps: critical.count, missingFamilyCopies: missing,
            originsWithMissingCopies: origins.count, childrenMissingCopies: children.count, familiesMissingCopies: families.count)
    }

    /// One finding a row, in Casebridge's one CSV dialect (``CSVWriter``, as the report's worklists):
    /// severity, rule, what is wrong (the finding's message), what to do (the rule's action sentence),
    /// every key and context field seen (headed in plain words: `record kind`),
    /// then the export file and line, and, when a finding stands for more than one record, `export lines`
    /// (every line, separated by spaces).
    public func writeCSV(_ write: (String) -> Void) {
        // A first pass for the columns, a second for the rows: the findings may be too many to hold.
        var fieldNames: [String] = []
        var seen = Set<String>()
        var manyLines = false
        forEachFinding { finding in
            for field in finding.key + finding.context where seen.insert(field.name).inserted { fieldNames.append(field.name) }
            if !(finding.source?.lines.isEmpty ?? true) { manyLines = true }
        }
        let header = Self.csvLeadingColumns + fieldNames.map(Self.plainHeader) + ["export file", "export line"]
            + (manyLines ? ["export lines"] : [])
        write(CSVWriter.header(header))
        forEachFinding { finding in
            var row = [finding.severity.rawValue, finding.rule, finding.message, Self.whatToDo(finding)]
            row += fieldNames.map { finding[field: $0] ?? "" }
            row += [finding.source?.file ?? "", finding.source.map { String($0.line) } ?? ""]
            if manyLines { row.append((finding.source?.lines ?? []).map(String.init).joined(separator: " ")) }
            write(CSVWriter.record(row))
        }
    }

    /// What to do about `finding`: its rule's action sentence (``RuleWording``), with the ids it names.
    static func whatToDo(_ finding: Finding) -> String {
        var fields: [String: String] = [:]
        for field in finding.context + finding.key { fields[field.name] = field.value }
        let facts = GapFacts(child: fields["child"], document: fields["document"], date: nil,
                             record: (fields["recordKind"], fields["recordId"]), fields: fields, message: finding.message)
        return RuleRegistry.action(finding.rule, facts)
    }

    /// A field name as a column header: `recordKind` → `record kind`.
    static func plainHeader(_ name: String) -> String {
        var words = ""
        for character in name {
            if character.isUppercase, !words.isEmpty { words.append(" ") }
            words += character.lowercased()
        }
        return words
    }
}
