/// How a request reaches the server when `tls-server-name` differs from the server's host.
///
/// libcurl 7.88 has no option to set the TLS SNI / verification name independently of the URL
/// host. So the URL's host is replaced by the server name (libcurl sends it as SNI and verifies
/// the certificate against it), `CURLOPT_CONNECT_TO` sends the TCP connection to the real server
/// address, and an explicit `Host` header keeps the HTTP authority of the real server — the same
/// observable behaviour as Go's `tls.Config.ServerName` in client-go.
struct TLSServerNameRouting: Sendable, Equatable {
    /// The URL handed to libcurl.
    var url: String
    /// The `CURLOPT_CONNECT_TO` entry, if rerouted.
    var connectTo: String?
    /// The `Host` header to send, if rerouted.
    var hostHeader: String?

    /// The routing for `url` (which must start with `server.base`'s scheme and authority).
    static func route(url: String, server: ServerURL, serverName: String?) -> TLSServerNameRouting {
        guard server.scheme == "https", let name = serverName, !name.isEmpty, name != server.host else {
            return TLSServerNameRouting(url: url, connectTo: nil, hostHeader: nil)
        }
        let prefix = "\(server.scheme)://\(server.authority)"
        guard url.hasPrefix(prefix) else { return TLSServerNameRouting(url: url, connectTo: nil, hostHeader: nil) }
        let port = server.effectivePort
        let nameHost = name.contains(":") ? "[\(name)]" : name
        let target = server.host.contains(":") ? "[\(server.host)]" : server.host
        let rewritten = "https://\(nameHost):\(port)" + url.dropFirst(prefix.count)
        return TLSServerNameRouting(
            url: rewritten, connectTo: "\(nameHost):\(port):\(target):\(port)", hostHeader: server.authority)
    }
}
