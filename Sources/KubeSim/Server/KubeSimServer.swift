import Foundation
import JSON
import Synchronization

/// A running simulated Kubernetes cluster on 127.0.0.1: start one per test (port 0), seed it
/// with a `Scenario`, point kubectl or the client at `url` / `writeKubeconfig`, inspect
/// `requestLog`, inject `faults`, and read or change objects through `store` or `client`. Unless
/// disabled, a scheduler, kubelets and controllers (`cluster`) make the objects behave.
public final class KubeSimServer: Sendable {
    /// The object store (direct reads, writes and subscriptions from Swift).
    public let store: ObjectStore
    /// The REST engine.
    public let api: APIServer
    /// Every request handled over HTTP or through `client`.
    public var requestLog: RequestLog { api.requestLog }
    /// Injected failures and delays.
    public var faults: FaultInjector { api.faults }
    /// The options in force.
    public var options: ServerOptions { api.options }
    /// The in-process client: the same REST semantics without a socket.
    public let client: InProcessClient
    /// The kubelet, scheduler, controllers and traffic behind the API server (not running when
    /// the cluster options are disabled).
    public let cluster: ClusterSimulation
    private let http: HTTPServer
    private let certificateListeners = Mutex<[HTTPServer]>([])

    /// The bound port.
    public var port: UInt16 { http.port }
    /// "http://127.0.0.1:PORT".
    public var url: String { "http://127.0.0.1:\(http.port)" }

    /// Starts a server on 127.0.0.1, seeds it with `scenario` and starts the cluster simulation.
    /// The server options are `options` when given, else the scenario's `server`, else the
    /// defaults (an ephemeral port). The cluster options are `cluster` when given, else the
    /// scenario's `cluster`; without either the server is a bare API server. Pods are deleted
    /// gracefully when the termination latency is above zero; pods get a generation when the
    /// cluster options track it.
    public init(options: ServerOptions? = nil, scenario: Scenario? = nil, cluster: ClusterOptions? = nil) throws(KubeSimError) {
        var opts = options ?? scenario?.server ?? ServerOptions()
        let clusterOptions = cluster ?? scenario?.cluster ?? .disabled
        if clusterOptions.enabled && clusterOptions.latencies.termination > 0 { opts.gracefulPodDeletion = true }
        if clusterOptions.podGeneration { opts.podGeneration = true }
        let store = ObjectStore(historySize: opts.watchHistorySize)
        let api = APIServer(store: store, options: opts)
        self.store = store
        self.api = api
        self.client = InProcessClient(api: api)
        self.cluster = ClusterSimulation(api: api, options: clusterOptions)
        do {
            http = try HTTPServer(port: opts.port) { req, w in api.handle(req, w) }
        } catch {
            throw .startFailed(error.description)
        }
        api.setAdvertisedAddress("127.0.0.1:\(http.port)")
        if let scenario {
            do {
                try Seeder(api: api, maxEndpointsPerSlice: clusterOptions.maxEndpointsPerSlice).seed(scenario)
            } catch {
                stop()
                throw error
            }
        }
        self.cluster.start()
    }

    /// Seeds more objects from a scenario into the running server (the cluster simulation waits
    /// meanwhile, so it sees the seeded objects together).
    public func seed(_ scenario: Scenario) throws(KubeSimError) {
        cluster.suspend()
        defer { cluster.resume() }
        try Seeder(api: api, maxEndpointsPerSlice: cluster.options.maxEndpointsPerSlice).seed(scenario)
    }

    /// Stops serving: stops the cluster simulation, ends watches, closes the listener and every
    /// connection, joins the threads.
    public func stop() {
        cluster.stop()
        api.shutdown()
        http.stop()
        for listener in certificateListeners.withLock({ l in defer { l = [] }; return l }) { listener.stop() }
    }

    /// The number of open client connections.
    public var openConnections: Int { http.openConnections }

    /// Drops every open watch connection abruptly.
    public func dropWatches() { api.dropWatches() }

    /// Forgets the event history: watches and continue tokens from older versions get 410.
    public func compactHistory() { store.compactHistory() }

    /// A new bearer token for a service account's identity (RBAC decides what it may do), as the
    /// token a pod of that service account mounts.
    public func serviceAccountToken(namespace: String, name: String) -> String {
        let token = "sa-\(namespace)-\(name)-\(api.random.uuid())"
        api.addUser(token: token, .serviceAccount(namespace: namespace, name: name))
        return token
    }

    /// A plain-HTTP port whose connections are authenticated as `user`, as kube-apiserver
    /// authenticates a verified client certificate (CN the name, O the groups): put a TLS
    /// terminator that requires that certificate before it. A bearer token on a request still wins
    /// only when the token is registered.
    public func certificateListener(for user: SimUser) throws(KubeSimError) -> UInt16 {
        let listener: HTTPServer
        do {
            listener = try HTTPServer(port: 0) { [api] req, w in api.handle(req, w, certificateUser: user) }
        } catch {
            throw .startFailed(error.description)
        }
        certificateListeners.withLock { $0.append(listener) }
        return listener.port
    }

    /// A kubeconfig document for this server (token defaults to the server's required token).
    public func kubeconfig(token: String? = nil, namespace: String? = nil) -> JSONValue {
        let basic = options.basicAuth
        return Kubeconfig.document(
            server: url, token: token ?? options.bearerToken, username: token == nil ? basic?.username : nil,
            password: token == nil ? basic?.password : nil, namespace: namespace)
    }

    /// Writes a kubeconfig pointing at this server to `path`.
    public func writeKubeconfig(to path: String, token: String? = nil, namespace: String? = nil, format: KubeconfigFormat = .yaml)
        throws(KubeSimError)
    {
        let text = Kubeconfig.text(kubeconfig(token: token, namespace: namespace), format: format)
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw .io("cannot write \(path): \(error.localizedDescription)")
        }
    }
}

/// Errors of the simulator's public API.
public enum KubeSimError: Error, CustomStringConvertible, Equatable {
    /// The server could not start.
    case startFailed(String)
    /// A scenario file or value is wrong.
    case scenario(String)
    /// Seeding failed (an object was refused).
    case seeding(String)
    /// A file could not be read or written.
    case io(String)

    public var description: String {
        switch self {
        case .startFailed(let m): return "kube-sim: cannot start the server: \(m)"
        case .scenario(let m): return "kube-sim: invalid scenario: \(m)"
        case .seeding(let m): return "kube-sim: seeding failed: \(m)"
        case .io(let m): return "kube-sim: \(m)"
        }
    }
}
