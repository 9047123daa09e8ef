#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CCurl

/// What a multi handle driven by `curl_multi_socket_action` asks its loop to wait for: each socket
/// with the events wanted on it (`CURLMOPT_SOCKETFUNCTION`) and when its timers are due
/// (`CURLMOPT_TIMERFUNCTION`), plus a pipe other threads write to to wake the loop's poll. Driving
/// libcurl this way, a wake costs one poll and work on the sockets that are ready only; with
/// `curl_multi_perform` every transfer checks its own socket (a poll each) on every wake.
///
/// Under load the table looks at its sockets at most once per `window`: when the last look was
/// less than a window ago and nothing is ready yet, it naps until the window has passed, so a burst
/// of answers and events is read in one wake-up rather than one each. A wake-up costs far more
/// CPU than the read it leads to (on a virtual machine's cores, tens of microseconds against a
/// few), and in a busy rollout events arrive every few hundred microseconds. A loop whose work is
/// handed over by other threads ends its nap on a wake (`napEndsOnWake`), so requests still
/// leave at once; a loop that reads watches sleeps through it. When events trickle in further
/// apart than the window, a nap finds nothing at its end and only adds a sleep and a wake-up: the
/// table then stops napping until events again come within a window of each other.
/// `@unchecked`: only `wake()` is called from other threads (a write to the pipe); the rest
/// belongs to the loop's thread.
final class CurlSocketTable: @unchecked Sendable {
    /// Events wanted per socket, as poll(2) events.
    private var wanted: [curl_socket_t: Int16] = [:]
    /// When libcurl's timers are due (nil: none set).
    private(set) var deadline: ContinuousClock.Instant?
    private let pipeRead: Int32
    private let pipeWrite: Int32
    private var fds: [pollfd] = []
    /// The shortest time between two looks at the sockets while they are busy, in nanoseconds (0: none).
    private let window: UInt64
    /// A wake ends a nap (otherwise only the window's end does).
    private let napEndsOnWake: Bool
    /// When the last poll returned (`ClientTrace.now()`).
    private var lastLook: UInt64 = 0
    /// Whether naps find work at their end (see `look`).
    private var napsPay = true

    /// A table with its wake pipe, looking at most once per `window` (under a second) while busy;
    /// nil when no pipe could be made.
    init?(window: Duration = .zero, napEndsOnWake: Bool = true) {
        let (seconds, attoseconds) = min(max(.zero, window), .milliseconds(999)).components
        self.window = UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
        self.napEndsOnWake = napEndsOnWake
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        for fd in ends {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        pipeRead = ends[0]
        pipeWrite = ends[1]
    }

    /// Makes `multi` report its sockets and timer to this table (which must outlive its use).
    func install(on multi: UnsafeMutableRawPointer) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        kcurl_multi_setopt_socket_callback(multi, curlSocketCallback)
        kcurl_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, me)
        kcurl_multi_setopt_timer_callback(multi, curlTimerCallback)
        kcurl_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, me)
    }

    /// Wakes the loop's `wait` (from any thread; a full pipe already holds a wake).
    func wake() {
        var byte: UInt8 = 1
        _ = write(pipeWrite, &byte, 1)
    }

    /// True when libcurl's timers are due; clears the deadline (running them may set a new one).
    func takeDueTimer() -> Bool {
        guard let deadline, deadline <= .now else { return false }
        self.deadline = nil
        return true
    }

    /// Polls the wanted descriptors for at most `milliseconds`, first napping out the rest of the
    /// window when the last look was recent and nothing is ready (a nap a wake can end is a poll of
    /// the pipe, rounded up to a whole millisecond); the poll's result. A nap that ends with nothing
    /// ready bought nothing (events trickle in, further apart than the window): naps stop until
    /// a poll again returns within a window of the look before it (a burst).
    private func look(timeout milliseconds: Int32) -> Int32 {
        defer { lastLook = ClientTrace.now() }
        let since = ClientTrace.now() &- lastLook
        guard since < window, milliseconds > 0 else { return poll(&fds, nfds_t(fds.count), milliseconds) }
        guard napsPay else {
            let ready = poll(&fds, nfds_t(fds.count), milliseconds)
            if ready > 0, ClientTrace.now() &- lastLook < window { napsPay = true }
            return ready
        }
        let ready = poll(&fds, nfds_t(fds.count), 0)
        guard ready == 0 else { return ready }
        let nap = min(window - since, UInt64(milliseconds) * 1_000_000)
        if napEndsOnWake {
            var pipeOnly = [pollfd(fd: pipeRead, events: Int16(POLLIN), revents: 0)]
            _ = poll(&pipeOnly, 1, Int32((nap + 999_999) / 1_000_000))
        } else {
            var span = timespec(tv_sec: 0, tv_nsec: Int(nap))
            _ = nanosleep(&span, nil)
        }
        let afterNap = poll(&fds, nfds_t(fds.count), 0)
        guard afterNap == 0 else { return afterNap }
        napsPay = false
        return poll(&fds, nfds_t(fds.count), max(0, milliseconds - Int32((nap + 999_999) / 1_000_000)))
    }

    /// Waits until a socket is ready, the timers are due, a wake arrives or `limit` passes; returns
    /// the ready sockets with their `CURL_CSELECT_*` bits.
    func wait(limit: Duration) -> [(socket: curl_socket_t, events: Int32)] {
        var timeout = limit
        if let deadline { timeout = min(timeout, max(.zero, deadline - .now)) }
        let (seconds, attoseconds) = timeout.components
        // Round up: waking before the deadline would only poll again.
        let milliseconds = Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        fds.removeAll(keepingCapacity: true)
        fds.append(pollfd(fd: pipeRead, events: Int16(POLLIN), revents: 0))
        for (socket, events) in wanted { fds.append(pollfd(fd: socket, events: events, revents: 0)) }
        let n = look(timeout: milliseconds)
        guard n > 0 else { return [] }
        if fds[0].revents != 0 {
            var sink = [UInt8](repeating: 0, count: 256)
            while read(pipeRead, &sink, sink.count) == sink.count {}
        }
        var ready: [(socket: curl_socket_t, events: Int32)] = []
        for fd in fds.dropFirst() where fd.revents != 0 {
            var bits: Int32 = 0
            if fd.revents & Int16(POLLIN | POLLHUP) != 0 { bits |= CURL_CSELECT_IN }
            if fd.revents & Int16(POLLOUT) != 0 { bits |= CURL_CSELECT_OUT }
            if fd.revents & Int16(POLLERR | POLLNVAL) != 0 { bits |= CURL_CSELECT_ERR }
            ready.append((fd.fd, bits))
        }
        return ready
    }

    /// Closes the wake pipe (no `wake()` may follow).
    func closePipe() {
        _ = close(pipeRead)
        _ = close(pipeWrite)
    }

    /// Records what libcurl wants on `socket` (`CURL_POLL_*`; its socket callback).
    func socket(_ socket: curl_socket_t, what: Int32) {
        switch what {
        case CURL_POLL_IN: wanted[socket] = Int16(POLLIN)
        case CURL_POLL_OUT: wanted[socket] = Int16(POLLOUT)
        case CURL_POLL_INOUT: wanted[socket] = Int16(POLLIN | POLLOUT)
        default: wanted[socket] = nil
        }
    }

    fileprivate func timer(milliseconds: Int) {
        deadline = milliseconds < 0 ? nil : .now + .milliseconds(milliseconds)
    }
}

private func curlSocketCallback(_ easy: UnsafeMutableRawPointer?, _ socket: curl_socket_t, _ what: Int32,
                                _ user: UnsafeMutableRawPointer?, _ socketData: UnsafeMutableRawPointer?) -> Int32 {
    guard let user else { return -1 }
    Unmanaged<CurlSocketTable>.fromOpaque(user).takeUnretainedValue().socket(socket, what: what)
    return 0
}

private func curlTimerCallback(_ multi: UnsafeMutableRawPointer?, _ milliseconds: Int, _ user: UnsafeMutableRawPointer?) -> Int32 {
    guard let user else { return -1 }
    Unmanaged<CurlSocketTable>.fromOpaque(user).takeUnretainedValue().timer(milliseconds: milliseconds)
    return 0
}
