#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Errors from starting the HTTP server.
public enum HTTPServerError: Error, CustomStringConvertible {
    /// A socket call failed.
    case socket(call: String, errno: Int32)

    public var description: String {
        switch self {
        case .socket(let call, let e): return "\(call) failed: \(String(cString: strerror(e)))"
        }
    }
}

/// A small HTTP/1.1 server on a loopback address: one thread per connection, keep-alive, chunked
/// streaming, and a `stop()` that closes the listener and every connection and joins the threads.
public final class HTTPServer: Sendable {
    /// Handles one request by writing a response on the writer.
    public typealias Handler = @Sendable (HTTPRequest, HTTPResponseWriter) -> Void

    private struct State {
        var connections: [Int32: SocketConnection] = [:]
        var stopping = false
    }

    /// The bound port.
    public let port: UInt16
    /// The bound address.
    public let host: String
    private let listenFD: Int32
    private let handler: Handler
    private let state = Mutex(State())
    private let threads = DispatchGroup()
    /// How long an idle keep-alive connection may wait for its next request.
    private let idleTimeoutSeconds: Int

    /// Binds `host:port` (port 0 picks a free one) and starts accepting connections.
    public init(host: String = "127.0.0.1", port: UInt16 = 0, idleTimeoutSeconds: Int = 120, handler: @escaping Handler)
        throws(HTTPServerError)
    {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .socket(call: "socket", errno: errno) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr(host)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let e = errno
            Glibc.close(fd)
            throw .socket(call: "bind", errno: e)
        }
        guard listen(fd, 512) == 0 else {
            let e = errno
            Glibc.close(fd)
            throw .socket(call: "listen", errno: e)
        }
        var actual = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.listenFD = fd
        self.port = UInt16(bigEndian: actual.sin_port)
        self.host = host
        self.handler = handler
        self.idleTimeoutSeconds = idleTimeoutSeconds
        threads.enter()
        let thread = Thread { [self] in
            self.acceptLoop()
            self.threads.leave()
        }
        thread.name = "kube-sim-accept"
        thread.start()
    }

    /// The number of open client connections.
    public var openConnections: Int { state.withLock { $0.connections.count } }

    private func acceptLoop() {
        while true {
            let client = accept(listenFD, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if state.withLock({ $0.stopping }) { return }
                if errno == EMFILE || errno == ENFILE { usleep(10_000); continue }
                return
            }
            let connection = SocketConnection(fd: client)
            var timeout = timeval(tv_sec: idleTimeoutSeconds, tv_usec: 0)
            _ = setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let accepted = state.withLock { s -> Bool in
                if s.stopping { return false }
                s.connections[client] = connection
                return true
            }
            guard accepted else {
                connection.close()
                return
            }
            threads.enter()
            let thread = Thread { [self] in
                ThreadScheduling.runAsBatch()
                self.serve(connection)
                self.state.withLock { _ = $0.connections.removeValue(forKey: connection.fd) }
                connection.close()
                self.threads.leave()
            }
            thread.name = "kube-sim-conn"
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    private func serve(_ connection: SocketConnection) {
        let reader = HTTPRequestReader(connection: connection)
        while !state.withLock({ $0.stopping }) {
            switch reader.next() {
            case .failure(.closed):
                return
            case .failure(.malformed(let status, let message)):
                let writer = HTTPResponseWriter(connection: connection, closeAfter: true)
                var h = HTTPHeaders()
                h.set("Content-Type", "text/plain; charset=utf-8")
                writer.respond(status: status, headers: h, body: Array("\(status) \(message)\n".utf8))
                return
            case .success(let request):
                let close = request.headers["Connection"]?.lowercased() == "close"
                let writer = HTTPResponseWriter(connection: connection, closeAfter: close)
                handler(request, writer)
                if !writer.started {
                    writer.respond(status: 500, body: Array("handler wrote no response\n".utf8))
                } else if !writer.finished {
                    writer.endStream()
                }
                if writer.closeAfter || writer.clientGone { return }
            }
        }
    }

    /// Closes the listener and all connections, then waits for every thread to finish.
    public func stop() {
        let open = state.withLock { s -> [SocketConnection]? in
            if s.stopping { return nil }
            s.stopping = true
            return Array(s.connections.values)
        }
        guard let open else { return }
        _ = Glibc.shutdown(listenFD, Int32(SHUT_RDWR))
        Glibc.close(listenFD)
        for c in open { c.shutdownBoth() }
        _ = threads.wait(timeout: .now() + 10)
    }

    /// True once `stop()` has begun.
    public var isStopping: Bool { state.withLock { $0.stopping } }
}
