/// The API server address split into parts, normalised as client-go's DefaultServerURL does.
public struct ServerURL: Sendable, Equatable {
    /// `http` or `https`.
    public var scheme: String
    /// Host without brackets (an IPv6 literal is bare here).
    public var host: String
    /// Explicit port, if any.
    public var port: Int?
    /// Path prefix without a trailing slash (often empty).
    public var pathPrefix: String

    /// `host:port` as it goes in a URL (IPv6 in brackets).
    public var authority: String {
        let h = host.utf8.contains(UInt8(ascii: ":")) ? "[\(host)]" : host
        if let port { return "\(h):\(port)" }
        return h
    }

    /// The port in effect (explicit, else the scheme's default).
    public var effectivePort: Int { port ?? (scheme == "https" ? 443 : 80) }

    /// The base URL: scheme, authority and path prefix.
    public var base: String { "\(scheme)://\(authority)\(pathPrefix)" }

    /// Parses a `server` value; without a scheme, `https` is assumed when TLS settings exist
    /// (`defaultTLS`), else `http`. Query and fragment are dropped.
    public static func parse(_ text: String, defaultTLS: Bool) throws(ConfigError) -> ServerURL {
        var rest = Substring(text.trimmingSpaces())
        var scheme = defaultTLS ? "https" : "http"
        if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") {
            scheme = rest[..<colon].lowercased()
            rest = rest[rest.index(colon, offsetBy: 3)...]
        }
        guard scheme == "https" || scheme == "http" else {
            throw .invalidServer(text, reason: "unsupported scheme \"\(scheme)\" (use https:// or http://)")
        }
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
        var authority = rest
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = String(rest[slash...])
        }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host: String
        var port: Int? = nil
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw .invalidServer(text, reason: "missing ']' in IPv6 address")
            }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()), (1...65535).contains(p) else {
                    throw .invalidServer(text, reason: "invalid port")
                }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else {
                throw .invalidServer(text, reason: "invalid port")
            }
            port = p
        } else {
            host = String(authority)
        }
        if host.isEmpty { throw .invalidServer(text, reason: "no host") }
        while path.hasSuffix("/") { path.removeLast() }
        return ServerURL(scheme: scheme, host: host, port: port, pathPrefix: path)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    func trimmingSpaces() -> String {
        let ws: Set<Character> = [" ", "\t", "\n", "\r", "\r\n"]
        var s = Substring(self)
        while let f = s.first, ws.contains(f) { s = s.dropFirst() }
        while let l = s.last, ws.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
