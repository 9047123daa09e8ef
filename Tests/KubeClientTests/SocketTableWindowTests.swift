import Foundation
import Testing
import CCurl
@testable import KubeClient

/// Issue 12 (client cost): a busy loop reads its sockets at most once per window, so a burst of
/// answers and watch events costs one wake-up; an idle loop reads at once, and a loop that sends
/// requests still wakes at once for work handed over.
@Suite("The socket table's window")
struct SocketTableWindowTests {
    /// A pipe whose read end the table watches as if libcurl asked for it.
    final class Watched {
        let table: CurlSocketTable
        let read: Int32
        let write: Int32

        init(window: Duration, napEndsOnWake: Bool) throws {
            var ends: [Int32] = [-1, -1]
            #expect(pipe(&ends) == 0)
            read = ends[0]
            write = ends[1]
            table = try #require(CurlSocketTable(window: window, napEndsOnWake: napEndsOnWake))
            table.socket(read, what: CURL_POLL_IN)
        }

        deinit {
            close(read)
            close(write)
            table.closePipe()
        }

        /// Makes the watched end readable `after` from now, from another thread.
        func send(after: Duration) {
            let fd = write
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: Double(after.components.seconds) + Double(after.components.attoseconds) / 1e18)
                var byte: UInt8 = 1
                _ = Glibc.write(fd, &byte, 1)
            }
        }

        /// Empties the watched end.
        func drain() {
            var sink = [UInt8](repeating: 0, count: 64)
            _ = Glibc.read(read, &sink, sink.count)
        }

        /// Makes the watched end readable `after` from now and waits once: expects it found ready,
        /// empties it, and returns the seconds the wait took.
        func read(after: Duration) -> Double {
            send(after: after)
            let (ready, seconds) = timedWait()
            #expect(ready == [read], "the watched end was read")
            drain()
            return seconds
        }

        /// Waits once; the sockets found ready and the seconds it took.
        func timedWait() -> (ready: [Int32], seconds: Double) {
            let start = ContinuousClock.now
            let ready = table.wait(limit: .seconds(2)).map(\.socket)
            let took = ContinuousClock.now - start
            return (ready, Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18)
        }
    }

    @Test("12: bytes arriving soon after a look wait out the window, then are read in one wake; without a window they are read at once")
    func busySocketWaitsForTheWindow() throws {
        for window in [Duration.milliseconds(300), .zero] {
            let w = try Watched(window: window, napEndsOnWake: false)
            _ = w.read(after: .zero)
            let seconds = w.read(after: .milliseconds(10))
            if window == .zero {
                #expect(seconds < 0.25, "read at once without a window, took \(seconds) s")
            } else {
                #expect(seconds >= 0.25, "read before the window ended, after \(seconds) s")
            }
        }
    }

    @Test("12: a socket that was idle for longer than the window is read as soon as bytes arrive")
    func idleSocketIsReadAtOnce() throws {
        let w = try Watched(window: .milliseconds(300), napEndsOnWake: false)
        _ = w.read(after: .zero)
        let seconds = w.read(after: .milliseconds(400))
        #expect(seconds < 0.65, "an idle socket waited for a window, took \(seconds) s")
    }

    @Test("12: a wake ends the nap of a loop that sends requests, and not that of a loop that reads watches")
    func wakeEndsTheNapOfAWriteLoop() throws {
        for napEndsOnWake in [true, false] {
            let w = try Watched(window: .milliseconds(400), napEndsOnWake: napEndsOnWake)
            _ = w.read(after: .zero)
            let table = w.table
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: 0.02)
                table.wake()
            }
            let (ready, seconds) = w.timedWait()
            #expect(ready.isEmpty)
            if napEndsOnWake {
                #expect(seconds < 0.3, "the wake did not end the nap: \(seconds) s")
            } else {
                #expect(seconds >= 0.3, "a watch loop's nap ended on a wake after \(seconds) s")
            }
        }
    }

    @Test("12: a nap that finds nothing at its end stops the naps (events trickle in), and bytes within a window of a look start them again")
    func wastedNapStopsNaps() throws {
        let w = try Watched(window: .milliseconds(300), napEndsOnWake: false)
        _ = w.read(after: .zero)
        // Nothing arrives during the nap: it bought nothing.
        let lateSeconds = w.read(after: .milliseconds(500))
        #expect(lateSeconds >= 0.45, "read before the bytes were sent, after \(lateSeconds) s")
        // Naps are off: bytes soon after the look are read at once, and mark a burst.
        let soonSeconds = w.read(after: .milliseconds(10))
        #expect(soonSeconds < 0.25, "napped after a nap that found nothing: \(soonSeconds) s")
        // A burst: the next bytes soon after a look wait out the window again.
        let burstSeconds = w.read(after: .milliseconds(10))
        #expect(burstSeconds >= 0.25, "a burst was read before the window ended, after \(burstSeconds) s")
    }
}
