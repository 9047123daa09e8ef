import InplaceCLI
import InplaceCore
import JSON
import Testing
import YAML

/// `rbac --for USE`: the Role each use needs, from the core's table.
@Suite struct RBACCommandTests {
    /// "group:resource:verb" of every rule of a Role or ClusterRole.
    static func grants(_ role: JSONValue) -> [String] {
        (role["rules"]?.array ?? []).flatMap { rule in
            (rule["resources"]?.array ?? []).flatMap { res in
                (rule["verbs"]?.array ?? []).map { "\(rule["apiGroups"]?[0]?.string ?? ""):\(res.string ?? ""):\($0.string ?? "")" }
            }
        }.sorted()
    }

    @Test func rolloutRoleAndBindingInTheNamespace() throws {
        let r = runCLI(["rbac", "--for", "rollout", "-n", "shop"])
        #expect(r.code == 0, "\(r.err)")
        let docs = try YAML.documents(from: r.out, fileName: "out").map(\.value)
        #expect(docs.map { $0["kind"]?.string ?? "" } == ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"])
        #expect(docs[0..<2].allSatisfy { $0[path: ["metadata", "namespace"]] == "shop" })
        #expect(docs[2...].allSatisfy { $0[path: ["metadata", "namespace"]] == nil }, "cluster-scoped")
        #expect(Self.grants(docs[0]) == [
            ":events:create", ":pods/resize:patch", ":pods/status:patch", ":pods:get", ":pods:list", ":pods:patch", ":pods:watch",
            "apps:controllerrevisions:list",
            "apps:daemonsets:get", "apps:daemonsets:list", "apps:daemonsets:patch", "apps:daemonsets:watch",
            "apps:deployments:get", "apps:deployments:list", "apps:deployments:patch", "apps:deployments:watch",
            "apps:replicasets:list", "apps:replicasets:patch",
            "apps:statefulsets:get", "apps:statefulsets:list", "apps:statefulsets:patch", "apps:statefulsets:watch",
            "discovery.k8s.io:endpointslices:list", "discovery.k8s.io:endpointslices:watch",
            "policy:poddisruptionbudgets:list", "policy:poddisruptionbudgets:watch",
        ])
        #expect(docs[1]["roleRef"] == ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "kubectl-inplace-rollout"])
        #expect(docs[1]["subjects"] == [["kind": "ServiceAccount", "name": "kubectl-inplace-rollout", "namespace": "shop"]])
        #expect(Self.grants(docs[2]) == [":nodes:get", ":nodes:list"], "the node ClusterRole only reads nodes")
        #expect(docs[3]["roleRef"] == ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "kubectl-inplace-read-nodes"])
        #expect(docs[3][path: ["metadata", "name"]] == "kubectl-inplace-read-nodes-shop-kubectl-inplace-rollout")
        #expect(docs[3]["subjects"] == docs[1]["subjects"])
    }

    @Test func nodeReadsLeftOut() throws {
        let r = runCLI(["rbac", "--for", "rollout", "--node-reads=false"])
        let docs = try YAML.documents(from: r.out, fileName: "out").map(\.value)
        #expect(docs.map { $0["kind"]?.string ?? "" } == ["Role", "RoleBinding"])
        #expect(!Self.grants(docs[0]).contains { $0.contains("nodes") })
        let prepare = runCLI(["rbac", "--for", "prepare"])
        #expect(!prepare.out.contains("nodes"), "prepare reads no node")
    }

    @Test func planListsWorkloadsAndAllNamespacesIsOneClusterRole() throws {
        let r = runCLI(["rbac", "--for", "plan", "-A", "--service-account", "ci", "-n", "ops"])
        #expect(r.code == 0, "\(r.err)")
        let docs = try YAML.documents(from: r.out, fileName: "out").map(\.value)
        #expect(docs.map { $0["kind"]?.string ?? "" } == ["ClusterRole", "ClusterRoleBinding"])
        let grants = Self.grants(docs[0])
        for kind in ["deployments", "statefulsets", "daemonsets"] { #expect(grants.contains("apps:\(kind):list"), "\(grants)") }
        #expect(grants.contains(":nodes:get") && grants.contains(":nodes:list"))
        #expect(grants.allSatisfy { ["get", "list"].contains($0.split(separator: ":").last!) })
        #expect(docs[1][path: ["metadata", "name"]] == "kubectl-inplace-plan-ops-ci")
        #expect(docs[1]["subjects"] == [["kind": "ServiceAccount", "name": "ci", "namespace": "ops"]])
    }

    @Test func planOnlyReads() throws {
        let r = runCLI(["rbac", "--for", "plan", "--service-account", "ci"])
        let docs = try YAML.documents(from: r.out, fileName: "out").map(\.value)
        #expect(Self.grants(docs[0]).allSatisfy { ["get", "list"].contains($0.split(separator: ":").last!) })
        #expect(docs[1]["subjects"] == [["kind": "ServiceAccount", "name": "ci", "namespace": "default"]])
    }

    @Test func controllerMatchesItsManifest() throws {
        let r = runCLI(["rbac", "--for", "controller", "-n", "ops"])
        let docs = try YAML.documents(from: r.out, fileName: "out").map(\.value)
        let manifest = ControllerManifest.objects(image: "x", namespace: "ops").filter { ($0["kind"]?.string ?? "").contains("Role") }
        #expect(docs.map { $0["kind"] } == manifest.map { $0["kind"] })
        #expect(zip(docs, manifest).allSatisfy { $0["rules"] == $1["rules"] && $0["subjects"] == $1["subjects"] })
    }

    @Test func badUse() {
        let r = runCLI(["rbac", "--for", "deploy"])
        #expect(r.code == 2 && r.err.contains("must be rollout, plan, prepare or controller"), "\(r.err)")
    }
}
