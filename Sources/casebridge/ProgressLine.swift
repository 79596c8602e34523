import ArgumentParser
import CasebridgeModel
import CasebridgeRead
import Foundation

/// Progress of a long run on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise.
final class ProgressLine {
    private let label: String
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let start = Date()
    private lazy var lastPrint = start
    private var drew = false

    init(label: String) {
        self.label = label
    }

    func update(done: Int64, total: Int64) {
        let now = Date()
        guard now.timeIntervalSince(lastPrint) >= (isTerminal ? 0.2 : 5) else { return }
        lastPrint = now
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let elapsed = now.timeIntervalSince(start)
        let rate = Double(done) / 1_000_000 / max(elapsed, 0.001)
        let figures = String(format: "%3.0f%%  %.0f/%.0f MB  %.0f MB/s", fraction * 100, Double(done) / 1_000_000,
                             Double(total) / 1_000_000, rate)
        if isTerminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(figures)".utf8))
            drew = true
        } else {
            FileHandle.standardError.write(Data("\(label): \(figures)\n".utf8))
        }
    }

    func finish() {
        if drew { FileHandle.standardError.write(Data("\n".utf8)) }
        drew = false
    }
}

/// Runs `body`, a read of `export`, with progress on stderr unless `quiet` ("reading export.xml");
/// an export that cannot be read is told on one line and exits 3.
func whileReading<T>(_ export: String, verb: String = "reading", quiet: Bool, _ body: (ProgressLine?) throws -> T) throws -> T {
    let progress = quiet ? nil : ProgressLine(label: "\(verb) \((export as NSString).lastPathComponent)")
    do {
        let result = try body(progress)
        progress?.finish()
        return result
    } catch let error as ReadError {
        progress?.finish()
        printError("casebridge: \(error)")
        throw ExitCode(ExitStatus.unreadable)
    } catch {
        progress?.finish()
        throw error
    }
}
