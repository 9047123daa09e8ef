import InplaceCore
import JSON
import KubeClient

extension LiveCluster {
    /// Lists the nodes carrying the label `key` (a label selector on the key alone) and returns its
    /// value on each. Nodes are cluster-scoped: without `list nodes` (`NodeReadError`) the caller falls
    /// back to the pods' labels.
    public func nodeLabelValues(key: String) throws -> [String: String] {
        var out: [String: String] = [:]
        let nodes: [JSONValue]
        do {
            nodes = try client.listAll("/api/v1/nodes", labelSelector: key).items
        } catch let e as KubeAPIError where e.isForbidden {
            throw NodeReadError.forbidden(verb: "list")
        } catch {
            throw Self.map(error)
        }
        for node in nodes {
            if let name = node[path: ["metadata", "name"]]?.string, let value = node[path: ["metadata", "labels", key]]?.string {
                out[name] = value
            }
        }
        return out
    }
}
