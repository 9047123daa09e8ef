/// One parsed HTTP/1.1 request: method, decoded path, query parameters, headers and body.
public struct HTTPRequest: Sendable {
    /// The method, upper case as sent ("GET", "PATCH", ...).
    public var method: String
    /// The request target exactly as sent (path and query).
    public var target: String
    /// The percent-decoded path, without the query.
    public var path: String
    /// The raw query string (after '?', not decoded).
    public var rawQuery: String
    /// The decoded query parameters, in order.
    public var query: QueryParameters
    /// The header fields, in order; names compare case-insensitively.
    public var headers: HTTPHeaders
    /// The body, de-chunked.
    public var body: [UInt8]

    /// A request built in memory (used by the in-process client and tests).
    public init(method: String, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.target = target
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = PercentDecoding.decode(String(parts.first ?? ""), plusIsSpace: false)
        self.rawQuery = parts.count > 1 ? String(parts[1]) : ""
        self.query = QueryParameters(parsing: rawQuery)
        self.headers = headers
        self.body = body
    }

    /// The Content-Type without parameters, lower-cased ("" when absent).
    public var mediaType: String {
        guard let value = headers["Content-Type"] else { return "" }
        let base = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        return base.trimmingCharacters(in: .whitespaces).lowercased()
    }
}

/// Header fields of a request or response, kept in order, looked up case-insensitively.
public struct HTTPHeaders: Sendable, Sequence {
    /// The fields as (name, value) pairs, in the order received.
    public private(set) var fields: [(name: String, value: String)] = []

    /// An empty header set.
    public init() {}

    /// Headers from pairs.
    public init(_ pairs: [(String, String)]) { fields = pairs.map { (name: $0.0, value: $0.1) } }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }

    /// Appends a field.
    public mutating func add(_ name: String, _ value: String) { fields.append((name: name, value: value)) }

    /// Replaces every field called `name` with one of this value.
    public mutating func set(_ name: String, _ value: String) {
        let lower = name.lowercased()
        fields.removeAll { $0.name.lowercased() == lower }
        fields.append((name: name, value: value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }
}
