import Foundation
import JSON

extension APIServer {
    /// Serves a watch: a 200 chunked stream of `{"type":...,"object":...}` lines, replaying from
    /// `resourceVersion`, sending the current state first when there is none, BOOKMARK events when
    /// allowed, closing after timeoutSeconds, and an ERROR event with a 410 Status for a
    /// resourceVersion older than the history.
    func watch(
        _ r: ResourceType, namespace: String?, query q: QueryParameters, _ w: HTTPResponseWriter, form: ResponseForm = .object,
        onStreamStart: @escaping @Sendable (Int) -> Void
    ) throws(APIError) {
        if form == .metadataList {
            throw APIError.notAcceptable("you requested PartialObjectMetadataList, but the requested object is not a list (*v1.\(r.kind))")
        }
        let line: (String, JSONValue) -> [UInt8] = { type, obj in
            guard type == "ADDED" || type == "MODIFIED" || type == "DELETED" else { return Self.eventLine(type, obj) }
            switch form {
            case .table: return Self.eventLine(type, TableConvertor.table(r, [obj], resourceVersion: obj.metaResourceVersion))
            case .metadata: return Self.eventLine(type, ResponseForm.partial(obj))
            case .object, .metadataList: return Self.eventLine(type, obj)
            }
        }
        let sel = try selectors(q, r)
        let allowBookmarks = q.flag("allowWatchBookmarks")
        let sendInitial = q.flag("sendInitialEvents")
        var timeout = options.defaultWatchTimeoutSeconds
        if let t = q["timeoutSeconds"] {
            guard let n = Int(t), n >= 0 else { throw APIError.badRequest("invalid timeoutSeconds: \(t)") }
            if n > 0 { timeout = Double(n) }
        }
        let rvParam = q["resourceVersion"] ?? ""
        if sendInitial && q["resourceVersionMatch"] != "NotOlderThan" {
            throw APIError.invalid(
                kind: "ListOptions", group: "meta.k8s.io", name: "",
                [.forbidden("sendInitialEvents", "sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan")])
        }
        let filter = StoreSubscription.Filter(resources: [r], namespace: namespace)
        var initial: [JSONValue] = []
        let subscription: StoreSubscription
        var lastRV: Int
        if rvParam.isEmpty || rvParam == "0" || sendInitial {
            let snap = store.subscribeWithSnapshot(filter)
            subscription = snap.subscription
            initial = snap.objects.map(\.1).filter { sel.matches($0) }
            lastRV = snap.resourceVersion
        } else {
            guard let n = Int(rvParam), n >= 0 else {
                throw APIError.badRequest("invalid resource version: strconv.ParseUint: parsing \(JSONValue.quote(rvParam)): invalid syntax")
            }
            do {
                subscription = try store.subscribe(filter, after: n)
            } catch {
                startStream(w, onStreamStart)
                let e = APIError.from(error)
                _ = w.sendChunk(Self.eventLine("ERROR", e.status))
                w.endStream()
                return
            }
            lastRV = n
        }
        defer { subscription.cancel() }
        startStream(w, onStreamStart)
        for obj in initial {
            guard w.sendChunk(line("ADDED", obj)) else { return }
        }
        if sendInitial && allowBookmarks {
            guard w.sendChunk(Self.eventLine("BOOKMARK", bookmark(r, lastRV, initialEventsEnd: true))) else { return }
        }
        let id = nextWatchID.withLock { n -> Int in
            n += 1
            return n
        }
        let active = ActiveWatch(subscription: subscription, writer: w)
        watches.withLock { $0[id] = active }
        defer { _ = watches.withLock { $0.removeValue(forKey: id) } }
        let deadline = Date().addingTimeInterval(timeout)
        var nextBookmark = Date().addingTimeInterval(options.bookmarkIntervalSeconds)
        while true {
            if active.dropped.withLock({ $0 }) || stopping.withLock({ $0 }) {
                w.abortStream()
                return
            }
            let now = Date()
            if now >= deadline { break }
            var wait = min(deadline.timeIntervalSince(now), 0.5)
            if allowBookmarks { wait = min(wait, max(0, nextBookmark.timeIntervalSince(now))) }
            if let e = subscription.next(timeout: wait) {
                lastRV = e.resourceVersion
                guard let (type, obj) = Self.transform(e, sel) else { continue }
                if !w.sendChunk(line(type, obj)) { return }
                continue
            }
            if allowBookmarks && Date() >= nextBookmark {
                let rv = subscription.backlog == 0 ? max(lastRV, store.resourceVersion) : lastRV
                if !w.sendChunk(Self.eventLine("BOOKMARK", bookmark(r, rv, initialEventsEnd: false))) { return }
                nextBookmark = Date().addingTimeInterval(options.bookmarkIntervalSeconds)
            }
            if w.clientGone { return }
        }
        w.endStream()
    }

    private func startStream(_ w: HTTPResponseWriter, _ onStreamStart: @Sendable (Int) -> Void) {
        var h = HTTPHeaders()
        h.set("Content-Type", "application/json")
        h.set("Cache-Control", "no-cache, private")
        w.beginStream(status: 200, headers: h)
        onStreamStart(200)
    }

    func bookmark(_ r: ResourceType, _ rv: Int, initialEventsEnd: Bool) -> JSONValue {
        var meta: JSONObject = ["resourceVersion": .string(String(rv)), "creationTimestamp": .null]
        if initialEventsEnd { meta["annotations"] = ["k8s.io/initial-events-end": "true"] }
        return ["kind": .string(r.kind), "apiVersion": .string(r.apiVersion), "metadata": .object(meta)]
    }

    /// The event as a watcher with selectors sees it: objects entering the selection are ADDED,
    /// objects leaving it are DELETED, others are dropped.
    static func transform(_ e: StoreEvent, _ sel: Selectors) -> (String, JSONValue)? {
        if sel.isEmpty { return (e.type.rawValue, e.object) }
        switch e.type {
        case .added: return sel.matches(e.object) ? ("ADDED", e.object) : nil
        case .deleted: return sel.matches(e.previous ?? e.object) ? ("DELETED", e.object) : nil
        case .modified:
            let was = e.previous.map(sel.matches) ?? false
            let now = sel.matches(e.object)
            switch (was, now) {
            case (true, true): return ("MODIFIED", e.object)
            case (false, true): return ("ADDED", e.object)
            case (true, false): return ("DELETED", e.object)
            case (false, false): return nil
            }
        }
    }

    static func eventLine(_ type: String, _ object: JSONValue) -> [UInt8] {
        var out = Array("{\"type\":\"\(type)\",\"object\":".utf8)
        out.append(contentsOf: object.serializedBytes())
        out.append(contentsOf: "}\n".utf8)
        return out
    }
}
