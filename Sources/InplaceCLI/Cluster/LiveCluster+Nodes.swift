import InplaceCore
import JSON

extension LiveCluster {
    /// Lists the nodes carrying the label `key` (a label selector on the key alone) and returns its
    /// value on each. Nodes are cluster-scoped: without `list nodes` the caller falls back to the pods' labels.
    public func nodeLabelValues(key: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for node in try list("/api/v1/nodes", labelSelector: key) {
            if let name = node[path: ["metadata", "name"]]?.string, let value = node[path: ["metadata", "labels", key]]?.string {
                out[name] = value
            }
        }
        return out
    }
}
