extension KubeClient {
    /// Refuses to send a bearer token or basic credentials in clear text: over `http://` they go
    /// only to a loopback server (the bytes never leave the machine) reached without a proxy.
    func checkCredentialsMayBeSent(_ auth: AuthMaterial) throws(KubeAPIError) {
        guard server.scheme == "http" else { return }
        guard auth.headers.contains(where: { $0.name == "Authorization" }) else { return }
        if config.proxyURL == nil, Self.isLoopback(server.host) { return }
        throw .authentication(.insecureServer(server: server.base))
    }

    /// A 3xx answer is not followed (the credentials would go to wherever it points); it ends the
    /// request with an error naming the target.
    func refuseRedirect(status: Int, location: String?) throws(KubeAPIError) {
        guard (300..<400).contains(status), status != 304 else { return }
        let target = location.map { " to \($0)" } ?? ""
        throw .invalidResponse(
            "the server \(server.authority) answered \(status) redirecting\(target); redirects are not followed, so credentials are only ever sent to the configured server")
    }

    /// `localhost`, 127.0.0.0/8 or ::1.
    static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
