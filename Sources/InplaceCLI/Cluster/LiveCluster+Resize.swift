import InplaceCore
import JSON
import KubeClient

extension LiveCluster {
    /// Reads `/version`, the core API's discovery (is `pods/resize` served?) and the kubelet
    /// version of each node; a node that cannot be read is left unknown (its pods are blocked).
    public func resizeSupport(nodes: Set<String>) throws -> ResizeSupport {
        let version = (try? client.get("/version"))?["gitVersion"]?.string
        let discovery = try? client.get("/api/v1")
        let serves = (discovery?["resources"]?.array ?? []).contains { $0["name"]?.string == "pods/resize" }
        guard serves else { return ResizeSupport(serverVersion: version, servesResize: serves) }
        do {
            return ResizeSupport(serverVersion: version, servesResize: serves, kubeletVersions: try kubeletVersions(nodes: nodes))
        } catch {
            return ResizeSupport(serverVersion: version, servesResize: serves, kubeletsUnread: "\(error)")
        }
    }

    /// The kubelet version of each node that can be read; throws `NodeReadError` when the server
    /// refuses `get nodes` (cluster-scoped: only a ClusterRole grants it).
    public func kubeletVersions(nodes: Set<String>) throws(NodeReadError) -> [String: String] {
        var kubelets: [String: String] = [:]
        for node in nodes.sorted() {
            do {
                if let v = try client.get("/api/v1/nodes/\(node)")[path: ["status", "nodeInfo", "kubeletVersion"]]?.string {
                    kubelets[node] = v
                }
            } catch let e as KubeAPIError where e.isForbidden {
                throw .forbidden(verb: "get")
            } catch {}
        }
        return kubelets
    }
}
