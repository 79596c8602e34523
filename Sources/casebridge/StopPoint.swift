import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A moment of `migrate` at which the process stops itself, for the tests that kill a run part-way and
/// check that the target is as it was: with `CASEBRIDGE_STOP_AT` set, the process sends itself `SIGSTOP`
/// once it reaches the progress message that begins with that text ("loading cb_document"; printed first
/// unless `--quiet`), and waits there, its transaction open, for the signal the test sends. Killed from
/// outside at a line it has just printed, a run on a small export could otherwise commit first; the tests
/// would need exports large enough to make that unlikely, and still race. Unset (as in any real run),
/// nothing stops.
enum StopPoint {
    private static let moment = ProcessInfo.processInfo.environment["CASEBRIDGE_STOP_AT"].flatMap { $0.isEmpty ? nil : $0 }

    /// Stops the process when `message` is the moment named.
    static func reached(_ message: String) {
        guard let moment, message.hasPrefix(moment) else { return }
        kill(getpid(), SIGSTOP)
    }
}
