#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// One accepted TCP connection: buffered reads, whole writes, and a close that other threads may
/// trigger (shutdown wakes a thread blocked in read).
final class SocketConnection: Sendable {
    private struct State {
        var closed = false
        var shutDown = false
    }

    let fd: Int32
    private let state = Mutex(State())
    private let readBuffer = Mutex(ReadBuffer())

    private struct ReadBuffer {
        var bytes: [UInt8] = []
        var start = 0
        var available: Int { bytes.count - start }
        mutating func compact() {
            if start > 0 && start >= bytes.count / 2 {
                bytes.removeFirst(start)
                start = 0
            }
        }
    }

    init(fd: Int32) {
        self.fd = fd
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Reads more bytes into the buffer; false on EOF or error.
    private func fill() -> Bool {
        while true {
            var n = 0
            let chunk = [UInt8](unsafeUninitializedCapacity: 65536) { buffer, count in
                n = recv(fd, buffer.baseAddress, buffer.count, 0)
                count = max(0, n)
            }
            if n > 0 {
                readBuffer.withLock { $0.compact(); $0.bytes.append(contentsOf: chunk) }
                return true
            }
            if n < 0 && errno == EINTR { continue }
            return false
        }
    }

    /// Reads one line ending in CRLF (or LF), without the terminator; nil on EOF or when longer than `limit`.
    func readLine(limit: Int) -> ReadLineResult {
        while true {
            let found: ReadLineResult? = readBuffer.withLock { buf in
                var i = buf.start
                while i < buf.bytes.count {
                    if buf.bytes[i] == 0x0A {
                        var end = i
                        if end > buf.start && buf.bytes[end - 1] == 0x0D { end -= 1 }
                        let line = Array(buf.bytes[buf.start..<end])
                        buf.start = i + 1
                        return .line(line)
                    }
                    i += 1
                }
                if buf.available > limit { return .tooLong }
                return nil
            }
            if let found { return found }
            if !fill() { return .eof }
        }
    }

    /// Reads exactly `count` bytes; nil on EOF.
    func readExact(_ count: Int) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            let got: Bool = readBuffer.withLock { buf in
                let take = min(buf.available, count - out.count)
                if take == 0 { return false }
                out.append(contentsOf: buf.bytes[buf.start..<(buf.start + take)])
                buf.start += take
                return true
            }
            if !got && !fill() { return nil }
        }
        return out
    }

    /// Writes all bytes; false when the peer is gone.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        if state.withLock({ $0.closed || $0.shutDown }) { return false }
        var offset = 0
        return bytes.withUnsafeBytes { raw -> Bool in
            while offset < raw.count {
                let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n > 0 { offset += n; continue }
                if n < 0 && errno == EINTR { continue }
                return false
            }
            return true
        }
    }

    /// True when the peer has closed its side or the socket failed (checked without blocking).
    func peerClosed() -> Bool {
        if state.withLock({ $0.closed || $0.shutDown }) { return true }
        let rdhup: Int16 = 0x2000
        let watched: Int16 = Int16(POLLIN) | rdhup
        var p = pollfd(fd: fd, events: watched, revents: 0)
        let r = poll(&p, 1, 0)
        if r <= 0 { return false }
        let hangup: Int16 = Int16(POLLHUP) | Int16(POLLERR) | Int16(POLLNVAL) | rdhup
        if p.revents & hangup != 0 { return true }
        if p.revents & Int16(POLLIN) != 0 {
            var byte: UInt8 = 0
            let n = recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
            return n == 0
        }
        return false
    }

    /// Shuts the socket down so that blocked reads and writes return; safe from any thread.
    func shutdownBoth() {
        let doIt = state.withLock { s -> Bool in
            if s.closed || s.shutDown { return false }
            s.shutDown = true
            return true
        }
        if doIt { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    /// Closes the descriptor (once).
    func close() {
        let doIt = state.withLock { s -> Bool in
            if s.closed { return false }
            s.closed = true
            return true
        }
        if doIt { _ = Glibc.close(fd) }
    }
}

/// The outcome of reading one line.
enum ReadLineResult {
    case line([UInt8])
    case eof
    case tooLong
}
