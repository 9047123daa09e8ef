import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the health endpoint could not be served.
public enum HealthServerError: Error, Sendable, Equatable, CustomStringConvertible {
    case listen(port: Int, reason: String)

    public var description: String {
        switch self {
        case let .listen(port, reason): return "--health-port \(port): cannot listen: \(reason)"
        }
    }
}

/// A tiny HTTP/1.0-style server for liveness and readiness probes: `GET /healthz` and `GET /readyz`
/// answer 200 `ok` or 503 with the reason; anything else 404. One short connection at a time.
final class HealthServer: Sendable {
    /// What a probe path reports: nil means healthy, a string is why not.
    typealias Check = @Sendable () -> String?

    /// The port listened on (the one the system chose when asked for 0).
    let port: Int
    private let fd: Int32
    private let checks: [String: Check]
    private let closed = Atomic(false)

    /// Listens on every address at `port` (the kubelet probes the pod IP).
    init(port: Int, checks: [String: Check]) throws(HealthServerError) {
        self.checks = checks
        let s = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        let fd = s >= 0 ? s : socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .listen(port: port, reason: String(cString: strerror(errno))) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var bound: Int32
        if s >= 0 {
            var zero: Int32 = 0
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size))
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_port = in_port_t(UInt16(port).bigEndian)
            addr.sin6_addr = in6addr_any
            bound = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr = in_addr(s_addr: INADDR_ANY)
            bound = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .listen(port: port, reason: reason)
        }
        var local = sockaddr_in6()
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let named = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        // sin_port and sin6_port sit at the same offset.
        self.port = named == 0 ? Int(UInt16(bigEndian: local.sin6_port)) : port
        self.fd = fd
        let thread = Thread { [self] in self.serve() }
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// Stops listening (the accept thread closes the socket, so its descriptor cannot be reused under it).
    func stop() {
        let wasClosed = closed.exchange(true, ordering: .acquiringAndReleasing)
        if !wasClosed { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private var isClosed: Bool { closed.load(ordering: .acquiring) }

    private func serve() {
        defer { close(fd) }
        while !isClosed {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            answer(client)
            close(client)
        }
    }

    private func answer(_ client: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while request.count < 8192 && !request.containsHeaderEnd {
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            request.append(contentsOf: buffer[0..<n])
        }
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self).split(separator: " ")
        let (code, text): (Int, String)
        if line.count >= 2, line[0] == "GET" || line[0] == "HEAD" {
            let path = String(line[1].split(separator: "?", maxSplits: 1).first ?? "")
            if let check = checks[path] {
                if let problem = check() { (code, text) = (503, problem + "\n") } else { (code, text) = (200, "ok\n") }
            } else {
                (code, text) = (404, "not found\n")
            }
        } else {
            (code, text) = (405, "method not allowed\n")
        }
        let reason = [200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"][code] ?? ""
        let body = line.first == "HEAD" ? "" : text
        let response = "HTTP/1.1 \(code) \(reason)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(text.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        var bytes = Array(response.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeMutableBytes { send(client, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
    }
}

extension Array where Element == UInt8 {
    /// True once the bytes hold a blank line (the end of HTTP headers).
    fileprivate var containsHeaderEnd: Bool {
        guard count >= 4 else { return false }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 { return true }
        return false
    }
}
