import JSON
import KubeFormats

/// Credentials returned by an exec plugin.
public struct ExecCredentials: Sendable, Equatable {
    /// Bearer token, if any.
    public var token: String?
    /// PEM client certificate, if any (always together with the key).
    public var clientCertificatePEM: [UInt8]?
    /// PEM client key.
    public var clientKeyPEM: [UInt8]?
    /// Expiry in seconds since the epoch; nil means "until the server rejects it".
    public var expiration: Double?

    /// Plugin credentials.
    public init(token: String? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil, expiration: Double? = nil) {
        self.token = token
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.expiration = expiration
    }
}

/// The ExecCredential exchange: the `KUBERNETES_EXEC_INFO` input and the plugin's stdout.
public enum ExecCredentialCodec {
    /// The ExecCredential object passed in `KUBERNETES_EXEC_INFO`.
    public static func execInfo(apiVersion: String, interactive: Bool, cluster: JSONValue?) -> JSONValue {
        var spec = JSONObject()
        if let cluster { spec["cluster"] = cluster }
        spec["interactive"] = .bool(interactive)
        var o = JSONObject()
        o["kind"] = "ExecCredential"
        o["apiVersion"] = .string(apiVersion)
        o["spec"] = .object(spec)
        return .object(o)
    }

    /// Decodes the plugin's stdout, checking it as client-go does. Errors are `detail` texts.
    public static func decodeOutput(_ stdout: [UInt8], apiVersion: String) -> Result<ExecCredentials, DecodeFailure> {
        let doc: JSONValue
        do {
            doc = try JSONValue(parsing: stdout)
        } catch {
            let shown = stdout.isEmpty ? "the plugin printed nothing" : "\(error)"
            return .failure(DecodeFailure("decoding stdout: \(shown)"))
        }
        guard case .object(let o) = doc else {
            return .failure(DecodeFailure("decoding stdout: expected an ExecCredential object, found \(doc.typeName)"))
        }
        let returned = o["apiVersion"]?.string ?? ""
        if returned != apiVersion {
            let shown = returned.isEmpty ? "none" : returned
            return .failure(DecodeFailure("exec plugin is configured to use API version \(apiVersion), plugin returned version \(shown)"))
        }
        if let kind = o["kind"]?.string, kind != "ExecCredential" {
            return .failure(DecodeFailure("decoding stdout: expected kind ExecCredential, found \(kind)"))
        }
        guard let statusValue = o["status"], case .object(let status) = statusValue else {
            return .failure(DecodeFailure("exec plugin didn't return a status field"))
        }
        func text(_ key: String) -> String { status[key]?.string ?? "" }
        let token = text("token"), cert = text("clientCertificateData"), key = text("clientKeyData")
        if token.isEmpty && cert.isEmpty && key.isEmpty {
            return .failure(DecodeFailure("exec plugin didn't return a token or cert/key pair"))
        }
        if cert.isEmpty != key.isEmpty {
            return .failure(DecodeFailure("exec plugin returned only certificate or key, not both"))
        }
        var creds = ExecCredentials()
        if !token.isEmpty { creds.token = token }
        if !cert.isEmpty {
            creds.clientCertificatePEM = Array(cert.utf8)
            creds.clientKeyPEM = Array(key.utf8)
        }
        if let exp = status["expirationTimestamp"], !exp.isNull {
            guard let s = exp.string, let t = RFC3339.parse(s) else {
                return .failure(DecodeFailure("decoding stdout: status.expirationTimestamp \(exp) is not an RFC 3339 time"))
            }
            creds.expiration = t
        }
        return .success(creds)
    }

    /// Why a plugin's output was rejected.
    public struct DecodeFailure: Error, Sendable, Equatable {
        /// What is wrong with the output.
        public var detail: String
        init(_ detail: String) { self.detail = detail }
    }
}
