import JSON

/// Read access to the cluster that planning needs; the CLI implements it over the Kubernetes
/// client, tests over in-memory values.
public protocol ClusterReader: Sendable {
    /// The live workload (or bare pod); throws the client's not-found error when absent.
    func workload(_ ref: WorkloadRef) throws -> Workload
    /// ReplicaSets in `namespace` matching `selector` (to find a Deployment's pods).
    func replicaSets(namespace: String, selector: LabelSelector) throws -> [JSONValue]
    /// Pods in `namespace` matching `selector`, delivered a page at a time, each keeping at least what
    /// `projection` keeps (nil: the whole pod).
    func pods(namespace: String, selector: LabelSelector, keeping projection: JSONProjection?, onPage: ([Pod]) throws -> Void) throws
    /// Names of the workloads of a kind in a namespace (for completion).
    func workloadNames(_ kind: WorkloadKind, namespace: String) throws -> [String]
    /// The policy/v1 PodDisruptionBudgets of `namespace`.
    func podDisruptionBudgets(namespace: String) throws -> [JSONValue]
    /// `status.nodeInfo.kubeletVersion` of each of `nodes` that can be read; throws `NodeReadError`
    /// when the server refuses to show nodes.
    func kubeletVersions(nodes: Set<String>) throws -> [String: String]
    /// The server's support for `pods/resize` and the kubelet versions of `nodes`.
    func resizeSupport(nodes: Set<String>) throws -> ResizeSupport
    /// The value of the label `key` on every node that carries it, by node name (`--scatter-by`).
    func nodeLabelValues(key: String) throws -> [String: String]
}

extension ClusterReader {
    /// The policy/v1 PodDisruptionBudgets of `namespace` (none where the reader knows of none).
    public func podDisruptionBudgets(namespace: String) throws -> [JSONValue] { [] }

    /// Unknown versions: native sidecar image changes are blocked.
    public func kubeletVersions(nodes: Set<String>) throws -> [String: String] { [:] }

    /// Unknown support: resource changes are blocked.
    public func resizeSupport(nodes: Set<String>) throws -> ResizeSupport { ResizeSupport(serverVersion: nil, servesResize: false) }

    /// No node known to carry it: the pods' own labels are used.
    public func nodeLabelValues(key: String) throws -> [String: String] { [:] }
}
