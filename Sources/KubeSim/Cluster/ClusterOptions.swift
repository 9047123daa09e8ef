import JSON

/// How the simulated cluster behind the API server behaves: whether the kubelet, scheduler and
/// controllers run at all, their latencies, which images fail, EndpointSlice sizing and the load
/// generators started with the cluster.
public struct ClusterOptions: Sendable, Equatable {
    /// False: a bare API server (objects only change when clients change them).
    public var enabled: Bool
    /// Step latencies of the kubelet and the endpoint propagation.
    public var latencies: Latencies
    /// Which images fail to pull or crash.
    public var images: ImageBehaviour
    /// The most endpoints one EndpointSlice holds (the controller's default is 100).
    public var maxEndpointsPerSlice: Int
    /// The exit code a container reports when it is stopped (0 for an app that exits on SIGTERM;
    /// 137 for one that must be killed).
    public var killExitCode: Int
    /// Load generators started with the cluster.
    public var traffic: [TrafficSpec]
    /// The API server tracks pod generation (KEP-5067, 1.33+): `metadata.generation` grows on pod
    /// spec changes and the kubelet reports `status.observedGeneration`.
    public var podGeneration: Bool

    /// Options; the defaults are a running cluster with zero latencies.
    public init(
        enabled: Bool = true, latencies: Latencies = .zero, images: ImageBehaviour = ImageBehaviour(), maxEndpointsPerSlice: Int = 100,
        killExitCode: Int = 0, traffic: [TrafficSpec] = [], podGeneration: Bool = false
    ) {
        self.podGeneration = podGeneration
        self.enabled = enabled
        self.latencies = latencies
        self.images = images
        self.maxEndpointsPerSlice = maxEndpointsPerSlice
        self.killExitCode = killExitCode
        self.traffic = traffic
    }

    /// No kubelet, scheduler or controllers: a bare API server.
    public static let disabled = ClusterOptions(enabled: false)

    /// Reads the `cluster` member of a scenario:
    /// ```
    /// {"enabled": true,
    ///  "latencies": {"sync": 0.3, "kill": 0.1, "pull": 0.3, "start": 0.2, "readiness": 0.3, "endpointPropagation": 0.2,
    ///                "termination": 0.5, "crashAfter": 1, "errImagePullHold": 1, "imagePullBackoff": 10,
    ///                "crashLoopBackoff": 10, "maxBackoff": 300},
    ///  "images": {"brokenMarker": "broken", "crashMarker": "crash", "missing": ["x:1"], "crashing": ["y:2"]},
    ///  "maxEndpointsPerSlice": 100, "killExitCode": 0, "podGeneration": true,
    ///  "traffic": [{"service": "web", "namespace": "default", "rate": 100, "container": "app"}]}
    /// ```
    public static func from(_ v: JSONValue, defaultNamespace: String = "default") throws(KubeSimError) -> ClusterOptions {
        guard v.object != nil else { throw .scenario("cluster must be an object") }
        var o = ClusterOptions()
        if let e = v["enabled"] {
            guard let b = e.bool else { throw .scenario("cluster.enabled must be true or false") }
            o.enabled = b
        }
        if let l = v["latencies"] {
            guard let members = l.object else { throw .scenario("cluster.latencies must be an object of seconds") }
            for m in members {
                guard let d = m.value.double, d >= 0 else { throw .scenario("cluster.latencies.\(m.key) must be a number of seconds ≥ 0") }
                switch m.key {
                case "sync": o.latencies.sync = d
                case "kill": o.latencies.kill = d
                case "pull": o.latencies.pull = d
                case "start": o.latencies.start = d
                case "readiness", "ready": o.latencies.readiness = d
                case "endpointPropagation", "propagation": o.latencies.endpointPropagation = d
                case "termination": o.latencies.termination = d
                case "crashAfter": o.latencies.crashAfter = d
                case "errImagePullHold": o.latencies.errImagePullHold = d
                case "imagePullBackoff": o.latencies.imagePullBackoff = d
                case "crashLoopBackoff": o.latencies.crashLoopBackoff = d
                case "maxBackoff": o.latencies.maxBackoff = d
                default: throw .scenario("unknown latency \(JSONValue.quote(m.key)) in cluster.latencies")
                }
            }
        }
        if let i = v["images"] {
            if let s = i["brokenMarker"] {
                guard let t = s.string else { throw .scenario("cluster.images.brokenMarker must be a string") }
                o.images.brokenMarker = t
            }
            if let s = i["crashMarker"] {
                guard let t = s.string else { throw .scenario("cluster.images.crashMarker must be a string") }
                o.images.crashMarker = t
            }
            o.images.missing = Set((i["missing"]?.array ?? []).compactMap(\.string))
            o.images.crashing = Set((i["crashing"]?.array ?? []).compactMap(\.string))
        }
        if let n = v["maxEndpointsPerSlice"] {
            guard let k = n.int, k >= 1 else { throw .scenario("cluster.maxEndpointsPerSlice must be a positive number") }
            o.maxEndpointsPerSlice = k
        }
        if let n = v["killExitCode"] {
            guard let k = n.int else { throw .scenario("cluster.killExitCode must be a number") }
            o.killExitCode = k
        }
        if let g = v["podGeneration"] {
            guard let b = g.bool else { throw .scenario("cluster.podGeneration must be true or false") }
            o.podGeneration = b
        }
        for t in v["traffic"]?.array ?? [] {
            guard let svc = t["service"]?.string, !svc.isEmpty else { throw .scenario("cluster.traffic entries need a \"service\"") }
            let rate = t["rate"]?.double ?? 100
            guard rate > 0 else { throw .scenario("cluster.traffic rate must be positive") }
            o.traffic.append(TrafficSpec(service: svc, namespace: t["namespace"]?.string ?? defaultNamespace, rate: rate, container: t["container"]?.string))
        }
        return o
    }
}
