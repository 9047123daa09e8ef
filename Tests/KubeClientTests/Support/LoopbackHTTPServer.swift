import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for transport tests: one thread per connection,
/// keep-alive, canned and chunked streaming responses, connection counting.
final class LoopbackHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var target: String
        var headers: [String: String]
        var body: [UInt8]
        var connection: Int

        var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
        var query: [String: String] {
            guard let q = target.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
            var out: [String: String] = [:]
            for pair in q.split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                out[kv[0]] = kv.count > 1 ? kv[1] : ""
            }
            return out
        }
        var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    enum Chunk: Sendable {
        case data(String)
        case pause(milliseconds: Int)
        /// Keep the stream open until the client goes away or the server stops.
        case hold
        /// Send this chunk again and again until the client goes away or the server stops.
        case repeatForever(String)
        /// Send one byte of this text (cycling) every `milliseconds`, until the client goes away.
        case trickle(String, milliseconds: Int)
    }

    enum Reply: Sendable {
        case response(status: Int, headers: [(String, String)], body: String)
        case chunked(status: Int, headers: [(String, String)], chunks: [Chunk])
        case closeWithoutResponse
        case hang(milliseconds: Int)

        static func json(_ status: Int, _ body: String, headers: [(String, String)] = []) -> Reply {
            .response(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
        }
    }

    typealias Handler = @Sendable (Request, Int) -> Reply

    private let lock = NSLock()
    private let stopped = NSCondition()
    private var listenFD: Int32 = -1
    private var connectionFDs: Set<Int32> = []
    private var isStopped = false
    private var _requests: [Request] = []
    private var _accepts = 0
    private let handler: Handler
    private(set) var port: Int = 0

    init(handler: @escaping Handler) {
        self.handler = handler
        listenFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listenFD, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = bind(listenFD, $0, len) }
        }
        listen(listenFD, 64)
        withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(listenFD, $0, &len) }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        let fd = listenFD
        Thread.detachNewThread { [self] in acceptLoop(fd) }
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var requests: [Request] { lock.withLock { _requests } }
    var acceptCount: Int { lock.withLock { _accepts } }

    func stop() {
        lock.withLock {
            isStopped = true
            // Only shut the listening socket down: the accept thread closes it when accept()
            // returns, so its descriptor number cannot be reused (by another test's socket)
            // while that thread may still call accept() on it.
            shutdown(listenFD, Int32(SHUT_RDWR))
            for fd in connectionFDs { shutdown(fd, Int32(SHUT_RDWR)) }
        }
        stopped.lock()
        stopped.broadcast()
        stopped.unlock()
    }

    deinit { if !isStopped { stop() } }

    private func acceptLoop(_ fd: Int32) {
        defer { close(fd) }
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let index: Int? = lock.withLock {
                if isStopped { return nil }
                _accepts += 1
                connectionFDs.insert(client)
                return _accepts
            }
            guard let index else { close(client); return }
            Thread.detachNewThread { [self] in serve(client, connection: index) }
        }
    }

    private func serve(_ fd: Int32, connection: Int) {
        defer {
            lock.withLock { _ = connectionFDs.remove(fd) }
            close(fd)
        }
        var buffer: [UInt8] = []
        while true {
            guard let request = readRequest(fd, &buffer, connection: connection) else { return }
            let number: Int = lock.withLock {
                _requests.append(request)
                return _requests.count
            }
            switch handler(request, number) {
            case .response(let status, let headers, let body):
                let bytes = Array(body.utf8)
                var head = "HTTP/1.1 \(status) \(reason(status))\r\nContent-Length: \(bytes.count)\r\n"
                for (k, v) in headers { head += "\(k): \(v)\r\n" }
                head += "\r\n"
                guard write(fd, Array(head.utf8) + bytes) else { return }
            case .chunked(let status, let headers, let chunks):
                var head = "HTTP/1.1 \(status) \(reason(status))\r\nTransfer-Encoding: chunked\r\n"
                for (k, v) in headers { head += "\(k): \(v)\r\n" }
                head += "\r\n"
                guard write(fd, Array(head.utf8)) else { return }
                for chunk in chunks {
                    switch chunk {
                    case .data(let text):
                        let bytes = Array(text.utf8)
                        guard write(fd, Array("\(String(bytes.count, radix: 16))\r\n".utf8) + bytes + Array("\r\n".utf8)) else { return }
                    case .pause(let ms):
                        if waitForStop(milliseconds: ms) { return }
                    case .hold:
                        holdUntilClosed(fd)
                        return
                    case .repeatForever(let text):
                        let bytes = Array(text.utf8)
                        let frame = Array("\(String(bytes.count, radix: 16))\r\n".utf8) + bytes + Array("\r\n".utf8)
                        while !lock.withLock({ isStopped }) { guard write(fd, frame) else { return } }
                        return
                    case .trickle(let text, let ms):
                        let bytes = Array(text.utf8)
                        var i = 0
                        while true {
                            guard write(fd, Array("1\r\n".utf8) + [bytes[i % bytes.count]] + Array("\r\n".utf8)) else { return }
                            i += 1
                            if waitForStop(milliseconds: ms) { return }
                        }
                    }
                }
                guard write(fd, Array("0\r\n\r\n".utf8)) else { return }
            case .closeWithoutResponse:
                return
            case .hang(let ms):
                _ = waitForStop(milliseconds: ms)
                return
            }
        }
    }

    /// True when the server stopped during the wait.
    private func waitForStop(milliseconds: Int) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(milliseconds) / 1000)
        stopped.lock()
        defer { stopped.unlock() }
        while !lock.withLock({ isStopped }) {
            if !stopped.wait(until: deadline) { break }
        }
        return lock.withLock { isStopped }
    }

    private func holdUntilClosed(_ fd: Int32) {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var scratch = [UInt8](repeating: 0, count: 512)
        while !lock.withLock({ isStopped }) {
            let n = poll(&pfd, 1, 50)
            if n > 0 {
                let r = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if r <= 0 { return }
            }
        }
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8], connection: Int) -> Request? {
        func fill() -> Bool {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return false }
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
        var headerEnd: Int? = nil
        while headerEnd == nil {
            if let r = find(buffer, Array("\r\n\r\n".utf8)) { headerEnd = r; break }
            guard fill() else { return nil }
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        let bodyStart = headerEnd! + 4
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < bodyStart + length { guard fill() else { return nil } }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        return Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body, connection: connection)
    }

    private func find(_ hay: [UInt8], _ needle: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }

    private func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 401: return "Unauthorized"
        case 404: return "Not Found"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}
