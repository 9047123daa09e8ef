/// Reads HTTP/1.1 requests off a connection: request line, headers, Content-Length or chunked body.
struct HTTPRequestReader {
    /// Why a request could not be read.
    enum Failure: Error {
        /// The peer closed the connection before a request started (normal end of keep-alive).
        case closed
        /// The request was malformed; answer 400 (or `status`) and close.
        case malformed(status: Int, message: String)
    }

    static let maxHeaderLine = 64 * 1024
    static let maxHeaders = 200
    static let maxBody = 256 * 1024 * 1024

    let connection: SocketConnection

    /// Reads the next request.
    func next() -> Result<HTTPRequest, Failure> {
        var requestLine: [UInt8] = []
        // Tolerate stray empty lines between requests (RFC 9112 section 2.2).
        while requestLine.isEmpty {
            switch connection.readLine(limit: Self.maxHeaderLine) {
            case .eof: return .failure(.closed)
            case .tooLong: return .failure(.malformed(status: 414, message: "request line too long"))
            case .line(let l): requestLine = l
            }
        }
        let parts = String(decoding: requestLine, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), parts[1].hasPrefix("/") || parts[1] == "*" else {
            return .failure(.malformed(status: 400, message: "malformed request line"))
        }
        let method = String(parts[0])
        guard !method.isEmpty, method.utf8.allSatisfy({ (0x41...0x5A).contains($0) }) else {
            return .failure(.malformed(status: 400, message: "malformed method"))
        }
        var headers = HTTPHeaders()
        while true {
            switch connection.readLine(limit: Self.maxHeaderLine) {
            case .eof: return .failure(.malformed(status: 400, message: "unexpected end of headers"))
            case .tooLong: return .failure(.malformed(status: 431, message: "header line too long"))
            case .line(let l):
                if l.isEmpty { break }
                guard let colon = l.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
                    return .failure(.malformed(status: 400, message: "malformed header line"))
                }
                let name = String(decoding: l[..<colon], as: UTF8.self)
                if name.contains(" ") || name.contains("\t") {
                    return .failure(.malformed(status: 400, message: "malformed header name"))
                }
                let value = String(decoding: l[(colon + 1)...], as: UTF8.self).trimmingSpaces()
                headers.add(name, value)
                if headers.fields.count > Self.maxHeaders {
                    return .failure(.malformed(status: 431, message: "too many headers"))
                }
                continue
            }
            break
        }
        var request = HTTPRequest(method: method, target: String(parts[1]), headers: headers)
        if parts[2] == "HTTP/1.0" && headers["Connection"]?.lowercased() != "keep-alive" {
            request.headers.set("Connection", "close")
        }
        if headers["Expect"]?.lowercased() == "100-continue" {
            connection.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
        if let te = headers["Transfer-Encoding"]?.lowercased(), te.contains("chunked") {
            switch readChunkedBody() {
            case .success(let body): request.body = body
            case .failure(let f): return .failure(f)
            }
        } else if let cl = headers["Content-Length"] {
            guard let length = Int(cl.trimmingSpaces()), length >= 0 else {
                return .failure(.malformed(status: 400, message: "invalid Content-Length"))
            }
            guard length <= Self.maxBody else { return .failure(.malformed(status: 413, message: "body too large")) }
            guard let body = connection.readExact(length) else {
                return .failure(.malformed(status: 400, message: "unexpected end of body"))
            }
            request.body = body
        }
        return .success(request)
    }

    private func readChunkedBody() -> Result<[UInt8], Failure> {
        var body: [UInt8] = []
        while true {
            guard case .line(let sizeLine) = connection.readLine(limit: 1024) else {
                return .failure(.malformed(status: 400, message: "malformed chunk size"))
            }
            let sizeText = String(decoding: sizeLine, as: UTF8.self)
                .split(separator: ";", maxSplits: 1).first.map { String($0).trimmingSpaces() } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else {
                return .failure(.malformed(status: 400, message: "malformed chunk size"))
            }
            if size == 0 {
                // Trailer fields until an empty line.
                while true {
                    guard case .line(let l) = connection.readLine(limit: Self.maxHeaderLine) else {
                        return .failure(.malformed(status: 400, message: "malformed chunk trailer"))
                    }
                    if l.isEmpty { return .success(body) }
                }
            }
            guard body.count + size <= Self.maxBody else { return .failure(.malformed(status: 413, message: "body too large")) }
            guard let chunk = connection.readExact(size) else {
                return .failure(.malformed(status: 400, message: "unexpected end of chunk"))
            }
            body.append(contentsOf: chunk)
            guard case .line(let crlf) = connection.readLine(limit: 2), crlf.isEmpty else {
                return .failure(.malformed(status: 400, message: "malformed chunk terminator"))
            }
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
