#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JSON

/// A response read by the test client.
struct TestResponse {
    let status: Int
    let headers: [String: String]
    let body: [UInt8]
    /// The body parsed as JSON once (null when not JSON).
    let json: JSONValue
    var text: String { String(decoding: body, as: UTF8.self) }

    init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
        self.json = (try? JSONValue(parsing: body)) ?? .null
    }
}

/// A tiny blocking HTTP/1.1 client over one TCP connection (keep-alive), for tests.
final class TestConnection {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16, timeoutSeconds: Int = 10) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        setTimeout(Double(timeoutSeconds))
    }

    deinit { close(fd) }

    func setTimeout(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func sendRaw(_ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            off += n
        }
    }

    func send(_ method: String, _ path: String, body: [UInt8]? = nil, contentType: String? = nil, headers: [(String, String)] = []) {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: kubesim-tests\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        sendRaw(Array(head.utf8) + (body ?? []))
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    func readLine() -> String? {
        while true {
            if let i = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[..<i])
                if line.last == 0x0D { line.removeLast() }
                buffer.removeFirst(i + 1)
                return String(decoding: line, as: UTF8.self)
            }
            if !fill() { return nil }
        }
    }

    func readBytes(_ n: Int) -> [UInt8]? {
        while buffer.count < n { if !fill() { return nil } }
        let out = Array(buffer[..<n])
        buffer.removeFirst(n)
        return out
    }

    /// Reads the status line and headers.
    func readHead() -> (Int, [String: String])? {
        guard let statusLine = readLine() else { return nil }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let code = Int(parts[1]) else { return nil }
        var headers: [String: String] = [:]
        while let line = readLine(), !line.isEmpty {
            if let c = line.firstIndex(of: ":") {
                headers[line[..<c].lowercased()] = line[line.index(after: c)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return (code, headers)
    }

    /// The next chunk of a chunked body (nil at the end or on timeout).
    func readChunk() -> [UInt8]? {
        guard let sizeLine = readLine(), let size = Int(sizeLine, radix: 16) else { return nil }
        if size == 0 {
            _ = readLine()
            return nil
        }
        let data = readBytes(size)
        _ = readLine()
        return data
    }

    /// Reads a whole response.
    func readResponse() -> TestResponse? {
        guard let (code, headers) = readHead() else { return nil }
        var body: [UInt8] = []
        if headers["transfer-encoding"]?.contains("chunked") == true {
            while let c = readChunk() { body += c }
        } else if let len = Int(headers["content-length"] ?? "0"), len > 0 {
            body = readBytes(len) ?? []
        }
        return TestResponse(status: code, headers: headers, body: body)
    }

    func request(_ method: String, _ path: String, body: JSONValue? = nil, contentType: String? = nil, headers: [(String, String)] = [])
        -> TestResponse
    {
        let bytes = body?.serializedBytes()
        send(method, path, body: bytes, contentType: contentType ?? (bytes == nil ? nil : "application/json"), headers: headers)
        return readResponse() ?? TestResponse(status: -1, headers: [:], body: [])
    }
}

/// One-shot requests on a fresh connection.
enum HTTP {
    static func request(
        _ port: UInt16, _ method: String, _ path: String, body: JSONValue? = nil, contentType: String? = nil, headers: [(String, String)] = []
    ) -> TestResponse {
        TestConnection(port: port).request(method, path, body: body, contentType: contentType, headers: headers)
    }

    static func get(_ port: UInt16, _ path: String, headers: [(String, String)] = []) -> TestResponse {
        request(port, "GET", path, headers: headers)
    }
}

/// A watch stream read line by line.
final class TestWatch {
    let connection: TestConnection
    let status: Int
    private var pending = ""

    init(port: UInt16, path: String, readTimeout: Double = 5, headers: [(String, String)] = []) {
        connection = TestConnection(port: port)
        connection.setTimeout(readTimeout)
        connection.send("GET", path, headers: headers)
        status = connection.readHead()?.0 ?? -1
    }

    /// The next event (type, object), or nil when the stream ended or timed out.
    func next() -> (String, JSONValue)? {
        while true {
            if let nl = pending.firstIndex(of: "\n") {
                let line = String(pending[..<nl])
                pending = String(pending[pending.index(after: nl)...])
                guard let v = try? JSONValue(parsing: line) else { return nil }
                return (v["type"]?.string ?? "", v["object"] ?? .null)
            }
            guard let chunk = connection.readChunk() else { return nil }
            pending += String(decoding: chunk, as: UTF8.self)
        }
    }
}
