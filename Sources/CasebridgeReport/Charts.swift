import Foundation

/// Text made safe for HTML and SVG content and attribute values.
func escapeHTML(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(character)
        }
    }
    return out
}

/// Inline SVG charts: no script, no external resource, sized by their viewBox so they scale to the
/// page. A small count (``SmallCounts``) is drawn dashed and empty at the threshold, so neither the
/// length nor the label tells more than "fewer than 5"; a withheld count is not drawn, only labelled.
/// Room for labels is measured from their text (``textWidth(_:fontSize:)``) at the largest size the
/// page's CSS gives them (15 in print), so no label runs outside its chart.
enum Charts {
    /// One bar.
    struct Bar {
        var label: String
        var value: Int
        /// The figure's `data-figure` key, which decides whether it is hidden.
        var key: String
        /// A CSS class that colours it (`sev-critical`, `series-open`, …).
        var style: String
    }

    /// The largest font size, in the SVG's units, that the page's CSS gives chart text (print, paired charts).
    static let largestFontSize = 15.0

    /// A horizontal bar chart: one row per bar, its label on the left and its count at its end. The
    /// labels' column is as wide as the widest label at `labelFontSize`; a chart whose labels leave
    /// its bars less than 260 units is drawn wider (and so scaled down on the page) rather than cut.
    static func horizontalBars(_ bars: [Bar], title: String, counts: SmallCounts, labelFontSize: Double = largestFontSize) -> String {
        let row = 26, top = 8
        let height = top * 2 + max(1, bars.count) * row
        let widest = bars.map { textWidth($0.label, fontSize: labelFontSize) }.max() ?? 0
        let labelWidth = max(60, widest + 14)
        let valueWidth = bars.map { textWidth(counts.text($0.key, $0.value), fontSize: labelFontSize) }.max() ?? 0
        let width = max(640, labelWidth + 260 + valueWidth + 12)
        let plot = width - labelWidth - valueWidth - 12
        let maximum = max(1, bars.compactMap { counts.drawn($0.key, $0.value) }.max() ?? 1)
        var svg = svgOpen(width: width, height: height, title: title)
        for (index, bar) in bars.enumerated() {
            let y = top + index * row
            let length = barLength(counts.drawn(bar.key, bar.value), of: maximum, in: plot)
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 17)\" text-anchor=\"end\" class=\"label\">\(escapeHTML(bar.label))</text>"
            if length > 0 { svg += rect(x: labelWidth, y: y + 4, width: length, height: row - 8, style: bar.style, hidden: counts.isSmall(bar.value)) }
            svg += "<text x=\"\(labelWidth + length + 6)\" y=\"\(y + 17)\" class=\"value\">\(counts.text(bar.key, bar.value))</text>"
        }
        svg += "<line x1=\"\(labelWidth)\" y1=\"\(top - 2)\" x2=\"\(labelWidth)\" y2=\"\(height - top + 2)\" class=\"axis\"/>"
        return svg + "</svg>"
    }

    /// A vertical bar chart: one column per bar, its label below and its count above.
    static func columns(_ bars: [Bar], title: String, counts: SmallCounts, axisLabel: String) -> String {
        let width = 640, height = 270, left = 20, bottom = 54, top = 24
        let slot = (width - left * 2) / max(1, bars.count)
        let plot = height - bottom - top
        let maximum = max(1, bars.compactMap { counts.drawn($0.key, $0.value) }.max() ?? 1)
        var svg = svgOpen(width: width, height: height, title: title)
        for (index, bar) in bars.enumerated() {
            let x = left + index * slot
            let length = barLength(counts.drawn(bar.key, bar.value), of: maximum, in: plot)
            let y = height - bottom - length
            if length > 0 { svg += rect(x: x + slot / 6, y: y, width: slot * 2 / 3, height: length, style: bar.style, hidden: counts.isSmall(bar.value)) }
            svg += centredText(counts.text(bar.key, bar.value), x: x + slot / 2, y: y - 6, width: width, style: "value")
            svg += centredText(bar.label, x: x + slot / 2, y: height - bottom + 18, width: width, style: "label")
        }
        svg += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - left)\" y2=\"\(height - bottom)\" class=\"axis\"/>"
        svg += "<text x=\"\(width / 2)\" y=\"\(height - 8)\" text-anchor=\"middle\" class=\"tick\">\(escapeHTML(axisLabel))</text>"
        return svg + "</svg>"
    }

    /// Columns side by side per group (a run), one per series, with a legend: the trend while there are few runs.
    static func groupedColumns(_ series: [Series], groups: [String], title: String, counts: SmallCounts) -> String {
        let width = 640, height = 280, left = 20, top = 24, bottom = 64
        let plot = height - top - bottom
        let slot = (width - left * 2) / max(1, groups.count)
        let column = min(56, slot * 3 / (4 * max(1, series.count)))
        let maximum = max(1, series.flatMap { line in zip(line.keys, line.values).compactMap { counts.drawn($0, $1) } }.max() ?? 1)
        var svg = svgOpen(width: width, height: height, title: title)
        for (group, label) in groups.enumerated() {
            let start = left + group * slot + (slot - column * series.count) / 2
            for (index, line) in series.enumerated() {
                let value = line.values[group], key = line.keys[group]
                let length = barLength(counts.drawn(key, value), of: maximum, in: plot)
                let x = start + index * column
                if length > 0 {
                    svg += rect(x: x + 3, y: height - bottom - length, width: column - 6, height: length, style: "fill " + line.style,
                                hidden: counts.isSmall(value))
                }
                svg += centredText(counts.text(key, value), x: x + column / 2, y: height - bottom - length - 6, width: width, style: "value")
            }
            svg += centredText(label, x: left + group * slot + slot / 2, y: height - bottom + 18, width: width, style: "label")
        }
        svg += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - left)\" y2=\"\(height - bottom)\" class=\"axis\"/>"
        svg += legend(series, y: height - 22, left: left)
        return svg + "</svg>"
    }

    private static func legend(_ series: [Series], y: Int, left: Int) -> String {
        var svg = "", x = left
        for line in series {
            svg += "<rect x=\"\(x)\" y=\"\(y - 6)\" width=\"14\" height=\"10\" class=\"\(line.style) fill\"/>"
            svg += "<text x=\"\(x + 20)\" y=\"\(y + 4)\" class=\"label\">\(escapeHTML(line.name))</text>"
            x += 130
        }
        return svg
    }

    /// One line of a line chart.
    struct Series {
        var name: String
        var values: [Int]
        /// Each value's `data-figure` key.
        var keys: [String]
        var style: String
    }

    /// A line chart over runs: one line per series, a point per run, the x axis labelled by run. A
    /// withheld value has no point, and its line breaks there.
    static func lines(_ series: [Series], xLabels: [String], title: String, counts: SmallCounts) -> String {
        let width = 640, height = 280, right = 24, top = 20, bottom = 64
        let maximum = niceCeiling(max(1, series.flatMap { line in zip(line.keys, line.values).compactMap { counts.drawn($0, $1) } }.max() ?? 1))
        let left = max(56, textWidth(String(maximum), fontSize: largestFontSize) + 14)
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let step = xLabels.count > 1 ? Double(plotWidth) / Double(xLabels.count - 1) : 0
        func x(_ index: Int) -> Double { xLabels.count > 1 ? Double(left) + Double(index) * step : Double(left + plotWidth / 2) }
        func y(_ drawn: Int) -> Double { Double(top + plotHeight) - Double(drawn) / Double(maximum) * Double(plotHeight) }
        var svg = svgOpen(width: width, height: height, title: title)
        for tick in 0...4 {
            let value = maximum * tick / 4
            let ty = y(value)
            svg += "<line x1=\"\(left)\" y1=\"\(format(ty))\" x2=\"\(width - right)\" y2=\"\(format(ty))\" class=\"grid\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(format(ty + 4))\" text-anchor=\"end\" class=\"tick\">\(value)</text>"
        }
        let every = max(1, xLabels.count / 12)
        for (index, label) in xLabels.enumerated() where index % every == 0 || index == xLabels.count - 1 {
            svg += "<text x=\"\(format(x(index)))\" y=\"\(height - bottom + 18)\" text-anchor=\"middle\" class=\"tick\">\(escapeHTML(label))</text>"
        }
        for line in series {
            // Runs of consecutive drawn points, each one polyline.
            var runs: [[String]] = [[]]
            for (index, (key, value)) in zip(line.keys, line.values).enumerated() {
                guard let drawn = counts.drawn(key, value) else { runs.append([]); continue }
                runs[runs.count - 1].append("\(format(x(index))),\(format(y(drawn)))")
                let hidden = counts.isSmall(value)
                svg += "<circle cx=\"\(format(x(index)))\" cy=\"\(format(y(drawn)))\" r=\"4\" class=\"point \(line.style)\(hidden ? " hidden-count" : "")\"/>"
            }
            for points in runs where points.count > 1 {
                svg += "<polyline points=\"\(points.joined(separator: " "))\" class=\"line \(line.style)\"/>"
            }
        }
        svg += legend(series, y: height - 22, left: left)
        svg += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(width - right)\" y2=\"\(top + plotHeight)\" class=\"axis\"/>"
        return svg + "</svg>"
    }

    /// A bar's length for a drawn value (`nil`: withheld, not drawn): 0 for 0, else at least 2.
    private static func barLength(_ drawn: Int?, of maximum: Int, in plot: Int) -> Int {
        guard let drawn, drawn > 0 else { return 0 }
        return max(2, Int((Double(drawn) / Double(maximum) * Double(plot)).rounded()))
    }

    /// A label centred on `x`, moved in from the chart's edges so all of it stays inside.
    private static func centredText(_ text: String, x: Int, y: Int, width: Int, style: String) -> String {
        let half = (textWidth(text, fontSize: largestFontSize) + 1) / 2
        let centre = min(max(x, half + 2), width - half - 2)
        return "<text x=\"\(centre)\" y=\"\(y)\" text-anchor=\"middle\" class=\"\(style)\">\(escapeHTML(text))</text>"
    }

    /// How wide `text` is drawn at `fontSize` in DejaVu Sans (the page's first font), rounded up and
    /// erring wide: each character's advance in ems, a little more than the font's own.
    static func textWidth(_ text: String, fontSize: Double) -> Int {
        var ems = 0.0
        for character in text {
            switch character {
            case " ": ems += 0.33
            case "-", ".", ",", ":", ";", "'", "|", "!": ems += 0.4
            case "i", "j", "l": ems += 0.3
            case "f", "r", "t": ems += 0.45
            case "m", "w", "M", "W": ems += 1.02
            case "0"..."9": ems += 0.66
            case "a"..."z": ems += 0.65
            case "A"..."Z": ems += 0.8
            default: ems += 0.9
            }
        }
        return Int((ems * fontSize).rounded(.up))
    }

    private static func svgOpen(width: Int, height: Int, title: String) -> String {
        "<svg viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(escapeHTML(title))\" class=\"chart\">"
            + "<title>\(escapeHTML(title))</title>"
    }

    private static func rect(x: Int, y: Int, width: Int, height: Int, style: String, hidden: Bool) -> String {
        "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(width)\" height=\"\(height)\" class=\"bar \(style)\(hidden ? " hidden-count" : "")\"/>"
    }

    /// 1, 2 or 5 times a power of ten, at least `value`: the top of an axis.
    static func niceCeiling(_ value: Int) -> Int {
        var power = 1
        while true {
            for factor in [1, 2, 5] where factor * power >= value { return factor * power }
            power *= 10
        }
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
