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
        let kubelets = serves ? kubeletVersions(nodes: nodes) : [:]
        return ResizeSupport(serverVersion: version, servesResize: serves, kubeletVersions: kubelets)
    }

    /// The kubelet version of each node that can be read (`get nodes` is cluster-scoped: without
    /// it the versions stay unknown).
    public func kubeletVersions(nodes: Set<String>) -> [String: String] {
        var kubelets: [String: String] = [:]
        for node in nodes.sorted() {
            if let v = (try? client.get("/api/v1/nodes/\(node)"))?[path: ["status", "nodeInfo", "kubeletVersion"]]?.string {
                kubelets[node] = v
            }
        }
        return kubelets
    }
}
