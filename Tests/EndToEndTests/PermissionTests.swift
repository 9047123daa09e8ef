import Foundation
import JSON
import KubeSim
import Testing
import YAML

/// Issue 14, Permissions: KubeSim enforces RBAC for token users; `rbac --for USE` prints what a use
/// needs from the table the code calls by; the commands check every permission (and dry-run their
/// first writes) before the first write.
@Suite("least privilege: the printed roles suffice, a missing permission stops before any write")
struct PermissionTests {
    /// Creates the printed objects (a multi-document YAML) as the admin, except those of `skipKinds`.
    static func apply(_ yaml: String, in c: TestCluster, skipKinds: Set<String> = [], edit: (inout JSONValue) -> Void = { _ in }) throws {
        for var doc in try YAML.documents(from: yaml, fileName: "printed").map(\.value) {
            let kind = doc["kind"]?.string ?? ""
            guard !skipKinds.contains(kind) else { continue }
            edit(&doc)
            let r = try #require(Resources.forKind(apiVersion: doc["apiVersion"]?.string ?? "", kind: kind), "\(kind)")
            let created = c.server.client.create(r, namespace: doc[path: ["metadata", "namespace"]]?.string ?? "", doc)
            if case .failure(let e) = created, !"\(e)".contains("AlreadyExists") { Issue.record("create \(kind): \(e)") }
        }
    }

    /// A kubeconfig whose user is a token of service account `namespace/name`, over a TLS front (the
    /// client sends no credentials over plain http); also the front and the token.
    static func credentials(_ c: TestCluster, namespace: String = "default", serviceAccount: String) throws
        -> (kubeconfig: String, front: TLSFront, token: String) {
        let front = try c.startTLSFront()
        let token = c.server.serviceAccountToken(namespace: namespace, name: serviceAccount)
        let path = try c.writeManifest("kubeconfig-\(serviceAccount)", KubeconfigFile.single(cluster: KubeconfigFile.cluster(front),
                                                                                              user: ["token": .string(token)]))
        return (path, front, token)
    }

    static func kubeconfig(_ c: TestCluster, namespace: String = "default", serviceAccount: String) throws -> String {
        try credentials(c, namespace: namespace, serviceAccount: serviceAccount).kubeconfig
    }

    /// The server's SelfSubjectAccessReview answer for the token, asked over TLS with curl
    /// (`kubectl auth can-i` sends protobuf, which KubeSim does not decode).
    static func canI(_ c: TestCluster, _ creds: (kubeconfig: String, front: TLSFront, token: String), _ verb: String,
                     _ resource: String, subresource: String = "") throws -> Bool? {
        let body: JSONValue = ["apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                               "spec": ["resourceAttributes": ["namespace": "default", "verb": .string(verb), "resource": .string(resource),
                                                               "subresource": .string(subresource)]]]
        let out = c.dir + "/can-i.json"
        FileManager.default.createFile(atPath: out, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["-s", "--cacert", creds.front.pki.caCert, "-H", "Authorization: Bearer \(creds.token)", "-H",
                       "Content-Type: application/json", "-d", body.serialized(), "-o", out,
                       creds.front.url + "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"]
        try p.run()
        p.waitUntilExit()
        let answer = try? JSONValue(parsing: Array(((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").utf8))
        return answer?[path: ["status", "allowed"]]?.bool
    }

    static func kubectl() throws -> String {
        let path = "/usr/bin/kubectl"
        try #require(FileManager.default.isExecutableFile(atPath: path), "the real kubectl is needed at \(path)")
        return path
    }

    static func forbidden(_ c: TestCluster) -> [String] {
        c.server.requestLog.entries.filter { $0.statusCode == 403 }.map { "\($0.method) \($0.path)" }
    }

    @Test("a token bound to exactly `rbac --for rollout` rolls out, pauses, resumes and undoes, and is refused nothing")
    func printedRoleSuffices() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 6)]))
        defer { c.stop() }
        c.settle()
        let printed = try c.run(["rbac", "--for", "rollout", "-n", "default"])
        #expect(printed.status == 0, "\(printed)")
        try Self.apply(printed.stdout, in: c)
        let creds = try Self.credentials(c, serviceAccount: "kubectl-inplace-rollout")
        let config = creds.kubeconfig
        #expect(try Self.canI(c, creds, "patch", "pods", subresource: "status") == true)
        #expect(try Self.canI(c, creds, "delete", "pods") == false, "the token is really restricted")
        let before = c.facts(prefix: "web-")

        let rollout = try c.start(["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "1", "--grace-period", "1s"],
                                  env: ["KUBECONFIG": config])
        defer { rollout.cleanUp() }
        #expect(Eventually.wait(30) { DurableRolloutTests.updated(c) >= 1 }, "\(rollout.stderr)")
        let pause = try c.run(["pause", "deployment/web"], kubeconfig: .some(config))
        #expect(pause.status == 0, "\(pause)")
        #expect(rollout.waitExit(timeout: 15) == 4, "\(rollout.stderr)")
        #expect(DurableRolloutTests.updated(c) < 6)

        let resume = try c.run(["resume", "deployment/web", "--grace-period", "100ms"], kubeconfig: .some(config), timeout: 90)
        #expect(resume.status == 0, "\(resume)")
        #expect(DurableRolloutTests.updated(c) == 6)

        let undo = try c.run(["undo", "deployment/web", "--grace-period", "100ms"], kubeconfig: .some(config), timeout: 90)
        #expect(undo.status == 0, "\(undo)")
        #expect(DurableRolloutTests.updated(c, image: "nginx:1.25") == 6)
        #expect(Set(c.facts(prefix: "web-").values.map(\.uid)) == Set(before.values.map(\.uid)), "no pod replaced")
        #expect(Self.forbidden(c).isEmpty, "refused: \(Self.forbidden(c))")
        #expect(c.ourRequests.contains { $0.isAccessReview }, "the permissions were checked before the first write")
    }

    @Test("a role missing `patch pods/status` is refused up front with that one line and no write; plan warns the same")
    func missingStatusPatch() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 3)]))
        defer { c.stop() }
        c.settle()
        let printed = try c.run(["rbac", "--for", "rollout"])
        try Self.apply(printed.stdout, in: c) { doc in
            guard doc["kind"] == "Role" else { return }
            doc["rules"] = .array((doc["rules"]?.array ?? []).compactMap { rule in
                var rule = rule
                rule["resources"] = .array((rule["resources"]?.array ?? []).filter { $0 != "pods/status" })
                return rule["resources"]?.array?.isEmpty == true ? nil : rule
            })
        }
        let config = try Self.kubeconfig(c, serviceAccount: "kubectl-inplace-rollout")
        let template = c.object(Resources.deployments, "web")?[path: ["spec", "template"]]
        c.server.requestLog.clear()

        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27"], kubeconfig: .some(config))
        #expect(r.status == 2, "\(r)")
        let listed = r.stderr.split(separator: "\n").filter { $0.hasPrefix("  ") }.map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(listed == ["patch pods/status in namespace default"], "\(r.stderr)")
        #expect(r.stderr.contains("rbac --for rollout -n default"), "\(r.stderr)")
        #expect(c.ourRequests.filter { $0.method != "GET" && !$0.isAccessReview }.isEmpty,
                "no write, not even a dry run: \(c.ourRequests.map { "\($0.method) \($0.path)" })")
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "template"]] == template)
        #expect(c.facts(prefix: "web-").values.allSatisfy { $0.images["app"] == "nginx:1.25" && $0.gate == "True" })

        let plan = try c.run(["plan", "deployment/web", "app=nginx:1.27"], kubeconfig: .some(config))
        #expect(plan.status == 0, "\(plan)")
        #expect(plan.stderr.contains("warning") && plan.stderr.contains("patch pods/status in namespace default"), "\(plan.stderr)")
    }

    @Test("admission that refuses the first pod write (403 on the dry run) stops the rollout before any real write")
    func dryRunRefusal() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 3)]))
        defer { c.stop() }
        c.settle()
        c.server.requestLog.clear()
        c.server.faults.failNext(1, method: "PATCH", path: "/api/v1/namespaces/default/pods/*/status",
                                 with: APIError(code: 403, reason: "Forbidden",
                                                message: "admission webhook \"policy.example.com\" denied the request: no in-place updates on Fridays"),
                                 includesDryRun: true)
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("dry run") && r.stderr.contains("no in-place updates on Fridays"), "\(r.stderr)")
        #expect(c.ourWrites.isEmpty, "\(c.ourWrites.map { "\($0.method) \($0.path)" })")
        #expect(c.ourRequests.contains { $0.isDryRun && $0.path.hasSuffix("/status") && $0.statusCode == 403 })
        #expect(c.facts(prefix: "web-").values.allSatisfy { $0.images["app"] == "nginx:1.25" && $0.gate == "True" })
    }

    @Test("the gate keeper runs with exactly the RBAC of its printed manifest")
    func controllerWithPrintedRBAC() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 2)]))
        defer { c.stop() }
        let printed = try c.run(["controller", "--print-manifest"])
        #expect(printed.status == 0, "\(printed)")
        try Self.apply(printed.stdout, in: c, skipKinds: ["Deployment"])
        let config = try Self.kubeconfig(c, namespace: "kubectl-inplace", serviceAccount: "kubectl-inplace-controller")
        let controller = try c.start(["controller", "--lease-duration", "2s", "--lease-namespace", "kubectl-inplace"],
                                     env: ["KUBECONFIG": config])
        defer { controller.cleanUp() }
        #expect(controller.waitForLog("became the leader"), "\(controller.stderr)")
        _ = c.server.client.patch(Resources.deployments, namespace: "default", name: "web", patch: ["spec": ["replicas": 3]])
        #expect(Eventually.wait(20) {
            let pods = PrepareAndControllerTests.PodView.live(c, prefix: "web-")
            return pods.count == 3 && pods.allSatisfy(PrepareAndControllerTests.PodView.ready)
        }, "\(controller.stderr)")
        #expect(controller.waitForLog("marked pod default/web-"), "\(controller.stderr)")
        #expect(c.server.store.get(Resources.leases, namespace: "kubectl-inplace", name: "kubectl-inplace-controller") != nil)
        controller.signal(SIGINT)
        #expect(controller.waitExit() == 0, "\(controller.stderr)")
        #expect(Self.forbidden(c).isEmpty, "refused: \(Self.forbidden(c))")
    }

    @Test("`rbac --for rollout` applies with the real kubectl apply, --dry-run=client and --dry-run=server")
    func printedRoleApplies() throws {
        let c = try TestCluster(Workloads.scenario([]))
        defer { c.stop() }
        let printed = try c.run(["rbac", "--for", "rollout", "-n", "default"])
        #expect(printed.status == 0, "\(printed)")
        let file = try c.write("rbac.yaml", printed.stdout)
        for mode in ["client", "server"] {
            _ = try Self.kubectl()
            let (status, text) = try c.kubectl(["apply", "--dry-run=\(mode)", "-f", file])
            #expect(status == 0, "kubectl apply --dry-run=\(mode):\n\(text)")
            #expect(text.contains("role.rbac.authorization.k8s.io/kubectl-inplace-rollout created"), "\(text)")
            #expect(text.contains("rolebinding.rbac.authorization.k8s.io/kubectl-inplace-rollout created"), "\(text)")
        }
        #expect(c.server.store.list(Resources.roles, namespace: "default").items.isEmpty, "dry runs store nothing")
    }
}

extension PermissionTests {
    @Test("permissions withdrawn mid-rollout: the 403 stops the rollout as a failure does (exit 1), with the server's reason")
    func withdrawnMidRollout() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 6)]))
        defer { c.stop() }
        c.settle()
        try Self.apply(try c.run(["rbac", "--for", "rollout"]).stdout, in: c)
        let config = try Self.kubeconfig(c, serviceAccount: "kubectl-inplace-rollout")
        let rollout = try c.start(["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "1", "--grace-period", "1s"],
                                  env: ["KUBECONFIG": config])
        defer { rollout.cleanUp() }
        #expect(Eventually.wait(30) { DurableRolloutTests.updated(c) >= 1 }, "\(rollout.stderr)")
        _ = c.server.client.delete(Resources.roleBindings, namespace: "default", name: "kubectl-inplace-rollout")
        #expect(rollout.waitExit(timeout: 30) == 1, "\(rollout.stderr)")
        #expect(rollout.stderr.contains("is forbidden: User \"system:serviceaccount:default:kubectl-inplace-rollout\""), "\(rollout.stderr)")
        #expect(!Self.forbidden(c).isEmpty)
        #expect(DurableRolloutTests.updated(c) < 6)
    }
}

extension PermissionTests {
    @Test("prepare with only plan's read permissions stops before writing, listing what it lacks; with its own role it writes")
    func prepareChecksFirst() throws {
        let c = try TestCluster(Workloads.scenario([PrepareAndControllerTests.ungatedDeployment(replicas: 2)]))
        defer { c.stop() }
        try Self.apply(try c.run(["rbac", "--for", "plan", "--service-account", "ci"]).stdout, in: c)
        let creds = try Self.credentials(c, serviceAccount: "ci")
        c.server.requestLog.clear()
        let r = try c.run(["prepare", "deployment/web", "--wait=false"], kubeconfig: .some(creds.kubeconfig))
        #expect(r.status == 2, "\(r)")
        let listed = r.stderr.split(separator: "\n").filter { $0.hasPrefix("  ") }.map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(listed.contains("patch deployments.apps in namespace default") && listed.contains("patch pods/status in namespace default"),
                "\(r.stderr)")
        #expect(!listed.contains("get deployments.apps in namespace default"), "granted ones are not listed: \(r.stderr)")
        #expect(c.ourRequests.filter { $0.method != "GET" && !$0.isAccessReview }.isEmpty)
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "template", "spec", "readinessGates"]] == nil)

        try Self.apply(try c.run(["rbac", "--for", "prepare", "--service-account", "ci"]).stdout, in: c)
        let ok = try c.run(["prepare", "deployment/web", "--wait=false"], kubeconfig: .some(creds.kubeconfig))
        #expect(ok.status == 0, "\(ok)")
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "template", "spec", "readinessGates"]] != nil)
        #expect(Self.forbidden(c).isEmpty, "\(Self.forbidden(c))")
    }
}

extension PermissionTests {
    @Test("a client-certificate user (CN, O) is held to RBAC too: refused up front without a binding, rolls out with the printed Role bound to its group")
    func certificateUser() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 3)]))
        defer { c.stop() }
        c.settle()
        let port = try c.server.certificateListener(for: SimUser(name: "jane", groups: ["deployers"]))
        let front = try c.startTLSFront(targetPort: port)
        let cert = try front.pki.clientCertificate(cn: "jane", organizations: ["deployers"])
        let config = try c.writeManifest("kubeconfig-jane", KubeconfigFile.single(
            cluster: KubeconfigFile.cluster(front), user: ["client-certificate": .string(cert.cert), "client-key": .string(cert.key)]))

        let refused = try c.run(["set", "image", "deployment/web", "app=nginx:1.27"], kubeconfig: .some(config))
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains("get deployments.apps") || refused.stderr.contains("forbidden"), "\(refused.stderr)")
        #expect(c.ourWrites.isEmpty)

        try Self.apply(try c.run(["rbac", "--for", "rollout"]).stdout, in: c) { doc in
            if doc["kind"] == "RoleBinding" { doc["subjects"] = [["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "deployers"]] }
        }
        // The socat front refuses resumed TLS sessions (no session id context with verify=1): the
        // rollout's parallel connections get through only because the client falls back to full handshakes.
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "100ms"],
                          kubeconfig: .some(config), timeout: 60)
        #expect(r.status == 0, "\(r)")
        #expect(DurableRolloutTests.updated(c) == 3)
        #expect(Self.forbidden(c).filter { !$0.contains("/deployments/web") }.isEmpty, "\(Self.forbidden(c))")
    }
}
