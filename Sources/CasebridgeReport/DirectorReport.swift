import CasebridgeCheck
import CasebridgeModel
import CasebridgeTarget

/// The director's report: one self-contained HTML page (inline CSS and SVG, no script, nothing
/// fetched) that reads on screen and prints on A4. It leads with the headline, then charts each with
/// its numbers in a table. Children and families appear only as pseudonyms; no message, name, date of
/// birth or legacy id is written.
///
/// Every figure sits in an element with a `data-figure` key (`rule.late-upload`, `team.T-LAC.total`),
/// the same keys summary.json uses, so tests and tools can read the page's numbers back.
public struct DirectorReport: Sendable {
    public var data: ReportData
    public var figures: ReportFigures
    public var counts: SmallCounts

    public init(data: ReportData, figures: ReportFigures, counts: SmallCounts) {
        self.data = data
        self.figures = figures
        self.counts = counts
    }

    /// The page, whole.
    public func html() -> String {
        let run = data.run
        let asOf = run.asOf?.uk ?? "an unknown date"
        var page = """
            <!DOCTYPE html>
            <html lang="en-GB">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="referrer" content="no-referrer">
            <title>Gaps in children's records: run \(run.id), as of \(escapeHTML(asOf))</title>
            <style>\(Self.css)</style>
            </head>
            <body>
            <main>
            <header>
            <p class="kicker">Casebridge report on the migrated records\(counts.suppress ? " · small numbers suppressed" : "")</p>
            <h1>Gaps in children's records</h1>
            <p class="meta">Run \(run.id) as of \(escapeHTML(asOf))\(run.exportId.map { " · export \(escapeHTML($0))" } ?? "")\(run.sequence.map { ", sequence \($0)" } ?? "")</p>
            </header>

            """
        page += headline()
        page += byRule()
        page += byTeam()
        page += byAge()
        page += trend()
        page += topFamilies()
        page += notes()
        page += "</main>\n</body>\n</html>\n"
        return page
    }

    // MARK: Sections

    private func headline() -> String {
        let h = figures.headline
        let critical = figures.bySeverity[Severity.critical.rank]
        let latest = figures.trend.last
        var out = "<section class=\"headline\" aria-label=\"Headline\">\n<div class=\"cards\">\n"
        out += card("headline.childrenWithCriticalGaps", h.childrenWithCriticalGaps, "children with at least one critical gap", style: "critical")
        out += card("headline.missingFamilyCopies", h.missingFamilyCopies, "copies of family documents missing from children's records", style: "critical")
        out += card("total", figures.total, "gaps in all, \(counts.text("severity.critical", critical)) of them critical", style: "neutral")
        if let latest, figures.trend.count > 1 {
            let new = counts.text("trend.\(latest.run).new", latest.new)
            out += card("trend.\(latest.run).resolved", latest.resolved, "gaps resolved since the run before; \(new) new", style: "good")
        } else {
            out += card(QuarantineCount.jsonKey, figures.quarantined, "records \(QuarantineCount.label): they could not load", style: "neutral",
                        link: Self.quarantineLink)
        }
        out += "</div>\n"
        out += "<p class=\"lead\">\(escapeHTML(Self.criticalSentence(h, counts)))<br>\(escapeHTML(Self.familySentence(h, counts)))</p>\n"
        out += "</section>\n"
        return out
    }

    /// "Children with at least one critical gap: N", as `check` words it.
    public static func criticalSentence(_ h: ReportFigures.Headline, _ counts: SmallCounts) -> String {
        "Children with at least one critical gap: \(counts.text("headline.childrenWithCriticalGaps", h.childrenWithCriticalGaps))"
    }

    /// "Family documents missing: N copies of M family documents, missing from C children in F families", as `check` words it.
    /// A hidden count takes the plural, so the noun does not tell a 1 apart.
    public static func familySentence(_ h: ReportFigures.Headline, _ counts: SmallCounts) -> String {
        func plural(_ key: String, _ n: Int, _ one: String, _ many: String) -> String {
            "\(counts.text("headline." + key, n)) \(n == 1 && !counts.hides("headline." + key, n) ? one : many)"
        }
        return "Family documents missing: \(plural("missingFamilyCopies", h.missingFamilyCopies, "copy", "copies"))"
            + " of \(plural("familyDocumentsWithMissingCopies", h.familyDocumentsWithMissingCopies, "family document", "family documents"))"
            + ", missing from \(plural("childrenMissingCopies", h.childrenMissingCopies, "child", "children"))"
            + " in \(plural("familiesMissingCopies", h.familiesMissingCopies, "family", "families"))"
    }

    private func byRule() -> String {
        let bars = figures.byRule.map { Charts.Bar(label: $0.rule, value: $0.count, key: "rule.\($0.rule)", style: "sev-\($0.severity)") }
        var rows = ""
        for rule in figures.byRule {
            rows += "<tr><th scope=\"row\"><code>\(escapeHTML(rule.rule))</code></th><td>\(escapeHTML(RuleRegistry.gap(rule.rule)))</td>"
            rows += "<td><span class=\"sev sev-\(escapeHTML(rule.severity))\">\(escapeHTML(rule.severity))</span></td>"
            rows += cell("rule.\(rule.rule)", rule.count) + "</tr>\n"
        }
        var severityRow = ""
        for severity in Severity.allCases {
            severityRow += "<tr><th scope=\"row\" colspan=\"3\">All \(severity.rawValue) gaps</th>\(cell("severity.\(severity.rawValue)", figures.bySeverity[severity.rank]))</tr>\n"
        }
        let table = """
            <table id="by-rule"><caption>Gaps by rule</caption>
            <thead><tr><th scope="col">Rule</th><th scope="col">What the gap is</th><th scope="col">Severity</th><th scope="col" class="n">Gaps</th></tr></thead>
            <tbody>
            \(rows)</tbody>
            <tfoot>
            \(severityRow)<tr><th scope="row" colspan="3">All gaps</th>\(cell("total", figures.total))</tr>
            </tfoot></table>
            """
        return section(id: "rules", title: "Gaps by rule and severity",
                       intro: "Each bar is one integrity rule, coloured by its severity. Critical gaps are the ones to close before go-live.",
                       chart: Charts.horizontalBars(bars, title: "Gaps by rule", counts: counts, labelFontSize: 12),
                       table: table, layout: "stacked")
    }

    private func byTeam() -> String {
        let bars = figures.byTeam.map { Charts.Bar(label: teamLabel($0.team), value: $0.total, key: "team.\($0.team ?? Self.noTeamKey).total", style: "team") }
        var rows = ""
        for team in figures.byTeam {
            let key = "team.\(team.team ?? Self.noTeamKey)"
            rows += "<tr><th scope=\"row\">\(escapeHTML(teamLabel(team.team)))</th>"
            for severity in Severity.allCases { rows += cell("\(key).\(severity.rawValue)", team.bySeverity[severity.rank]) }
            rows += cell("\(key).total", team.total) + "</tr>\n"
        }
        let table = """
            <table id="by-team"><caption>Gaps by team and severity</caption>
            <thead><tr><th scope="col">Team</th><th scope="col" class="n">Critical</th><th scope="col" class="n">High</th><th scope="col" class="n">Medium</th><th scope="col" class="n">Low</th><th scope="col" class="n">All</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>
            """
        return section(id: "teams", title: "Gaps by team",
                       intro: "The team that holds the child's case on the as-of date. Each team has its own worklist (teams/&lt;team&gt;.csv) naming every record to fix.",
                       chart: Charts.horizontalBars(bars, title: "Gaps by team", counts: counts),
                       table: table, layout: "pair")
    }

    private func byAge() -> String {
        let buckets = AgeBucket.allCases
        let bars = buckets.enumerated().map {
            Charts.Bar(label: $1.shortLabel, value: figures.byAge[$0], key: "age.\($1.rawValue)", style: $1 == .unknown ? "age-unknown" : "age")
        }
        var rows = ""
        for (index, bucket) in buckets.enumerated() {
            rows += "<tr><th scope=\"row\">\(escapeHTML(bucket.label))</th>\(cell("age.\(bucket.rawValue)", figures.byAge[index]))</tr>\n"
        }
        let table = """
            <table id="by-age"><caption>Gaps by weeks since the event</caption>
            <thead><tr><th scope="col">Since the event</th><th scope="col" class="n">Gaps</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>
            """
        return section(id: "age", title: "How long gaps have been open",
                       intro: "Weeks from the event a gap concerns (the meeting, the visit due, the review due) to the as-of date. Gaps with no event date (an overdue visit, a bad value) are counted apart.",
                       chart: Charts.columns(bars, title: "Gaps by weeks since the event", counts: counts, axisLabel: "weeks since the event"),
                       table: table, layout: "pair")
    }

    private func trend() -> String {
        let points = figures.trend
        let series = [
            Charts.Series(name: "open", values: points.map(\.open), keys: points.map { "trend.\($0.run).open" }, style: "series-open"),
            Charts.Series(name: "new", values: points.map(\.new), keys: points.map { "trend.\($0.run).new" }, style: "series-new"),
            Charts.Series(name: "resolved", values: points.map(\.resolved), keys: points.map { "trend.\($0.run).resolved" }, style: "series-resolved"),
        ]
        var rows = ""
        for point in points {
            rows += "<tr><th scope=\"row\">Run \(point.run)</th><td>\(escapeHTML(point.asOf?.uk ?? "unknown"))</td>"
            rows += cell("trend.\(point.run).open", point.open) + cell("trend.\(point.run).new", point.new)
            rows += cell("trend.\(point.run).resolved", point.resolved) + "</tr>\n"
        }
        let table = """
            <table id="trend"><caption>Open, new and resolved gaps per run</caption>
            <thead><tr><th scope="col">Run</th><th scope="col">As of</th><th scope="col" class="n">Open</th><th scope="col" class="n">New</th><th scope="col" class="n">Resolved</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>
            """
        let labels = points.map { "Run \($0.run)" }
        let title = "Open, new and resolved gaps per run"
        // Columns read better than lines while there are few runs.
        let chart = points.count <= Self.columnRuns
            ? Charts.groupedColumns(series, groups: labels, title: title, counts: counts)
            : Charts.lines(series, xLabels: labels, title: title, counts: counts)
        let intro = points.count > 1
            ? "Every loaded run up to this one. New: gaps the run before did not have. Resolved: gaps the run before had and this one does not."
            : "Only one run has been loaded so far; the trend grows with every migrate run."
        return section(id: "trend", title: "Trend across runs", intro: intro,
                       chart: chart,
                       table: table, layout: "pair")
    }

    private func topFamilies() -> String {
        let families = figures.topFamilies
        let bars = families.map { Charts.Bar(label: $0.pseudonym, value: $0.gaps, key: "family.\($0.pseudonym).gaps", style: "family") }
        var rows = ""
        for family in families {
            let key = "family.\(family.pseudonym)"
            rows += "<tr><th scope=\"row\">\(escapeHTML(family.pseudonym))</th>"
            rows += cell("\(key).gaps", family.gaps) + cell("\(key).critical", family.critical) + cell("\(key).children", family.children) + "</tr>\n"
        }
        let table = """
            <table id="families"><caption>Families with the most gaps</caption>
            <thead><tr><th scope="col">Family</th><th scope="col" class="n">Gaps</th><th scope="col" class="n">Critical</th><th scope="col" class="n">Children</th></tr></thead>
            <tbody>
            \(rows)</tbody></table>
            """
        return section(id: "families", title: "Families with the most gaps",
                       intro: "The \(ReportFigures.topFamilyCount) families named by the most gaps (gaps about a family document, a copy or a family's child's document). Families are shown by pseudonym only; the teams' worklists carry the real ids.",
                       chart: families.isEmpty ? "<p>No gap names a family.</p>" : Charts.horizontalBars(bars, title: "Families with the most gaps", counts: counts),
                       table: table, layout: "pair")
    }

    private func notes() -> String {
        var out = "<section class=\"notes\" id=\"notes\"><h2>About this report</h2><ul>\n"
        out += "<li>Drawn from the target database's record of run \(data.run.id) (<span data-figure=\"\(QuarantineCount.jsonKey)\">\(counts.text(QuarantineCount.jsonKey, figures.quarantined))</span> records \(QuarantineCount.label) after that run, those of earlier exports still waiting included: they could not load; \(Self.quarantineLink) lists them with their reasons).</li>\n"
        if let audit = data.run.audit {
            out += "<li>Run \(data.run.id) loaded export \(escapeHTML(data.run.exportId ?? "?")) (SHA-256 \(escapeHTML(RunAudit.short(data.run.exportSHA256)))) with \(escapeHTML(audit.configuration)).</li>\n"
        }
        out += "<li>Children and families appear only as pseudonyms (a keyed hash whose secret is kept beside the target database), the same from run to run. No names, dates of birth or case ids are shown.</li>\n"
        if counts.suppress {
            out += "<li>Numbers from 1 to 4 are shown as \"\(SmallCounts.words)\" and drawn as dashed outlines at the height of 5. So that none can be worked out by subtracting the numbers shown from a total, some other numbers are shown as \"\(SmallCounts.withheldWords)\" and not drawn; rows whose numbers are hidden are listed after the others, by name.</li>\n"
        }
        out += "<li>Severity: critical gaps leave a child's record without a document it must hold; high and medium gaps need correcting before the records are relied on.</li>\n"
        out += "</ul></section>\n"
        return out
    }

    // MARK: Pieces

    /// Up to this many runs the trend is drawn as columns, beyond it as lines.
    static let columnRuns = 6

    /// The `data-figure` key of the gaps no team holds.
    public static let noTeamKey = "none"

    /// The link to the quarantined records' list, which the director's report writes beside the page.
    static let quarantineLink = "<a href=\"\(Report.quarantineFile)\">\(Report.quarantineFile)</a>"

    /// How a team is named on the page: its name in the target, else its id.
    func teamLabel(_ team: String?) -> String {
        guard let team else { return "no team" }
        return data.teamNames[team] ?? team
    }

    private func card(_ key: String, _ value: Int, _ text: String, style: String, link: String? = nil) -> String {
        "<div class=\"card \(style)\"><span class=\"big\" data-figure=\"\(escapeHTML(key))\">\(counts.text(key, value))</span>"
            + "<span class=\"what\">\(escapeHTML(text))\(link.map { " (" + $0 + ")" } ?? "")</span></div>\n"
    }

    private func cell(_ key: String, _ value: Int) -> String {
        "<td class=\"n\" data-figure=\"\(escapeHTML(key))\">\(counts.text(key, value))</td>"
    }

    private func section(id: String, title: String, intro: String, chart: String, table: String, layout: String) -> String {
        """
        <section id="\(id)" class="layout-\(layout)">
        <h2>\(escapeHTML(title))</h2>
        <p class="intro">\(intro)</p>
        <div class="\(layout)">
        <figure>\(chart)</figure>
        <div class="numbers">\(table)</div>
        </div>
        </section>

        """
    }

    static let css = """
        :root { --ink: #1d2733; --muted: #5b6673; --rule: #d6dbe1; --critical: #b2182b; --high: #e66101; --medium: #f1a340; --low: #7fb0d3; }
        * { box-sizing: border-box; }
        html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        body { margin: 0; background: #f4f6f8; color: var(--ink); font: 15px/1.45 "DejaVu Sans", "Segoe UI", Arial, sans-serif; }
        main { max-width: 1120px; margin: 0 auto; padding: 28px 32px 40px; background: #fff; }
        header { border-bottom: 3px solid var(--ink); margin-bottom: 18px; }
        .kicker { margin: 0; color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .06em; }
        h1 { margin: 4px 0 4px; font-size: 30px; }
        .meta { margin: 0 0 12px; color: var(--muted); }
        h2 { font-size: 20px; margin: 0 0 4px; padding-top: 6px; border-top: 1px solid var(--rule); }
        section { margin: 0 0 26px; break-inside: avoid; page-break-inside: avoid; }
        .intro { margin: 0 0 10px; color: var(--muted); font-size: 14px; max-width: 80ch; }
        .cards { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 12px; }
        .card { border: 1px solid var(--rule); border-top: 6px solid var(--muted); padding: 10px 12px; border-radius: 4px; }
        .card.critical { border-top-color: var(--critical); }
        .card.good { border-top-color: #1a9850; }
        .big { display: block; font-size: 34px; font-weight: 700; line-height: 1.1; }
        .what { display: block; color: var(--muted); font-size: 13px; }
        .lead { font-size: 16px; margin: 14px 0 0; padding: 10px 14px; background: #f4f6f8; border-left: 4px solid var(--critical); }
        figure { margin: 0; }
        svg.chart { width: 100%; height: auto; display: block; }
        .pair { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 20px; align-items: start; }
        .stacked > * + * { margin-top: 10px; }
        .stacked svg.chart { max-width: 720px; }
        table { border-collapse: collapse; width: 100%; font-size: 13px; }
        caption { text-align: left; font-weight: 700; padding-bottom: 4px; }
        th, td { padding: 3px 8px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
        thead th { border-bottom: 2px solid var(--ink); }
        tfoot th, tfoot td { font-weight: 700; }
        td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tbody th { white-space: nowrap; }
        #by-team tbody th, #by-team td.n { white-space: normal; }
        #by-team tbody th { min-width: 10ch; }
        code { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; }
        .sev { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; }
        .sev.sev-critical { background: var(--critical); color: #fff; }
        .sev.sev-high { background: var(--high); color: #fff; }
        .sev.sev-medium { background: var(--medium); color: #1d2733; }
        .sev.sev-low { background: var(--low); color: #1d2733; }
        .chart text { font-size: 12px; fill: var(--ink); }
        .chart .tick { fill: var(--muted); font-size: 11px; }
        .chart .axis { stroke: var(--ink); stroke-width: 1; }
        .chart .grid { stroke: var(--rule); stroke-width: 1; }
        .bar.sev-critical { fill: var(--critical); }
        .bar.sev-high { fill: var(--high); }
        .bar.sev-medium { fill: var(--medium); }
        .bar.sev-low { fill: var(--low); }
        .bar.team { fill: #2b5797; }
        .bar.age { fill: #5e3c99; }
        .bar.age-unknown { fill: #9e9ac8; }
        .bar.family { fill: #8c510a; }
        .line { fill: none; stroke-width: 2.5; }
        .series-open { stroke: #2b5797; fill: #2b5797; }
        .series-new { stroke: var(--critical); fill: var(--critical); }
        .series-resolved { stroke: #1a9850; fill: #1a9850; }
        polyline.line { fill: none; }
        .hidden-count { fill: #fff !important; stroke: #555; stroke-width: 1.5; stroke-dasharray: 4 3; }
        .notes ul { margin: 6px 0 0; padding-left: 20px; color: var(--muted); font-size: 13px; }
        @media (max-width: 860px) { .pair { grid-template-columns: 1fr; } .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
        @page { size: A4; margin: 14mm 12mm; }
        @media print {
          body { background: #fff; font-size: 10pt; }
          main { max-width: none; padding: 0; }
          h1 { font-size: 20pt; }
          h2 { font-size: 13pt; break-after: avoid; }
          .big { font-size: 20pt; }
          .cards { grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 6px; }
          .pair { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 10px; }
          table { font-size: 8pt; }
          th, td { padding: 2px 4px; }
          section { break-inside: auto; page-break-inside: auto; }
          .headline, .pair, figure, table { break-inside: avoid; page-break-inside: avoid; }
          .intro { font-size: 9pt; }
          section.layout-pair { break-inside: avoid; page-break-inside: avoid; }
          .pair .chart text { font-size: 15px; }
        }
        """
}
