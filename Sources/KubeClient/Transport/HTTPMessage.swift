/// One HTTP header field.
public struct HTTPHeader: Sendable, Equatable {
    /// Field name.
    public var name: String
    /// Field value.
    public var value: String
    /// A header field.
    public init(_ name: String, _ value: String) { self.name = name; self.value = value }

    /// True when the field's name is `name`, in any case (compared byte by byte: no lowercased copies).
    public func named(_ name: String) -> Bool {
        func lower(_ b: UInt8) -> UInt8 { (0x41...0x5A).contains(b) ? b | 0x20 : b }
        return self.name.utf8.count == name.utf8.count && zip(self.name.utf8, name.utf8).allSatisfy { lower($0) == lower($1) }
    }
}

/// A TLS client certificate and key (PEM), e.g. from an exec credential plugin.
public struct ClientCertificate: Sendable, Equatable {
    /// PEM certificate (chain).
    public var certificatePEM: [UInt8]
    /// PEM private key.
    public var keyPEM: [UInt8]
    /// A certificate and its key.
    public init(certificatePEM: [UInt8], keyPEM: [UInt8]) {
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
    }
}

/// A request as the transport sends it.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE`.
    public var method: String
    /// The full URL.
    public var url: String
    /// Request headers (User-Agent and Host are added by the transport).
    public var headers: [HTTPHeader]
    /// The body, if any.
    public var body: [UInt8]?
    /// Whole-request timeout; nil for none.
    public var timeout: Duration?
    /// A client certificate that replaces the configured one for this request.
    public var clientCertificate: ClientCertificate?

    /// A request.
    public init(
        method: String, url: String, headers: [HTTPHeader] = [], body: [UInt8]? = nil, timeout: Duration? = nil,
        clientCertificate: ClientCertificate? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.clientCertificate = clientCertificate
    }
}

/// A complete response.
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Response headers in arrival order.
    public var headers: [HTTPHeader]
    /// The (decoded) body.
    public var body: [UInt8]

    /// A response.
    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? { headers.first { $0.named(name) }?.value }
}
