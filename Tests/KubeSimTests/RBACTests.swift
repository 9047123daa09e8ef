import Foundation
import JSON
import Testing
@testable import KubeSim

/// KubeSim's RBAC authorizer and SelfSubjectAccessReview, matched as kube-apiserver's RBAC plugin
/// matches rules (plugin/pkg/auth/authorizer/rbac, pkg/apis/rbac/v1/evaluation_helpers.go).
@Suite("RBAC: enforced for token users, answered by SelfSubjectAccessReview")
struct RBACTests {
    static let role: JSONValue = [
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "r", "namespace": "default"],
        "rules": [
            ["apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]],
            ["apiGroups": [""], "resources": ["*/status"], "verbs": ["patch"]],
            ["apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["web"], "verbs": ["get", "watch"]],
        ],
    ]

    /// A server with `Role r` bound to service account default/ci, and a token for it.
    static func server() throws -> (KubeSimServer, String) {
        let s = try Fixtures.server()
        _ = s.client.create(Resources.roles, namespace: "default", role)
        _ = s.client.create(Resources.roleBindings, namespace: "default", [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "r", "namespace": "default"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"],
            "subjects": [["kind": "ServiceAccount", "name": "ci", "namespace": "default"]],
        ])
        return (s, s.serviceAccountToken(namespace: "default", name: "ci"))
    }

    static func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer \(token)")] }

    @Test("verbs, subresources (resource/sub and */sub), resourceNames and namespaces decide; the 403 names what was refused")
    func enforcement() throws {
        let (s, token) = try Self.server()
        defer { s.stop() }
        _ = s.client.create(Resources.pods, namespace: "default", Fixtures.pod("a"))
        let h = Self.bearer(token)
        #expect(HTTP.get(s.port, "/api/v1/namespaces/default/pods/a", headers: h).status == 200)
        #expect(HTTP.get(s.port, "/api/v1/namespaces/default/pods", headers: h).status == 200)
        #expect(HTTP.get(s.port, "/api/v1/namespaces/kube-system/pods", headers: h).status == 403, "a RoleBinding grants only its namespace")
        let patch: JSONValue = ["metadata": ["labels": ["x": "y"]]]
        let spec = HTTP.request(s.port, "PATCH", "/api/v1/namespaces/default/pods/a", body: patch,
                                contentType: "application/merge-patch+json", headers: h)
        #expect(spec.status == 403, "patch pods/status does not grant patch pods")
        #expect(spec.json["message"]?.string == "pods \"a\" is forbidden: User \"system:serviceaccount:default:ci\" cannot patch resource \"pods\" in API group \"\" in the namespace \"default\"")
        #expect(spec.json["reason"]?.string == "Forbidden")
        let status = HTTP.request(s.port, "PATCH", "/api/v1/namespaces/default/pods/a/status", body: ["status": ["conditions": []]],
                                  contentType: "application/strategic-merge-patch+json", headers: h)
        #expect(status.status == 200, "*/status matches pods/status: \(status.json)")
        #expect(HTTP.get(s.port, "/apis/apps/v1/namespaces/default/deployments/web", headers: h).status == 404, "allowed by name, then not found")
        #expect(HTTP.get(s.port, "/apis/apps/v1/namespaces/default/deployments/db", headers: h).status == 403, "another name")
        #expect(HTTP.get(s.port, "/apis/apps/v1/namespaces/default/deployments", headers: h).status == 403, "resourceNames never grant a list")
        #expect(HTTP.get(s.port, "/apis/apps/v1/namespaces/default/deployments?watch=1&fieldSelector=metadata.name%3Dweb&timeoutSeconds=1",
                         headers: h).status == 200, "a watch of one name is authorized by that name")
        #expect(HTTP.get(s.port, "/apis", headers: h).status == 200, "discovery is open to authenticated users")
        #expect(HTTP.get(s.port, "/api/v1/namespaces/default/pods", headers: Self.bearer("unknown")).status == 200,
                "a server without its own token treats other callers as its admin")
        #expect(HTTP.get(s.port, "/api/v1/namespaces/default/pods/a", headers: []).status == 200, "the admin identity of test setup")
    }

    @Test("SelfSubjectAccessReview answers for the caller, as kubectl auth can-i asks")
    func accessReview() throws {
        let (s, token) = try Self.server()
        defer { s.stop() }
        func ask(_ attributes: JSONValue, headers: [(String, String)]) -> TestResponse {
            HTTP.request(s.port, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body: [
                "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": ["resourceAttributes": attributes],
            ], headers: headers)
        }
        let h = Self.bearer(token)
        let yes = ask(["namespace": "default", "verb": "patch", "resource": "pods", "subresource": "status"], headers: h)
        #expect(yes.status == 201)
        #expect(yes.json["kind"]?.string == "SelfSubjectAccessReview" && yes.json[path: ["status", "allowed"]]?.bool == true)
        #expect(ask(["namespace": "default", "verb": "patch", "resource": "pods"], headers: h).json[path: ["status", "allowed"]]?.bool == false)
        #expect(ask(["namespace": "other", "verb": "get", "resource": "pods"], headers: h).json[path: ["status", "allowed"]]?.bool == false)
        #expect(ask(["namespace": "default", "verb": "get", "group": "apps", "resource": "deployments", "name": "web"], headers: h)
            .json[path: ["status", "allowed"]]?.bool == true)
        #expect(ask(["namespace": "default", "verb": "delete", "resource": "pods"], headers: []).json[path: ["status", "allowed"]]?.bool == true,
                "the admin may do anything")
        #expect(s.store.list(Resources.selfSubjectAccessReviews).items.isEmpty, "reviews are not stored")
    }

    @Test("ClusterRoleBindings grant everywhere; a RoleBinding to a ClusterRole only in its namespace; groups are subjects")
    func bindings() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        _ = s.client.create(Resources.clusterRoles, [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": ["name": "read"],
            "rules": [["apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list"]]],
        ])
        _ = s.client.create(Resources.roleBindings, namespace: "default", [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "read", "namespace": "default"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "read"],
            "subjects": [["kind": "User", "name": "alice"]],
        ])
        _ = s.client.create(Resources.clusterRoleBindings, [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": ["name": "read"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "read"],
            "subjects": [["kind": "Group", "name": "auditors"]],
        ])
        s.api.addUser(token: "alice", SimUser(name: "alice"))
        s.api.addUser(token: "bob", SimUser(name: "bob", groups: ["auditors"]))
        s.api.addUser(token: "carol", SimUser(name: "carol"))
        #expect(HTTP.get(s.port, "/api/v1/namespaces/default/pods", headers: Self.bearer("alice")).status == 200)
        #expect(HTTP.get(s.port, "/api/v1/namespaces/kube-system/pods", headers: Self.bearer("alice")).status == 403)
        #expect(HTTP.get(s.port, "/api/v1/nodes", headers: Self.bearer("alice")).status == 403)
        #expect(HTTP.get(s.port, "/api/v1/namespaces/kube-system/pods", headers: Self.bearer("bob")).status == 200)
        #expect(HTTP.get(s.port, "/api/v1/nodes", headers: Self.bearer("bob")).status == 200)
        #expect(HTTP.get(s.port, "/api/v1/namespaces/default/pods", headers: Self.bearer("carol")).status == 403, "bound to nothing")
        let nodes = HTTP.get(s.port, "/api/v1/nodes", headers: Self.bearer("carol"))
        #expect(nodes.json["message"]?.string == "nodes is forbidden: User \"carol\" cannot list resource \"nodes\" in API group \"\" at the cluster scope")
    }
}
