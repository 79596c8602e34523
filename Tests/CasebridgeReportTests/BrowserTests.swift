import CasebridgeReport
import Foundation
import Testing

/// Renders the director's report in headless Chromium (installed by scripts/setup): it loads, logs
/// nothing to the console, makes no network request, and looks like something (a PNG is saved).
@Suite struct BrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Flags that keep the browser quiet and local: no profile shared, no first-run work, and every
    /// host name resolving to nothing, so a request could not leave the machine even if one were made.
    static let flags = [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ]

    @Test func `the director's report renders in Chromium with no console message and no network request`() throws {
        let browser = try #require(Self.chromium, "chromium is not installed: run scripts/setup (it installs Debian's chromium package)")
        let fixture = try MigratedTarget.large.get()
        let folder = fixture.scratch("browser")
        _ = try Report.write(target: fixture.target, to: folder, options: ReportOptions())
        let page = URL(fileURLWithPath: folder).appendingPathComponent("index.html")
        // The one link is to the quarantine list beside the page, which the browser does not fetch.
        let html = try ReportFiles.text(page.path).lowercased().replacingOccurrences(of: #"<a href="quarantine.csv">"#, with: "<a>")
        for reference in ["http:", "https:", "url(", "src=", "href=", "<script", "<link", "<img", "@import", "@font-face", "<iframe", "<object"] {
            #expect(!html.contains(reference), "index.html holds \(reference)")
        }

        let screenshot = (folder as NSString).appendingPathComponent("index.png")
        let netLog = (folder as NSString).appendingPathComponent("net-log.json")
        let render = try Self.run(browser, Self.flags + [
            "--user-data-dir=" + fixture.scratch("profile"), "--enable-logging=stderr", "--v=0", "--log-net-log=" + netLog,
            "--screenshot=" + screenshot, "--window-size=1280,2400", page.absoluteString,
        ])
        #expect(render.status == 0, "chromium exited \(render.status): \(render.stderr.suffix(2000))")
        let console = render.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }
        #expect(console.isEmpty, "console: \(console)")

        // The page's own requests carry its file:// origin in the net log; Chromium's background
        // requests (component updates) carry none and are refused by the resolver rule anyway.
        let pageRequests = try Self.pageRequests(inNetLog: netLog)
        #expect(pageRequests.isEmpty, "the page requested \(pageRequests)")

        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(Self.pngSize(png) == [1280, 2400])
        #expect(png.count > 50_000, "a blank page compresses to far less")
        print("screenshot of the director's report: \(screenshot)")

        let dom = try Self.run(browser, Self.flags + ["--user-data-dir=" + fixture.scratch("profile"), "--dump-dom", page.absoluteString])
        #expect(dom.stdout.contains("<h1>Gaps in children's records</h1>"))
        #expect(dom.stdout.contains("id=\"families\""))
        #expect(dom.stdout.components(separatedBy: "<svg").count - 1 == 5, "five charts")
    }

    @Test(arguments: [false, true])
    func `no chart draws text outside its own box, on screen or at the print size`(_ printSize: Bool) throws {
        let browser = try #require(Self.chromium, "chromium is not installed: run scripts/setup (it installs Debian's chromium package)")
        let fixture = try MigratedTarget.large.get()
        let folder = fixture.scratch("overflow")
        _ = try Report.write(target: fixture.target, to: folder, options: ReportOptions())
        let html = try ReportFiles.text((folder as NSString).appendingPathComponent("index.html"))
        // Print enlarges the paired charts' text (DirectorReport's @media print); the same rule, applied on screen.
        let outside = try Self.textOutsideCharts(html, browser: browser, fixture: fixture,
                                                 extraStyle: printSize ? ".pair .chart text { font-size: 15px; }" : "")
        #expect(outside.isEmpty, "text drawn outside its chart: \(outside)")
    }

    @Test func `the overflow check catches a label drawn left of its chart`() throws {
        let browser = try #require(Self.chromium, "chromium is not installed: run scripts/setup (it installs Debian's chromium package)")
        let fixture = try MigratedTarget.small.get()
        let page = """
            <!DOCTYPE html><html><head><meta charset="utf-8"><style>svg { width: 640px; }</style></head><body><main>
            <svg viewBox="0 0 640 40" aria-label="control"><text x="20" y="20" text-anchor="end">Family 0000-0000-0000-0000</text>
            <text x="300" y="20">inside</text></svg></main></body></html>
            """
        let outside = try Self.textOutsideCharts(page, browser: browser, fixture: fixture, extraStyle: "")
        #expect(outside.count == 1 && outside.first?.contains("Family 0000") == true, "\(outside)")
    }

    /// The texts of `html`'s SVG charts whose drawn box reaches outside their SVG's box or the window:
    /// a script added to a copy of the page (its Content-Security-Policy removed) measures every
    /// `<text>` in Chromium and writes what it finds into the page, read back with `--dump-dom`.
    static func textOutsideCharts(_ html: String, browser: String, fixture: MigratedTarget, extraStyle: String) throws -> [String] {
        let script = """
            <style>\(extraStyle)</style><script>
            (function () {
              const found = [];
              for (const svg of document.querySelectorAll('svg')) {
                const box = svg.getBoundingClientRect();
                for (const text of svg.querySelectorAll('text')) {
                  const r = text.getBoundingClientRect();
                  if (r.width === 0 && r.height === 0) continue;
                  if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5
                      || r.left < 0 || r.right > document.documentElement.clientWidth) {
                    found.push((svg.getAttribute('aria-label') || '?') + ': ' + text.textContent + ' ['
                      + [r.left, r.right, box.left, box.right].map(Math.round).join(', ') + ']');
                  }
                }
              }
              const out = document.createElement('pre');
              out.id = 'overflow-check';
              out.textContent = JSON.stringify(found);
              document.body.appendChild(out);
            })();
            </script>
            """
        var page = html.replacingOccurrences(of: #"<meta http-equiv="Content-Security-Policy"[^>]*>"#, with: "", options: .regularExpression)
        page = page.replacingOccurrences(of: "</body>", with: script + "</body>")
        let path = fixture.scratch("overflow-check") + ".html"
        try Data(page.utf8).write(to: URL(fileURLWithPath: path))
        let dom = try run(browser, flags + ["--user-data-dir=" + fixture.scratch("profile"), "--window-size=1280,2400", "--dump-dom",
                                           URL(fileURLWithPath: path).absoluteString])
        let pattern = try NSRegularExpression(pattern: #"<pre id="overflow-check">([^<]*)</pre>"#)
        let match = try #require(pattern.firstMatch(in: dom.stdout, range: NSRange(dom.stdout.startIndex..., in: dom.stdout)),
                                 "the check wrote no result: \(dom.stderr.suffix(1000))")
        let json = ReportFiles.unescape(String(dom.stdout[Range(match.range(at: 1), in: dom.stdout)!]))
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String])
    }

    @Test func `the network check catches a page that makes a request`() throws {
        let browser = try #require(Self.chromium, "chromium is not installed: run scripts/setup (it installs Debian's chromium package)")
        let fixture = try MigratedTarget.small.get()
        let page = fixture.scratch("leaky") + ".html"
        try Data(#"<!DOCTYPE html><html><body><p>x</p><img src="https://example.invalid/pixel.png"></body></html>"#.utf8)
            .write(to: URL(fileURLWithPath: page))
        let netLog = fixture.scratch("leaky-net-log") + ".json"
        _ = try Self.run(browser, Self.flags + [
            "--user-data-dir=" + fixture.scratch("profile"), "--log-net-log=" + netLog, "--dump-dom", URL(fileURLWithPath: page).absoluteString,
        ])
        #expect(try Self.pageRequests(inNetLog: netLog).contains { $0.contains("example.invalid") })
    }

    /// URLs of requests a `file://` page started, from Chromium's net log.
    static func pageRequests(inNetLog path: String) throws -> [String] {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        // A log cut short (the browser killed) lacks its closing brackets.
        if (try? JSONSerialization.jsonObject(with: data)) == nil {
            var text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.hasSuffix(",") { text.removeLast() }
            data = Data((text + "]}").utf8)
        }
        let log = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let events = log["events"] as? [[String: Any]] ?? []
        return events.compactMap { event -> String? in
            guard let params = event["params"] as? [String: Any], let url = params["url"] as? String else { return nil }
            let origin = "\(params["site_for_cookies"] ?? "") \(params["network_isolation_key"] ?? "") \(params["initiator"] ?? "")"
            return origin.contains("file://") ? url : nil
        }
    }

    /// Width and height from a PNG's IHDR.
    static func pngSize(_ png: Data) -> [Int] {
        guard png.count > 24 else { return [] }
        let bytes = Array(png[16..<24])
        return [0, 4].map { offset in bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the browser under timeout(1), killed after 60 seconds; stderr goes through a file.
    static func run(_ executable: String, _ arguments: [String]) throws -> Output {
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("casebridge-chromium-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["60", executable] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = try Data(contentsOf: errorFile)
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}
