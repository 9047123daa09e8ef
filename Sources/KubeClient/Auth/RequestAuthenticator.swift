import KubeFormats
/// What a request carries to authenticate.
struct AuthMaterial: Sendable {
    /// Headers to add (`Authorization`, `Impersonate-*`).
    var headers: [HTTPHeader] = []
    /// A client certificate from an exec plugin (replaces the configured one).
    var clientCertificate: ClientCertificate?
    /// The exec credentials used, to ask for a refresh after a 401.
    var exec: ExecCredentialProvider.Issued?
}

/// Turns `Credentials` into per-request material: static token, token file, basic auth, or an
/// exec plugin (only when there is neither a token nor basic auth, as in client-go).
final class RequestAuthenticator: Sendable {
    private let credentials: Credentials
    private let tokenFile: TokenFileSource?
    /// The exec plugin provider, if the credentials use one.
    let exec: ExecCredentialProvider?

    init(credentials: Credentials, environment: Environment, now: @escaping @Sendable () -> Double) {
        self.credentials = credentials
        if let path = credentials.tokenFile {
            tokenFile = TokenFileSource(path: path, initialToken: credentials.bearerToken ?? "", environment: environment)
        } else {
            tokenFile = nil
        }
        if let config = credentials.exec {
            exec = ExecCredentialProvider(config: config, clusterInfo: credentials.execClusterInfo, environment: environment, now: now)
        } else {
            exec = nil
        }
    }

    /// The material for the next request (may run the exec plugin).
    func material() throws(AuthError) -> AuthMaterial {
        var issued: ExecCredentialProvider.Issued?
        if usesExec, let exec { issued = try exec.credentials() }
        return material(issued: issued)
    }

    /// The material for the next request when it is at hand: nil when the exec plugin would have to
    /// run first (its credentials expired, or another request is running it).
    func materialWithoutWaiting() -> AuthMaterial? {
        var issued: ExecCredentialProvider.Issued?
        if usesExec, let exec {
            guard let cached = exec.cachedCredentials() else { return nil }
            issued = cached
        }
        return material(issued: issued)
    }

    /// The exec plugin authenticates requests: there is neither a token (file) nor basic auth.
    private var usesExec: Bool {
        tokenFile == nil && credentials.bearerToken == nil && credentials.username == nil && credentials.password == nil && exec != nil
    }

    private func material(issued: ExecCredentialProvider.Issued?) -> AuthMaterial {
        var m = AuthMaterial()
        if let tokenFile {
            m.headers.append(HTTPHeader("Authorization", "Bearer \(tokenFile.token())"))
        } else if let token = credentials.bearerToken {
            m.headers.append(HTTPHeader("Authorization", "Bearer \(token.trimmingSpaces())"))
        } else if credentials.username != nil || credentials.password != nil {
            let pair = Array("\(credentials.username ?? ""):\(credentials.password ?? "")".utf8)
            m.headers.append(HTTPHeader("Authorization", "Basic \(Base64.encode(pair))"))
        } else if let issued {
            m.exec = issued
            if let token = issued.credentials.token { m.headers.append(HTTPHeader("Authorization", "Bearer \(token)")) }
            if let cert = issued.credentials.clientCertificatePEM, let key = issued.credentials.clientKeyPEM {
                m.clientCertificate = ClientCertificate(certificatePEM: cert, keyPEM: key)
            }
        }
        if let user = credentials.impersonateUser {
            m.headers.append(HTTPHeader("Impersonate-User", user))
            for group in credentials.impersonateGroups { m.headers.append(HTTPHeader("Impersonate-Group", group)) }
        }
        return m
    }

    /// Whether a 401 to a request made with `used` may be cured by new credentials from the exec plugin.
    func mayRefresh(_ used: AuthMaterial) -> Bool { exec != nil && used.exec != nil }

    /// After a 401 to a request made with `used`: true when the exec plugin produced new
    /// credentials, so the request is worth one more try.
    func refreshAfterUnauthorized(_ used: AuthMaterial) -> Bool {
        guard let exec, let issued = used.exec else { return false }
        guard let fresh = exec.refresh(after: issued) else { return false }
        return fresh.generation != issued.generation
    }
}
