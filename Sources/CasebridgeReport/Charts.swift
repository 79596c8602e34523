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
/// page. A suppressed count (``SmallCounts``) is drawn dashed and empty at the threshold, so neither the
/// length nor the label tells more than "fewer than 5".
enum Charts {
    /// One bar.
    struct Bar {
        var label: String
        var value: Int
        /// A CSS class that colours it (`sev-critical`, `series-open`, …).
        var style: String
    }

    /// A horizontal bar chart: one row per bar, its label on the left and its count at its end.
    static func horizontalBars(_ bars: [Bar], title: String, counts: SmallCounts, labelWidth: Int = 190) -> String {
        let width = 640, row = 26, top = 8
        let height = top * 2 + max(1, bars.count) * row
        let plot = width - labelWidth - 90
        let maximum = max(1, bars.map { counts.drawn($0.value) }.max() ?? 1)
        var svg = svgOpen(width: width, height: height, title: title)
        for (index, bar) in bars.enumerated() {
            let y = top + index * row
            let length = bar.value == 0 ? 0 : max(2, Int((Double(counts.drawn(bar.value)) / Double(maximum) * Double(plot)).rounded()))
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 17)\" text-anchor=\"end\" class=\"label\">\(escapeHTML(bar.label))</text>"
            svg += rect(x: labelWidth, y: y + 4, width: length, height: row - 8, style: bar.style, hidden: counts.hides(bar.value))
            svg += "<text x=\"\(labelWidth + length + 6)\" y=\"\(y + 17)\" class=\"value\">\(counts.text(bar.value))</text>"
        }
        svg += "<line x1=\"\(labelWidth)\" y1=\"\(top - 2)\" x2=\"\(labelWidth)\" y2=\"\(height - top + 2)\" class=\"axis\"/>"
        return svg + "</svg>"
    }

    /// A vertical bar chart: one column per bar, its label below and its count above.
    static func columns(_ bars: [Bar], title: String, counts: SmallCounts, axisLabel: String) -> String {
        let width = 640, height = 270, left = 20, bottom = 54, top = 24
        let slot = (width - left * 2) / max(1, bars.count)
        let plot = height - bottom - top
        let maximum = max(1, bars.map { counts.drawn($0.value) }.max() ?? 1)
        var svg = svgOpen(width: width, height: height, title: title)
        for (index, bar) in bars.enumerated() {
            let x = left + index * slot
            let length = bar.value == 0 ? 0 : max(2, Int((Double(counts.drawn(bar.value)) / Double(maximum) * Double(plot)).rounded()))
            let y = height - bottom - length
            svg += rect(x: x + slot / 6, y: y, width: slot * 2 / 3, height: length, style: bar.style, hidden: counts.hides(bar.value))
            svg += "<text x=\"\(x + slot / 2)\" y=\"\(y - 6)\" text-anchor=\"middle\" class=\"value\">\(counts.text(bar.value))</text>"
            svg += "<text x=\"\(x + slot / 2)\" y=\"\(height - bottom + 18)\" text-anchor=\"middle\" class=\"label\">\(escapeHTML(bar.label))</text>"
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
        let maximum = max(1, series.flatMap { $0.values.map(counts.drawn) }.max() ?? 1)
        var svg = svgOpen(width: width, height: height, title: title)
        for (group, label) in groups.enumerated() {
            let start = left + group * slot + (slot - column * series.count) / 2
            for (index, line) in series.enumerated() {
                let value = line.values[group]
                let length = value == 0 ? 0 : max(2, Int((Double(counts.drawn(value)) / Double(maximum) * Double(plot)).rounded()))
                let x = start + index * column
                svg += rect(x: x + 3, y: height - bottom - length, width: column - 6, height: length, style: "fill " + line.style,
                            hidden: counts.hides(value))
                svg += "<text x=\"\(x + column / 2)\" y=\"\(height - bottom - length - 6)\" text-anchor=\"middle\" class=\"value\">\(counts.text(value))</text>"
            }
            svg += "<text x=\"\(left + group * slot + slot / 2)\" y=\"\(height - bottom + 18)\" text-anchor=\"middle\" class=\"label\">\(escapeHTML(label))</text>"
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
        var style: String
    }

    /// A line chart over runs: one line per series, a point per run, the x axis labelled by run.
    static func lines(_ series: [Series], xLabels: [String], title: String, counts: SmallCounts) -> String {
        let width = 640, height = 280, left = 56, right = 24, top = 20, bottom = 64
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let maximum = niceCeiling(max(1, series.flatMap { $0.values.map(counts.drawn) }.max() ?? 1))
        let step = xLabels.count > 1 ? Double(plotWidth) / Double(xLabels.count - 1) : 0
        func x(_ index: Int) -> Double { xLabels.count > 1 ? Double(left) + Double(index) * step : Double(left + plotWidth / 2) }
        func y(_ value: Int) -> Double { Double(top + plotHeight) - Double(counts.drawn(value)) / Double(maximum) * Double(plotHeight) }
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
            let points = line.values.enumerated().map { "\(format(x($0.offset))),\(format(y($0.element)))" }.joined(separator: " ")
            if line.values.count > 1 { svg += "<polyline points=\"\(points)\" class=\"line \(line.style)\"/>" }
            for (index, value) in line.values.enumerated() {
                let hidden = counts.hides(value)
                svg += "<circle cx=\"\(format(x(index)))\" cy=\"\(format(y(value)))\" r=\"4\" class=\"point \(line.style)\(hidden ? " hidden-count" : "")\"/>"
            }
        }
        svg += legend(series, y: height - 22, left: left)
        svg += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(width - right)\" y2=\"\(top + plotHeight)\" class=\"axis\"/>"
        return svg + "</svg>"
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
