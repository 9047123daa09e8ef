import JSON

extension APIServer {
    /// The selectors of a list or watch request.
    struct Selectors {
        var labels: LabelSelector
        var fields: FieldSelector

        func matches(_ obj: JSONValue) -> Bool {
            (labels.isEmpty || labels.matches(obj.metaLabels)) && (fields.isEmpty || fields.matches(obj))
        }
        var isEmpty: Bool { labels.isEmpty && fields.isEmpty }
    }

    func selectors(_ q: QueryParameters, _ r: ResourceType) throws(APIError) -> Selectors {
        let labels = try LabelSelector(parsing: q["labelSelector"] ?? "")
        let fields = try FieldSelector(parsing: q["fieldSelector"] ?? "", for: r)
        return Selectors(labels: labels, fields: fields)
    }

    static let inconsistentContinueMessage =
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."

    /// One page of a list: the items, the list's resourceVersion, the continue token and the count of
    /// items after this page.
    struct ListPage {
        var items: [JSONValue]
        var resourceVersion: Int
        var continueToken: String?
        var remaining: Int?

        /// The list's `metadata`: its resourceVersion, and where the next page starts and how many
        /// items are left, if any.
        var metadata: JSONObject {
            var meta = JSONObject()
            meta["resourceVersion"] = .string(String(resourceVersion))
            if let continueToken { meta["continue"] = .string(continueToken) }
            if let remaining { meta["remainingItemCount"] = .int(remaining) }
            return meta
        }
    }

    /// Lists with the real semantics of resourceVersion, resourceVersionMatch, limit, continue and
    /// the server's page cap.
    func listPage(_ r: ResourceType, namespace: String?, query q: QueryParameters) throws(APIError) -> ListPage {
        let sel = try selectors(q, r)
        let rvParam = q["resourceVersion"] ?? ""
        let rvMatch = q["resourceVersionMatch"] ?? ""
        if !rvMatch.isEmpty && !["Exact", "NotOlderThan"].contains(rvMatch) {
            throw APIError.invalid(
                kind: "ListOptions", group: "meta.k8s.io", name: "",
                [.notSupported("resourceVersionMatch", rvMatch, ["Exact", "NotOlderThan", ""])])
        }
        if !rvMatch.isEmpty && rvParam.isEmpty {
            throw APIError.invalid(
                kind: "ListOptions", group: "meta.k8s.io", name: "",
                [.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided")])
        }
        let requested = Int(q["limit"] ?? "") ?? 0
        var pageLimit = requested > 0 ? requested : Int.max
        if let cap = options.pageSizeCap, cap > 0 { pageLimit = min(pageLimit, cap) }
        var objects: [JSONValue]
        var listRV: Int
        var startKey: String?
        if let token = q["continue"], !token.isEmpty {
            if !rvParam.isEmpty && rvParam != "0" {
                throw APIError.badRequest("specifying resource version is not allowed when using continue")
            }
            let t = try ContinueToken.decode(token)
            startKey = t.startKey
            if t.resourceVersion == -1 {
                (objects, listRV) = store.list(r, namespace: namespace)
            } else {
                listRV = t.resourceVersion
                do {
                    objects = try store.list(r, namespace: namespace, at: t.resourceVersion)
                } catch {
                    var e = APIError.expired(Self.inconsistentContinueMessage)
                    e.continueToken = ContinueToken(resourceVersion: -1, startKey: t.startKey).encoded()
                    throw e
                }
            }
        } else if !rvParam.isEmpty && rvParam != "0" {
            guard let n = Int(rvParam), n > 0 else {
                throw APIError.badRequest("invalid resource version: strconv.ParseUint: parsing \(JSONValue.quote(rvParam)): invalid syntax")
            }
            if rvMatch == "Exact" {
                do {
                    objects = try store.list(r, namespace: namespace, at: n)
                } catch {
                    throw APIError.from(error)
                }
                listRV = n
            } else {
                (objects, listRV) = store.list(r, namespace: namespace)
            }
        } else {
            (objects, listRV) = store.list(r, namespace: namespace)
        }
        var index = 0
        if let startKey {
            let start = ContinueToken.objectKey(startKey)
            index = objects.firstIndex { ObjectKey(namespace: $0.metaNamespace, name: $0.metaName) > start } ?? objects.count
        }
        var items: [JSONValue] = []
        var lastKey: String?
        while index < objects.count && items.count < pageLimit {
            let obj = objects[index]
            index += 1
            if sel.matches(obj) {
                items.append(obj)
                lastKey = ContinueToken.key(of: obj)
            }
        }
        var page = ListPage(items: items, resourceVersion: listRV, continueToken: nil, remaining: nil)
        if index < objects.count, let lastKey {
            page.continueToken = ContinueToken(resourceVersion: listRV, startKey: lastKey).encoded()
            if sel.isEmpty { page.remaining = objects.count - index }
        }
        return page
    }

    func list(_ r: ResourceType, namespace: String?, query q: QueryParameters, _ w: HTTPResponseWriter, form: ResponseForm = .object) throws(APIError) {
        let page = try listPage(r, namespace: namespace, query: q)
        switch form {
        case .object:
            writeJSONBytes(w, 200, Self.listBytes(r, page))
        case .table:
            let table = TableConvertor.table(
                r, page.items, resourceVersion: String(page.resourceVersion), continueToken: page.continueToken, remaining: page.remaining)
            writeJSON(w, 200, table, contentType: TableConvertor.contentType)
        case .metadataList:
            let list: JSONValue = ["kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": .object(page.metadata),
                                   "items": .array(page.items.map(ResponseForm.partial))]
            writeJSON(w, 200, list, contentType: form.contentType)
        case .metadata:
            throw APIError.notAcceptable("you requested PartialObjectMetadata, but the requested object is a list (*v1.\(r.kind)List)")
        }
    }

    /// The JSON of a list response; items carry no kind/apiVersion, as the real server writes them.
    static func listBytes(_ r: ResourceType, _ page: ListPage) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(page.items.count * 3000 + 200)
        out.append(contentsOf: "{\"kind\":\(JSONValue.quote(r.listKind)),\"apiVersion\":\(JSONValue.quote(r.apiVersion)),\"metadata\":".utf8)
        out.append(contentsOf: JSONValue.object(page.metadata).serializedBytes())
        out.append(contentsOf: ",\"items\":[".utf8)
        for (i, item) in page.items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: item.removing("kind").removing("apiVersion").serializedBytes())
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }
}
