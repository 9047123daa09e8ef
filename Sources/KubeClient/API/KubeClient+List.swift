import JSON

/// Where a list page stands.
public struct ListMeta: Sendable, Equatable {
    /// The list's resourceVersion (the same on every page; watch from it).
    public var resourceVersion: String
    /// The token for the next page; nil on the last page.
    public var continueToken: String?
    /// The server's estimate of items not yet returned.
    public var remainingItemCount: Int?
    /// 0-based page number.
    public var pageIndex: Int
    /// True on the first page after the list was restarted because its continue token expired
    /// (410): the caller must discard what earlier pages gave it.
    public var restarted: Bool

    /// Page metadata.
    public init(resourceVersion: String, continueToken: String? = nil, remainingItemCount: Int? = nil, pageIndex: Int = 0, restarted: Bool = false) {
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
        self.pageIndex = pageIndex
        self.restarted = restarted
    }

    init(_ metadata: JSONValue?, pageIndex: Int, restarted: Bool) {
        let cont = metadata?["continue"]?.string ?? ""
        self.init(
            resourceVersion: metadata?["resourceVersion"]?.string ?? "", continueToken: cont.isEmpty ? nil : cont,
            remainingItemCount: metadata?["remainingItemCount"]?.int, pageIndex: pageIndex, restarted: restarted)
    }
}

extension KubeClient {
    /// Lists a collection page by page (`limit` items per page, following `metadata.continue`
    /// until it is empty; pages may be short). Items get `kind`/`apiVersion` from the list when
    /// they lack them. If a continue token expires (410) mid-way, the list restarts once from the
    /// beginning and that first page is marked `restarted`. Returns the list's resourceVersion.
    /// Errors are `KubeAPIError`, or whatever `onPage` throws. Items keep what `projection` keeps.
    @discardableResult
    public func list(
        _ path: String, labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = 500,
        projection: JSONProjection? = nil, onPage: ([JSONValue], ListMeta) throws -> Void
    ) throws -> String {
        let pageProjection = projection?.nested(under: "items")
        var strings = JSONStringCache()
        // The page is parsed whole anyway: its metadata comes from the parsed page, not a scan before.
        return try pages(path, labelSelector: labelSelector, fieldSelector: fieldSelector, limit: limit) { bytes throws(KubeAPIError) in
            var doc = try Self.decodeJSON(bytes, projection: pageProjection, strings: &strings)
            guard case .object = doc else { throw .invalidResponse("list response: expected an object") }
            let listKind = doc["kind"]?.string, apiVersion = doc["apiVersion"], metadata = doc["metadata"]
            var items = doc["items"]?.array ?? []
            doc = .null  // the items are then held once, and changed in place
            if let listKind, listKind.hasSuffix("List") {
                let kind = String(listKind.dropLast(4))
                for i in items.indices where items[i]["kind"] == nil {
                    items[i]["kind"] = .string(kind)
                    if let apiVersion { items[i]["apiVersion"] = apiVersion }
                }
            }
            return (items, metadata)
        } onPage: { items, meta in
            try onPage(items, meta)
        }
    }

    /// Lists a collection as `list` does, but hands over its items one at a time, each parsed (keeping
    /// what `projection` keeps) from the page's bytes when its turn comes: a page's items are never
    /// all held as trees at once, so pages can be large; the members `projection` shares are built
    /// once for the items whose bytes repeat them. `restarted` is set on the first item of a
    /// restarted list only.
    @discardableResult
    public func listEach(
        _ path: String, labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = 500,
        projection: JSONProjection? = nil, onItem: (JSONValue, ListMeta) throws -> Void
    ) throws -> String {
        var strings = JSONStringCache()
        var subtrees = JSONSubtreeCache()
        return try pages(path, labelSelector: labelSelector, fieldSelector: fieldSelector, limit: limit) { bytes throws(KubeAPIError) in
            let envelope = try ListEnvelopeScanner.envelope(of: bytes)
            return ((bytes, envelope), envelope.metadata)
        } onPage: { page, meta in
            let (bytes, envelope) = page
            let kind = envelope.kind.flatMap { $0.hasSuffix("List") ? String($0.dropLast(4)) : nil }
            var meta = meta
            guard let itemsStart = envelope.itemsStart else { return }
            try bytes.withUnsafeBufferPointer { buf in
                var items = JSONArrayReader(buf, at: itemsStart)
                while true {
                    var item: JSONValue
                    do {
                        guard let next = try items.next(projection: projection, strings: &strings, subtrees: &subtrees) else { break }
                        item = next
                    } catch {
                        throw KubeAPIError.invalidResponse("the body is not valid JSON (\(error))")
                    }
                    if let kind, item["kind"] == nil {
                        item["kind"] = .string(kind)
                        if let apiVersion = envelope.apiVersion { item["apiVersion"] = apiVersion }
                    }
                    try onItem(item, meta)
                    meta.restarted = false
                }
            }
        }
    }

    /// Like `list`, but hands over each page's raw JSON body (for decoding into compact structs).
    @discardableResult
    public func listRaw(
        _ path: String, labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = 500,
        onPage: ([UInt8], ListMeta) throws -> Void
    ) throws -> String {
        try pages(path, labelSelector: labelSelector, fieldSelector: fieldSelector, limit: limit) { bytes throws(KubeAPIError) in
            (bytes, try ListEnvelopeScanner.metadata(of: bytes))
        } onPage: { bytes, meta in
            try onPage(bytes, meta)
        }
    }

    /// The pages of a list, each decoded by `decode` into what `onPage` gets and the list's `metadata`.
    private func pages<Page>(
        _ path: String, labelSelector: String?, fieldSelector: String?, limit: Int?,
        decode: ([UInt8]) throws(KubeAPIError) -> (page: Page, metadata: JSONValue?), onPage: (Page, ListMeta) throws -> Void
    ) throws -> String {
        var base: [QueryItem] = []
        if let labelSelector, !labelSelector.isEmpty { base.append(QueryItem("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { base.append(QueryItem("fieldSelector", fieldSelector)) }
        if let limit, limit > 0 { base.append(QueryItem("limit", String(limit))) }
        var continueToken: String? = nil
        var pageIndex = 0
        var restartedOnce = false
        var markRestart = false
        while true {
            var query = base
            if let continueToken { query.append(QueryItem("continue", continueToken)) }
            var body: [UInt8]
            switch Result(catching: { () throws(KubeAPIError) -> [UInt8] in try send("GET", path, query: query, verb: "LIST").body }) {
            case .success(let bytes):
                body = bytes
            case .failure(let error):
                guard error.isGone, continueToken != nil, !restartedOnce else { throw error }
                tracer.note("the continue token for \(path) expired; listing again from the start")
                restartedOnce = true
                markRestart = true
                continueToken = nil
                pageIndex = 0
                continue
            }
            let decoded = try decode(body)
            body = []  // a decoded page no longer needs its bytes
            let meta = ListMeta(decoded.metadata, pageIndex: pageIndex, restarted: markRestart)
            markRestart = false
            try onPage(decoded.page, meta)
            guard let next = meta.continueToken else { return meta.resourceVersion }
            continueToken = next
            pageIndex += 1
        }
    }

    /// All items of a collection and the list's resourceVersion (pages collected; a restarted
    /// list replaces what was collected before). Items keep what `projection` keeps.
    public func listAll(
        _ path: String, labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = 500,
        projection: JSONProjection? = nil
    ) throws(KubeAPIError) -> (items: [JSONValue], resourceVersion: String) {
        var items: [JSONValue] = []
        do {
            let rv = try list(path, labelSelector: labelSelector, fieldSelector: fieldSelector, limit: limit,
                              projection: projection) { page, meta in
                if meta.restarted { items.removeAll() }
                items.append(contentsOf: page)
            }
            return (items, rv)
        } catch let error as KubeAPIError {
            throw error
        } catch {
            throw .invalidResponse("\(error)")
        }
    }
}
