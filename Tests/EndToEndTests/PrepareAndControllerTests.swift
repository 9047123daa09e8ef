import Foundation
import JSON
import KubeSim
import Testing
import YAML

/// Issue 5's acceptance, through the built binary against KubeSim's kubelet and controllers:
/// `prepare` (gate added, native rollout followed, idempotent), the `controller` gate keeper (scale-ups,
/// leader election and hand-over, never flipping a rollout's False) and its printed manifest.
@Suite("prepare and the controller gate keeper", .serialized)
struct PrepareAndControllerTests {
    static let leasePath = (namespace: "default", name: "kubectl-inplace-controller")

    /// Pods of the default namespace as the tests look at them.
    enum PodView {
        static func live(_ c: TestCluster, prefix: String) -> [JSONValue] {
            c.server.store.list(Resources.pods, namespace: "default").items
                .filter { ($0[path: ["metadata", "name"]]?.string ?? "").hasPrefix(prefix) }
                .filter { $0[path: ["metadata", "deletionTimestamp"]] == nil }
        }
        static func name(_ p: JSONValue) -> String { p[path: ["metadata", "name"]]?.string ?? "" }
        static func condition(_ p: JSONValue, _ type: String) -> JSONValue? {
            p[path: ["status", "conditions"]]?.array?.first { $0["type"]?.string == type }
        }
        static func status(_ p: JSONValue, _ type: String) -> String? { condition(p, type)?["status"]?.string }
        static func gated(_ p: JSONValue) -> Bool {
            (p[path: ["spec", "readinessGates"]]?.array ?? []).contains { $0["conditionType"] == "InPlaceUpdateReady" }
        }
        static func ready(_ p: JSONValue) -> Bool { status(p, "Ready") == "True" }
    }

    /// A Deployment of `replicas` whose template lacks the readiness gate.
    static func ungatedDeployment(replicas: Int = 4) -> JSONValue {
        var d = Workloads.deployment(replicas: replicas)
        d[path: ["spec", "template", "spec", "readinessGates"]] = nil
        return d
    }

    /// Writes of the binary (not of the simulator's own kubelet and controllers).
    static func ourWrites(_ c: TestCluster) -> [RequestLogEntry] {
        c.server.requestLog.writes.filter { $0.userAgent.hasPrefix("kubectl-inplace") }
    }

    func scale(_ c: TestCluster, to replicas: Int) {
        _ = c.server.client.patch(Resources.deployments, namespace: "default", name: "web", patch: ["spec": ["replicas": .int(replicas)]])
    }

    func lease(_ c: TestCluster) -> JSONValue? {
        c.server.store.get(Resources.leases, namespace: Self.leasePath.namespace, name: Self.leasePath.name)
    }

    // MARK: 1

    @Test("1: prepare deployment/web replaces the 4 pods once with gated, True, Ready pods; again: already prepared, zero writes")
    func prepareDeployment() throws {
        let c = try TestCluster(Scenario(namespace: "default", workloads: [Scenario.Workload(Self.ungatedDeployment())]))
        defer { c.stop() }
        #expect(Eventually.wait(10) { PodView.live(c, prefix: "web-").filter(PodView.ready).count == 4 })
        let before = Set(PodView.live(c, prefix: "web-").map(PodView.name))
        #expect(before.count == 4)

        let r = try c.run(["prepare", "deployment/web", "--timeout", "60s"], timeout: 90)
        #expect(r.status == 0, "\(r)")
        let explained = try #require(r.stderr.range(of: "replace its 4 pod(s) once"), "\(r)")
        let written = try #require(r.stderr.range(of: "pod template updated"), "\(r)")
        #expect(explained.lowerBound < written.lowerBound, "the explanation comes before the write")
        #expect(r.stderr.contains("successfully rolled out"), "\(r)")

        let pods = PodView.live(c, prefix: "web-")
        #expect(pods.count == 4, "\(pods.map(PodView.name))")
        #expect(Set(pods.map(PodView.name)).isDisjoint(with: before), "every pod was replaced by the Deployment controller")
        for p in pods {
            #expect(PodView.gated(p), "\(PodView.name(p)) has the gate")
            #expect(PodView.status(p, "InPlaceUpdateReady") == "True", "\(PodView.name(p))")
            #expect(PodView.ready(p), "\(PodView.name(p)) is Ready")
        }
        let writes = Self.ourWrites(c)
        let templatePatches = writes.filter { $0.path == "/apis/apps/v1/namespaces/default/deployments/web" }
        #expect(templatePatches.count == 1)
        #expect(templatePatches.first?.bodyJSON?[path: ["metadata", "resourceVersion"]] != nil, "the template write is conditional")
        #expect(templatePatches.first?.bodyJSON?[path: ["spec", "template", "spec", "readinessGates"]]
                == [["conditionType": "InPlaceUpdateReady"]])
        let marks = writes.filter { $0.path.hasSuffix("/status") && $0.statusCode == 200 }
        #expect(marks.count == 4, "one condition write per new pod: \(marks.map(\.path))")
        #expect(Set(marks.map(\.path)).count == 4)
        #expect(writes.allSatisfy { $0.statusCode == 200 || $0.statusCode == 409 }, "only conflicts (a pod changed under a mark) fail")

        c.server.requestLog.clear()
        let again = try c.run(["prepare", "deployment/web"])
        #expect(again.status == 0, "\(again)")
        #expect(again.stderr.contains("already prepared"), "\(again)")
        #expect(Self.ourWrites(c).isEmpty, "\(Self.ourWrites(c).map { "\($0.method) \($0.path)" })")
    }

    @Test("prepare refuses a bare pod before writing anything; --dry-run=client and --wait=false")
    func prepareRefusalsAndModes() throws {
        var pod = Workloads.pod("solo")
        pod[path: ["spec", "readinessGates"]] = nil
        let c = try TestCluster(Scenario(namespace: "default", workloads: [Scenario.Workload(Self.ungatedDeployment()), Scenario.Workload(pod)]))
        defer { c.stop() }
        c.server.requestLog.clear()
        let bare = try c.run(["prepare", "deployment/web", "pod/solo"])
        #expect(bare.status == 2, "\(bare)")
        #expect(bare.stderr.contains("readiness gates cannot be added to a live pod"), "\(bare)")
        #expect(Self.ourWrites(c).isEmpty)

        let dry = try c.run(["prepare", "deployment/web", "--dry-run=client"])
        #expect(dry.status == 0, "\(dry)")
        #expect(dry.stdout.contains("\"readinessGates\":[{\"conditionType\":\"InPlaceUpdateReady\"}]"), "\(dry)")
        #expect(Self.ourWrites(c).isEmpty)

        let noWait = try c.run(["prepare", "deployment/web", "--wait=false"])
        #expect(noWait.status == 0, "\(noWait)")
        #expect(noWait.stderr.contains("kubectl inplace controller --print-manifest | kubectl apply -f -"), "\(noWait)")
        #expect(Self.ourWrites(c).count == 1)
    }

    // MARK: 2

    @Test("2: with the controller (health endpoints on), a prepared Deployment scaled 4 → 8 has 8 Ready pods; SIGTERM releases the lease")
    func controllerKeepsScaleUpsReady() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 4)]))
        defer { c.stop() }
        let port = HTTPProbe.freePort()
        let controller = try c.start(["controller", "--lease-duration", "2s", "--identity", "gk-1", "--health-port", String(port)])
        defer { controller.cleanUp() }
        #expect(controller.waitForLog("became the leader"), "\(controller.stderr)")
        #expect(HTTPProbe.get(port: port, path: "/healthz")?.status == "HTTP/1.1 200 OK")
        #expect(Eventually.wait(5) { HTTPProbe.get(port: port, path: "/readyz")?.status == "HTTP/1.1 200 OK" })
        #expect(HTTPProbe.get(port: port, path: "/nope")?.status.hasPrefix("HTTP/1.1 404") == true)
        scale(c, to: 8)
        #expect(Eventually.wait(20) {
            let pods = PodView.live(c, prefix: "web-")
            return pods.count == 8 && pods.allSatisfy(PodView.ready)
        }, "\(PodView.live(c, prefix: "web-").map { "\(PodView.name($0)) ready=\(PodView.ready($0))" })\n\(controller.stderr)")
        #expect(Eventually.wait(2) { controller.stderr.components(separatedBy: "marked pod default/web-").count - 1 == 4 }, "\(controller.stderr)")

        controller.signal(SIGTERM)
        #expect(controller.waitExit() == 0, "\(controller.stderr)")
        #expect(controller.stderr.contains("released the lease"), "\(controller.stderr)")
        #expect(lease(c)?[path: ["spec", "holderIdentity"]] == "")
    }

    @Test("2: without a gate keeper the 4 new pods stay NotReady and plan warns about the missing gate keeper")
    func withoutControllerScaleUpsStayNotReady() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 4)]))
        defer { c.stop() }
        let old = Set(PodView.live(c, prefix: "web-").map(PodView.name))
        scale(c, to: 8)
        #expect(Eventually.wait(20) {
            let fresh = PodView.live(c, prefix: "web-").filter { !old.contains(PodView.name($0)) }
            return fresh.count == 4 && fresh.allSatisfy { PodView.status($0, "ContainersReady") == "True" }
        })
        usleep(300_000)
        let fresh = PodView.live(c, prefix: "web-").filter { !old.contains(PodView.name($0)) }
        for p in fresh {
            #expect(!PodView.ready(p), "\(PodView.name(p)) must not be Ready without the condition")
            #expect(PodView.condition(p, "Ready")?["reason"] == "ReadinessGatesNotReady")
            #expect(PodView.condition(p, "InPlaceUpdateReady") == nil)
        }
        let plan = try c.run(["plan", "deployment/web", "app=nginx:1.27"])
        #expect(plan.status == 0, "\(plan)")
        #expect(plan.stderr.contains("4 pod(s) have the readiness gate but no InPlaceUpdateReady condition"), "\(plan)")
        #expect(plan.stderr.contains("no gate keeper seems to run"), "\(plan)")
        #expect(plan.stderr.contains("kubectl inplace controller --print-manifest | kubectl apply -f -"), "\(plan)")
    }

    // MARK: 3

    @Test("3: two controllers: only the Lease holder writes; SIGKILL of the holder hands over within the lease duration")
    func leaderElectionHandOver() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 4)]))
        defer { c.stop() }
        let duration = 2.0
        let a = try c.start(["controller", "--lease-duration", "2s", "--identity", "gk-a"])
        defer { a.cleanUp() }
        #expect(a.waitForLog("became the leader"), "\(a.stderr)")
        let b = try c.start(["controller", "--lease-duration", "2s", "--identity", "gk-b"])
        defer { b.cleanUp() }
        #expect(b.waitForLog("standing by: gk-a holds the lease"), "\(b.stderr)")

        scale(c, to: 6)
        #expect(Eventually.wait(20) { PodView.live(c, prefix: "web-").filter(PodView.ready).count == 6 })
        #expect(!b.stderr.contains("marked pod"), "the standby marked pods: \(b.stderr)")
        // KubeSim logs a request when its answer is written, after the pod changed: a pod may show
        // Ready a moment before the write that made it so is in the log.
        _ = Eventually.wait(2) { Self.ourWrites(c).filter { $0.path.hasSuffix("/status") && $0.statusCode == 200 }.count >= 2 }
        let beforeKill = Self.ourWrites(c)
        let marks = beforeKill.filter { $0.path.hasSuffix("/status") }
        #expect(marks.filter { $0.statusCode == 200 }.count == 2, "\(marks.map { "\($0.statusCode) \($0.path)" })")
        #expect(marks.allSatisfy { $0.bodyText.contains("controller gk-a") }, "\(marks.map(\.bodyText))")
        let leaseWrites = beforeKill.filter { $0.path.contains("/leases") }
        #expect(!leaseWrites.isEmpty && leaseWrites.allSatisfy { $0.bodyJSON?[path: ["spec", "holderIdentity"]] == "gk-a" },
                "only the holder writes the lease")

        a.signal(SIGKILL)
        let killed = Date()
        #expect(a.waitExit() == 128 + SIGKILL)
        #expect(Eventually.wait(duration + 2) { lease(c)?[path: ["spec", "holderIdentity"]] == "gk-b" }, "\(b.stderr)")
        let handOver = Date().timeIntervalSince(killed)
        #expect(handOver <= duration + 0.5, "hand-over took \(handOver)s for a \(duration)s lease")
        #expect(lease(c)?[path: ["spec", "leaseTransitions"]] == 1)

        scale(c, to: 7)
        #expect(Eventually.wait(20) { PodView.live(c, prefix: "web-").filter(PodView.ready).count == 7 }, "\(b.stderr)")
        // The pod turns Ready on the patch; the controller logs the mark after the patch's response.
        #expect(b.waitForLog("marked pod default/web-"), "\(b.stderr)")
        #expect(b.stderr.components(separatedBy: "marked pod default/web-").count - 1 == 1, "\(b.stderr)")
        b.signal(SIGINT)
        #expect(b.waitExit() == 0, "\(b.stderr)")
    }

    // MARK: 4

    @Test("4: the controller never flips a False set by a rollout, nor marks a pod a rollout holds in flight")
    func neverFlipsARolloutsFalse() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 4)]))
        defer { c.stop() }
        let controller = try c.start(["controller", "--lease-duration", "2s"])
        defer { controller.cleanUp() }
        #expect(controller.waitForLog("became the leader"), "\(controller.stderr)")

        // As a rollout does: record the pod in flight, then set the gate False.
        let pods = PodView.live(c, prefix: "web-").map(PodView.name).sorted()
        let target = try #require(pods.first)
        _ = c.server.client.patch(Resources.pods, namespace: "default", name: target,
                                  patch: ["metadata": ["annotations": ["inplace.kubectl.io/state": "{\"rolloutID\":\"test\"}"]]])
        _ = c.server.client.patch(Resources.pods, namespace: "default", name: target, subresource: "status", patch: [
            "status": ["conditions": [["type": "InPlaceUpdateReady", "status": "False", "reason": "InPlaceUpdateStarted",
                                       "message": "test", "lastTransitionTime": "2026-11-29T03:00:00Z"]]],
        ])
        #expect(Eventually.wait(5) { c.server.store.get(Resources.pods, namespace: "default", name: target).map { !PodView.ready($0) } ?? false })
        usleep(1_000_000)
        let pod = try #require(c.server.store.get(Resources.pods, namespace: "default", name: target))
        #expect(PodView.status(pod, "InPlaceUpdateReady") == "False")
        #expect(Self.ourWrites(c).filter { $0.path.hasSuffix("/status") }.isEmpty)

        // The rollout finishes that pod; then a real in-place rollout runs with the controller watching.
        _ = c.server.client.patch(Resources.pods, namespace: "default", name: target,
                                  patch: ["metadata": ["annotations": ["inplace.kubectl.io/state": .null]]])
        _ = c.server.client.patch(Resources.pods, namespace: "default", name: target, subresource: "status", patch: [
            "status": ["conditions": [["type": "InPlaceUpdateReady", "status": "True", "reason": "InPlaceUpdateDone",
                                       "message": "test", "lastTransitionTime": "2026-11-29T03:00:01Z"]]],
        ])
        #expect(Eventually.wait(5) { PodView.live(c, prefix: "web-").allSatisfy(PodView.ready) })
        let r = try c.run(["rollout", "deployment/web", "app=nginx:1.27", "--grace-period", "0s", "--timeout", "60s"], timeout: 90)
        #expect(r.status == 0, "\(r)")
        let after = PodView.live(c, prefix: "web-")
        #expect(after.map(PodView.name).sorted() == pods, "updated in place, no pod replaced")
        #expect(after.allSatisfy { PodView.status($0, "InPlaceUpdateReady") == "True" && PodView.ready($0) })
        let gateOffs = Self.ourWrites(c).filter { $0.path.hasSuffix("/status") && $0.bodyText.contains("\"False\"") }
        #expect(gateOffs.count >= 4, "the rollout set the gate False on every pod")
        #expect(!controller.stderr.contains("marked pod"), "\(controller.stderr)")
        let controllerMarks = c.server.requestLog.writes.filter { $0.bodyText.contains("GateKeeperInitialized") }
        #expect(controllerMarks.isEmpty, "\(controllerMarks.map(\.path))")
        controller.signal(SIGTERM)
        #expect(controller.waitExit() == 0)
    }

    // MARK: 5

    @Test("5: the printed manifest passes kubectl apply --dry-run=client, with exactly the minimum RBAC")
    func printedManifestApplies() throws {
        let c = try TestCluster(Workloads.scenario([]))
        defer { c.stop() }
        let r = try c.run(["controller", "--print-manifest", "--image", "registry.example.com/kubectl-inplace:0.1.0"])
        #expect(r.status == 0, "\(r)")
        let docs = try YAML.documents(from: r.stdout, fileName: "manifest").map(\.value)
        #expect(docs.map { $0["kind"]?.string ?? "" }
                == ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment"])
        let rules = docs.filter { $0["rules"] != nil }.flatMap { doc in
            (doc["rules"]?.array ?? []).flatMap { rule in
                (rule["resources"]?.array ?? []).flatMap { res in
                    (rule["verbs"]?.array ?? []).map { "\(doc["kind"]?.string ?? ""):\(rule["apiGroups"]?[0]?.string ?? ""):\(res.string ?? ""):\($0.string ?? "")" }
                }
            }
        }
        #expect(rules.sorted() == [
            "ClusterRole::pods/status:patch", "ClusterRole::pods:get", "ClusterRole::pods:list", "ClusterRole::pods:watch",
            "ClusterRole:apps:daemonsets:list", "ClusterRole:apps:daemonsets:watch", "ClusterRole:apps:deployments:list",
            "ClusterRole:apps:deployments:watch", "ClusterRole:apps:statefulsets:list", "ClusterRole:apps:statefulsets:watch",
            "Role:coordination.k8s.io:leases:create", "Role:coordination.k8s.io:leases:get", "Role:coordination.k8s.io:leases:update",
        ])

        let kubectl = "/usr/bin/kubectl"
        try #require(FileManager.default.isExecutableFile(atPath: kubectl), "the real kubectl is needed at \(kubectl)")
        try applyDryRun(manifest: r.stdout, in: c)
    }

    /// Runs the real `kubectl apply --dry-run=client` on the manifest against the simulated cluster.
    func applyDryRun(manifest: String, in c: TestCluster) throws {
        let input = try c.write("manifest.yaml", manifest)
        let (status, output) = try c.kubectl(["apply", "--dry-run=client", "-f", input])
        #expect(status == 0, "kubectl apply --dry-run=client failed:\n\(output)")
        #expect(output.components(separatedBy: "(dry run)").count - 1 == 7, "\(output)")
    }
}
