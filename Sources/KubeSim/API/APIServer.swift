import Foundation
import JSON
import Synchronization

/// The simulated kube-apiserver's REST engine: authentication, fault injection, request logging,
/// routing, and the get/list/watch/create/update/patch/delete verbs over the object store. It does
/// not own sockets: `handle` serves one request on any `HTTPResponseWriter` (a socket connection or
/// an in-memory one), so in-process callers get exactly the HTTP behaviour.
public final class APIServer: Sendable {
    /// The objects.
    public let store: ObjectStore
    /// The options the server was started with.
    public let options: ServerOptions
    /// Every request handled.
    public let requestLog: RequestLog
    /// Injected failures and delays.
    public let faults: FaultInjector
    /// The random source of generated names and addresses.
    public let random: SimRandom

    final class ActiveWatch: Sendable {
        let subscription: StoreSubscription
        let writer: HTTPResponseWriter
        let dropped = Mutex(false)
        init(subscription: StoreSubscription, writer: HTTPResponseWriter) {
            self.subscription = subscription
            self.writer = writer
        }
    }

    struct Allocations {
        var nextServiceIP = 10
        var nextNodePort = 30000
        var nextPodIP = 0
        var podIPsPerNode: [String: Int] = [:]
    }

    let watches = Mutex<[Int: ActiveWatch]>([:])
    let nextWatchID = Mutex(1)
    let allocations = Mutex(Allocations())
    let stopping = Mutex(false)
    let advertisedAddress = Mutex("127.0.0.1:0")
    let imageDigests = Mutex<[String: String]>([:])
    /// Bearer tokens of the users RBAC applies to.
    let users = Mutex<[String: SimUser]>([:])
    /// Writes handled at once, one per processor: more would only queue on the store and, on a small
    /// machine, be preempted while committing, stalling the simulated kubelet and controllers behind
    /// them (kube-apiserver bounds them too, with --max-mutating-requests-inflight).
    let mutatingSlots = DispatchSemaphore(value: max(2, ProcessInfo.processInfo.activeProcessorCount))

    /// Adds image digests ("nginx:1.25" → "sha256:...") to the table a kubelet reports imageIDs from.
    public func addImageDigests(_ digests: [String: String]) {
        imageDigests.withLock { table in for (k, v) in digests { table[k] = v } }
    }

    /// A status factory with the scenario's image digests (for seeding and a future kubelet).
    public var podStatusFactory: PodStatusFactory {
        PodStatusFactory(imageDigests: imageDigests.withLock { $0 }, random: random)
    }

    /// An engine over `store`; creates the namespaces, service accounts and the `kubernetes`
    /// Service that every cluster has.
    public init(store: ObjectStore, options: ServerOptions, requestLog: RequestLog = RequestLog(), faults: FaultInjector = FaultInjector()) {
        self.store = store
        self.options = options
        self.requestLog = requestLog
        self.faults = faults
        self.random = SimRandom(seed: options.randomSeed)
        bootstrap()
    }

    /// A new unique pod IP: from the node's pod CIDR ("10.244.N.0/24") while it has room, else
    /// from 10.245.0.0/16. For seeding and a future kubelet.
    public func allocatePodIP(nodePodCIDR: String? = nil) -> String {
        if let cidr = nodePodCIDR, cidr.hasSuffix(".0/24") {
            let prefix = String(cidr.dropLast(5))
            let n = allocations.withLock { a -> Int in
                a.podIPsPerNode[prefix, default: 1] += 1
                return a.podIPsPerNode[prefix]!
            }
            if n <= 254 { return "\(prefix).\(n)" }
        }
        let n = allocations.withLock { a -> Int in
            a.nextPodIP += 1
            return a.nextPodIP
        }
        return "10.245.\(n / 254).\(n % 254 + 1)"
    }

    /// Sets the address /api advertises ("127.0.0.1:PORT").
    func setAdvertisedAddress(_ a: String) { advertisedAddress.withLock { $0 = a } }

    /// The number of watches being served.
    public var activeWatchCount: Int { watches.withLock { $0.count } }

    /// Drops every open watch connection abruptly (no final chunk), as a network failure would.
    public func dropWatches() {
        let all = watches.withLock { Array($0.values) }
        for w in all {
            w.dropped.withLock { $0 = true }
            w.subscription.interrupt()
        }
    }

    /// Ends every watch and refuses new work (server shutdown).
    func shutdown() {
        stopping.withLock { $0 = true }
        dropWatches()
    }

    // MARK: Request entry point

    /// Serves one request; `certificateUser` is the identity of a client certificate verified before
    /// the request reached the server.
    public func handle(_ req: HTTPRequest, _ w: HTTPResponseWriter, certificateUser: SimUser? = nil) {
        let arrived = Date()
        let logged = Mutex(false)
        let record: @Sendable (Int) -> Void = { [requestLog] status in
            let first = logged.withLock { done -> Bool in
                if done { return false }
                done = true
                return true
            }
            guard first else { return }
            requestLog.append(
                RequestLogEntry(
                    method: req.method, path: req.path, rawQuery: req.rawQuery, contentType: req.headers["Content-Type"] ?? "",
                    body: req.body, statusCode: status, timestamp: arrived, userAgent: req.headers["User-Agent"] ?? "",
                    accept: req.headers["Accept"] ?? ""))
        }
        w.onRespond(record)
        defer { record(w.status) }
        if let action = faults.take(method: req.method, path: req.path, dryRun: req.query.all("dryRun").contains("All")) {
            switch action {
            case .fail(let e):
                writeError(w, e)
                return
            case .stall(let seconds):
                Thread.sleep(forTimeInterval: seconds)
            case .holdAnswer(let seconds):
                w.holdAnswer(seconds: seconds)
            }
        }
        // After the write slot is given back: a held answer does not hold up other writes.
        defer { w.releaseHeldAnswer() }
        guard let user = authenticate(req, certificateUser: certificateUser) else {
            writeError(w, .unauthorized)
            return
        }
        if let denied = authorizationFailure(user, req) {
            writeError(w, denied)
            return
        }
        let mutating = req.method != "GET" && req.method != "HEAD"
        if mutating { mutatingSlots.wait() }
        defer { if mutating { mutatingSlots.signal() } }
        var failure: APIError?
        SimUser.$current.withValue(user) {
            FieldWriter.$current.withValue(mutating ? FieldWriter(request: req) : nil) {
                do throws(APIError) {
                    try route(req, w, onStreamStart: record)
                } catch {
                    failure = error
                }
            }
        }
        if let failure { writeError(w, failure) }
    }

    /// The request's identity: a registered user's token, else the verified client certificate's
    /// user, else the unrestricted admin (the server's
    /// token, its basic credentials, or anything when it checks none); nil answers 401.
    func authenticate(_ req: HTTPRequest, certificateUser: SimUser? = nil) -> SimUser? {
        let header = req.headers["Authorization"]
        if let header, header.hasPrefix("Bearer "), let user = users.withLock({ $0[String(header.dropFirst(7))] }) { return user }
        if let certificateUser { return certificateUser }
        if options.bearerToken == nil && options.basicAuth == nil { return .admin }
        if RequestInfo.parse(req.path).isHealth { return .admin }
        guard let header else { return nil }
        if let token = options.bearerToken, header == "Bearer \(token)" { return .admin }
        if let basic = options.basicAuth, header.hasPrefix("Basic "),
            let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingSpaces()),
            String(decoding: data, as: UTF8.self) == "\(basic.username):\(basic.password)"
        {
            return .admin
        }
        return nil
    }

    func route(_ req: HTTPRequest, _ w: HTTPResponseWriter, onStreamStart: @escaping @Sendable (Int) -> Void) throws(APIError) {
        switch RequestInfo.parse(req.path) {
        case .version: writeJSON(w, 200, versionDocument())
        case .legacyAPIVersions: writeJSON(w, 200, apiVersionsDocument())
        case .groupList: writeJSON(w, 200, groupListDocument())
        case .group(let g): writeJSON(w, 200, groupDocument(g))
        case .resourceList(let g, let v): writeJSON(w, 200, resourceListDocument(group: g, version: v))
        case .openAPIRoot: writeJSON(w, 200, openAPIRoot())
        case .openAPIDocument(let g, let v): writeJSON(w, 200, openAPIDocument(group: g, version: v))
        case .health:
            w.respond(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")]), body: Array("ok".utf8))
        case .unknownAPI:
            throw APIError.resourceNotFound
        case .other:
            w.respond(status: 404, headers: HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")]), body: Array("404 page not found\n".utf8))
        case .resource(let r, let namespace, let name, let sub):
            try serveResource(req, w, r, namespace: namespace, name: name, subresource: sub, onStreamStart: onStreamStart)
        }
    }

    func serveResource(
        _ req: HTTPRequest, _ w: HTTPResponseWriter, _ r: ResourceType, namespace: String?, name: String?, subresource: String?,
        onStreamStart: @escaping @Sendable (Int) -> Void
    ) throws(APIError) {
        let ns = r.namespaced ? namespace : nil
        if r.namespaced && namespace == nil && name != nil { throw APIError.resourceNotFound }
        if subresource == "resize" && !options.servesPodResize {
            w.respond(status: 404, headers: HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")]), body: Array("404 page not found\n".utf8))
            return
        }
        let form = ResponseForm.of(req)
        switch (req.method, name) {
        case ("GET", nil), ("HEAD", nil):
            if req.query.flag("watch") {
                try watch(r, namespace: ns, query: req.query, w, form: form, onStreamStart: onStreamStart)
            } else {
                try list(r, namespace: ns, query: req.query, w, form: form)
            }
        case ("GET", let name?), ("HEAD", let name?):
            if subresource == "scale" {
                writeJSON(w, 200, try scale(of: r, namespace: ns ?? "", name: name))
            } else {
                guard let obj = store.get(r, namespace: ns ?? "", name: name) else { throw APIError.notFound(r, name) }
                try answer(w, 200, obj, r, form)
            }
        case ("POST", nil) where r == Resources.selfSubjectAccessReviews:
            writeJSON(w, 201, try selfSubjectAccessReview(req.body))
        case ("POST", nil):
            guard r.namespaced ? namespace != nil : true else { throw APIError.methodNotAllowed }
            let (obj, code) = try create(r, namespace: ns ?? "", body: req.body, query: req.query)
            try answer(w, code, obj, r, form)
        case ("PUT", let name?):
            let (obj, code) = try update(r, namespace: ns ?? "", name: name, subresource: subresource, body: req.body, query: req.query)
            try answer(w, code, obj, r, form)
        case ("PATCH", let name?):
            let (obj, code) = try patch(r, namespace: ns ?? "", name: name, subresource: subresource, request: req)
            try answer(w, code, obj, r, form)
        case ("DELETE", let name?):
            guard subresource == nil else { throw APIError.methodNotAllowed }
            let (obj, code) = try delete(r, namespace: ns ?? "", name: name, request: req)
            try answer(w, code, obj, r, form)
        case ("DELETE", nil):
            guard r.verbs.contains("deletecollection") else { throw APIError.methodNotAllowed }
            writeJSON(w, 200, try deleteCollection(r, namespace: ns, request: req))
        default:
            throw APIError.methodNotAllowed
        }
    }

    // MARK: Responses

    /// One object (a GET's or a write's answer) in the negotiated form; a Status passes as it is. A
    /// write is done whether or not the form can be served (kube-apiserver transforms the answer
    /// after storing).
    func answer(_ w: HTTPResponseWriter, _ status: Int, _ object: JSONValue, _ r: ResourceType, _ form: ResponseForm) throws(APIError) {
        guard object["kind"]?.string != "Status" else { return writeJSON(w, status, object) }
        writeJSON(w, status, try form.single(r, object), contentType: form.contentType)
    }

    func writeJSON(_ w: HTTPResponseWriter, _ status: Int, _ value: JSONValue, contentType: String = "application/json") {
        writeJSONBytes(w, status, value.serializedBytes(), contentType: contentType)
    }

    func writeJSONBytes(_ w: HTTPResponseWriter, _ status: Int, _ bytes: [UInt8], contentType: String = "application/json") {
        var h = HTTPHeaders()
        h.set("Content-Type", contentType)
        h.set("Cache-Control", "no-cache, private")
        h.set("Audit-Id", random.uuid())
        w.respond(status: status, headers: h, body: bytes)
    }

    func writeError(_ w: HTTPResponseWriter, _ e: APIError) {
        var h = HTTPHeaders()
        h.set("Content-Type", "application/json")
        h.set("Cache-Control", "no-cache, private")
        if let retry = e.retryAfterSeconds { h.set("Retry-After", String(retry)) }
        w.respond(status: e.code, headers: h, body: e.status.serializedBytes())
    }

    // MARK: Shared request parsing

    /// The parsed JSON body of a write, checked against the endpoint's kind and apiVersion.
    func decodeObject(_ body: [UInt8], _ r: ResourceType) throws(APIError) -> JSONValue {
        guard !body.isEmpty else { throw APIError.badRequest("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml") }
        let obj: JSONValue
        do {
            obj = try JSONValue(parsing: body)
        } catch {
            throw APIError.badRequest("the object provided is unrecognized (must be of type \(r.kind)): \(error.description)")
        }
        guard obj.object != nil else {
            throw APIError.badRequest("the object provided is unrecognized (must be of type \(r.kind)): couldn't get version/kind; json parse error: json: cannot unmarshal \(obj.typeName) into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }")
        }
        if let v = obj["apiVersion"]?.string, !v.isEmpty, v != r.apiVersion {
            throw APIError.badRequest("the API version in the data (\(v)) does not match the expected API version (\(r.apiVersion))")
        }
        if let k = obj["kind"]?.string, !k.isEmpty, k != r.kind {
            throw APIError.badRequest("the kind in the data (\(k)) does not match the expected kind (\(r.kind))")
        }
        return obj
    }

    /// `dryRun` parameters: only "All" is accepted (as ValidateDryRun).
    func dryRun(_ q: QueryParameters, optionsKind: String) throws(APIError) -> Bool {
        let values = q.all("dryRun")
        if values.isEmpty { return false }
        if values.allSatisfy({ $0 == "All" }) { return true }
        let shown = "[]string{" + values.map { JSONValue.quote($0) }.joined(separator: ", ") + "}"
        throw APIError.invalid(
            kind: optionsKind, group: "meta.k8s.io", name: "",
            [FieldError(.notSupported, "dryRun", badValue: shown, "supported values: \"All\"")])
    }

    /// Puts kind and apiVersion first and the namespace of the request in place.
    func typed(_ obj: JSONValue, _ r: ResourceType) -> JSONValue {
        var o = obj
        o["kind"] = .string(r.kind)
        o["apiVersion"] = .string(r.apiVersion)
        return ObjectMetaOrder.canonical(o)
    }
}

extension RequestInfo.Target {
    var isHealth: Bool { if case .health = self { return true }; return false }
}
