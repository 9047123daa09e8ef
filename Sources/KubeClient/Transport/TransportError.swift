/// A failure below HTTP: no response was received (or it was cut off).
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as far as retry and messages care.
    public enum Kind: Sendable, Equatable {
        /// The TCP connection could not be made (refused, unreachable); nothing was sent.
        case connectFailed
        /// The host name could not be resolved.
        case unresolvedHost
        /// The request or connect timed out.
        case timedOut
        /// The server certificate did not verify.
        case tlsVerification
        /// Another TLS problem (handshake, client certificate, CA bundle).
        case tls
        /// The connection broke after the request may have been sent.
        case connectionLost
        /// The caller stopped the transfer.
        case cancelled
        /// The response body went over the transport's size limit and was cut off.
        case responseTooLarge
        /// Anything else libcurl reports.
        case other
    }

    /// The classification.
    public var kind: Kind
    /// `host:port` of the server.
    public var server: String
    /// libcurl's explanation.
    public var detail: String
    /// libcurl's result code.
    public var curlCode: Int

    /// A transport error.
    public init(kind: Kind, server: String, detail: String, curlCode: Int = 0) {
        self.kind = kind
        self.server = server
        self.detail = detail
        self.curlCode = curlCode
    }

    /// The message shown to the user (kubectl-like wording).
    public var description: String {
        switch kind {
        case .connectFailed:
            return "The connection to the server \(server) was refused - is the cluster reachable? Did you specify the right host or port? (\(detail))"
        case .unresolvedHost:
            return "cannot resolve the server \(server): \(detail) - is the cluster address right?"
        case .timedOut:
            return "the request to \(server) timed out: \(detail)"
        case .tlsVerification:
            return "TLS certificate verification failed for \(server): \(detail) (check certificate-authority, tls-server-name, or use --insecure-skip-tls-verify at your own risk)"
        case .tls:
            return "TLS error talking to \(server): \(detail)"
        case .connectionLost:
            return "the connection to \(server) was lost: \(detail)"
        case .cancelled:
            return "the request to \(server) was cancelled"
        case .responseTooLarge:
            return "the response from \(server) was cut off: \(detail)"
        case .other:
            return "request to \(server) failed: \(detail)"
        }
    }
}
