import JSON

/// What a simulated cluster starts with: nodes, workloads (seeded as their controllers would have
/// left them), other objects, image digests, per-pod states and server options.
public struct Scenario: Sendable {
    /// A workload manifest (Deployment, StatefulSet, DaemonSet or Pod) and how to seed it.
    public struct Workload: Sendable {
        /// The manifest.
        public var manifest: JSONValue
        /// Replicas to seed (overrides spec.replicas; ignored for DaemonSets and Pods).
        public var replicas: Int?
        /// Pod conditions to set on every seeded pod (type → "True"/"False"), e.g. a readiness gate's.
        public var podConditions: [String: String]

        /// A workload.
        public init(_ manifest: JSONValue, replicas: Int? = nil, podConditions: [String: String] = [:]) {
            self.manifest = manifest
            self.replicas = replicas
            self.podConditions = podConditions
        }

        /// The workload's name.
        public var name: String { manifest.metaName }
        /// The workload's kind.
        public var kind: String { manifest["kind"]?.string ?? "" }
    }

    /// A change to the state of seeded pods.
    public struct PodOverride: Sendable {
        /// The workload whose pods are affected (nil: every workload).
        public var workload: String?
        /// The pod's index in its workload (ordinal for StatefulSets, creation order otherwise; nil: all).
        public var index: Int?
        /// The exact pod name (alternative to workload + index).
        public var podName: String?
        /// Container to affect (nil: all containers).
        public var container: String?
        /// Whether the containers are ready.
        public var ready: Bool?
        /// Containers crash-looping (CrashLoopBackOff, restartCount 5 unless given).
        public var crashLooping: Bool
        /// Containers that cannot pull their image (ImagePullBackOff).
        public var imagePullError: Bool
        /// The restart count of the containers.
        public var restartCount: Int?
        /// The pod phase.
        public var phase: String?
        /// Extra pod conditions (type → status).
        public var conditions: [String: String]
        /// Images the containers really run (container name → image), differing from the template.
        public var images: [String: String]
        /// Extra labels.
        public var labels: [String: String]
        /// Extra annotations.
        public var annotations: [String: String]

        /// An override; every parameter defaults to "no change".
        public init(
            workload: String? = nil, index: Int? = nil, podName: String? = nil, container: String? = nil, ready: Bool? = nil,
            crashLooping: Bool = false, imagePullError: Bool = false, restartCount: Int? = nil, phase: String? = nil,
            conditions: [String: String] = [:], images: [String: String] = [:], labels: [String: String] = [:],
            annotations: [String: String] = [:]
        ) {
            self.workload = workload
            self.index = index
            self.podName = podName
            self.container = container
            self.ready = ready
            self.crashLooping = crashLooping
            self.imagePullError = imagePullError
            self.restartCount = restartCount
            self.phase = phase
            self.conditions = conditions
            self.images = images
            self.labels = labels
            self.annotations = annotations
        }

        func applies(workload w: String, index i: Int, podName p: String) -> Bool {
            if let podName { return podName == p }
            if let workload, workload != w { return false }
            if let index, index != i { return false }
            return true
        }
    }

    /// The namespace of objects that name none.
    public var namespace: String
    /// The number of nodes (DaemonSets run one pod on each).
    public var nodeCount: Int
    /// `status.nodeInfo.kubeletVersion` by node name (`node-1`, ...); the others run the server's version.
    public var kubeletVersions: [String: String] = [:]
    /// The workloads.
    public var workloads: [Workload]
    /// Other objects, created as they are (Services, ServiceAccounts, ConfigMaps, ...).
    public var objects: [JSONValue]
    /// Image digests ("nginx:1.25" → "sha256:..."); tags may share a digest; other images get a
    /// digest derived from their name.
    public var imageDigests: [String: String]
    /// Per-pod states.
    public var podOverrides: [PodOverride]
    /// Server options.
    public var server: ServerOptions
    /// How the cluster behind the server behaves (kubelet, controllers, latencies, traffic).
    public var cluster: ClusterOptions

    /// A scenario.
    public init(
        namespace: String = "default", nodeCount: Int = 3, workloads: [Workload] = [], objects: [JSONValue] = [],
        imageDigests: [String: String] = [:], podOverrides: [PodOverride] = [], server: ServerOptions = ServerOptions(),
        cluster: ClusterOptions = ClusterOptions()
    ) {
        self.namespace = namespace
        self.nodeCount = nodeCount
        self.workloads = workloads
        self.objects = objects
        self.imageDigests = imageDigests
        self.podOverrides = podOverrides
        self.server = server
        self.cluster = cluster
    }

    /// The kinds seeded as workloads (the rest of the manifests are created as they are).
    public static let workloadKinds: Set<String> = ["Deployment", "StatefulSet", "DaemonSet", "Pod"]

    /// Adds manifests: workload kinds become workloads, `List`s are expanded, others are objects.
    public mutating func add(manifests: [JSONValue]) {
        for m in manifests {
            if m["kind"]?.string == "List" || (m["kind"]?.string ?? "").hasSuffix("List"), let items = m["items"]?.array {
                add(manifests: items)
            } else if Self.workloadKinds.contains(m["kind"]?.string ?? "") {
                workloads.append(Workload(m))
            } else if m.object != nil {
                objects.append(m)
            }
        }
    }

    /// One Deployment of `replicas` pods with one container, for benchmarks (10,000 pods seed in seconds).
    public static func bulk(
        deployment name: String = "bulk", replicas: Int, image: String = "nginx:1.25", namespace: String = "default", nodeCount: Int = 10,
        server: ServerOptions = ServerOptions()
    ) -> Scenario {
        let labels: JSONValue = ["app": .string(name)]
        let manifest: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labels],
            "spec": [
                "replicas": .int(replicas), "selector": ["matchLabels": labels],
                "template": [
                    "metadata": ["labels": labels],
                    "spec": [
                        "containers": [
                            [
                                "name": "app", "image": .string(image), "ports": [["containerPort": 80]],
                                "resources": ["requests": ["cpu": "100m", "memory": "64Mi"]],
                                "readinessProbe": ["httpGet": ["path": "/healthz", "port": 80]],
                            ]
                        ]
                    ],
                ],
            ],
        ]
        var server = server
        server.watchHistorySize = max(server.watchHistorySize, 1000)
        return Scenario(namespace: namespace, nodeCount: nodeCount, workloads: [Workload(manifest)], server: server)
    }
}
