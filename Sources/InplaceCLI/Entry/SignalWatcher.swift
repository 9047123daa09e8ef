import Dispatch
import Foundation
import InplaceCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT/SIGTERM into a graceful stop of the rollout (finish the pods in flight, exit 4);
/// a second signal exits at once with code 4, leaving state that `resume` repairs.
/// Not `Sendable`: the command's thread makes and stops it; the handlers share only their count.
final class SignalWatcher {
    private var sources: [DispatchSourceSignal] = []

    init(control: RolloutControl, onSecond: @escaping @Sendable () -> Void) {
        // A parent may have left these blocked (e.g. a test runner's thread): unblock them, or
        // Ctrl-C and SIGTERM would never reach us.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        let count = Mutex(0)
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                let n = count.withLock { n -> Int in
                    n += 1
                    return n
                }
                if n == 1 {
                    control.requestStop(.interrupted)
                } else {
                    onSecond()
                    exit(ExitCode.paused.rawValue)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Restores the default signal handling.
    func stop() {
        for s in sources { s.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
