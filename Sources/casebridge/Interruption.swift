import CasebridgeStore
import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// What a run interrupted by a signal does before it ends: Ctrl-C (`SIGINT`), a service stopped
/// (`SIGTERM`) or a closed terminal (`SIGHUP`) removes the temporary files holding records
/// (``TemporaryFiles``: a staging can be gigabytes of children's records), then ends the process by
/// the same signal, so that the shell or the service manager sees how it ended. A target is left as
/// it was, as after any run that does not commit. A signal the run was started ignoring (`nohup`)
/// stays ignored.
enum Interruption {
    /// Kept for the life of the process: a signal source that goes stops delivering.
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// Installs the handling, once, before the command runs.
    static func removeTemporaryFilesOnSignal() {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            // The signal is now delivered to the source alone; one the process was started ignoring stays so.
            let previous = signal(number, SIG_IGN)
            guard unsafeBitCast(previous, to: Int.self) != unsafeBitCast(SIG_IGN, to: Int.self) else { continue }
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                TemporaryFiles.removeAll()
                signal(number, SIG_DFL)
                // The queue's threads block signals: this one takes it, now with its default action.
                var only = sigset_t()
                sigemptyset(&only)
                sigaddset(&only, number)
                pthread_sigmask(SIG_UNBLOCK, &only, nil)
                raise(number)
            }
            source.resume()
            sources.append(source)
        }
    }
}
