import Foundation
import JSON
import KubeSim
import Testing

/// Issue 3's acceptance for Deployments, through the built binary against KubeSim's kubelet,
/// controllers, EndpointSlices and virtual traffic: in place, in order, within the window, with no
/// request dropped, and a Deployment its controller leaves alone afterwards.
@Suite("rollout: Deployments in place")
struct RolloutDeploymentTests {
    /// Every pod got exactly one sequence: one record (alone, or in the gate's write), one gate False,
    /// one image patch, one gate True, and nothing else.
    static func oneSequenceEach(_ writes: [PodWrite], pods: [String]) -> Bool {
        pods.allSatisfy { pod in
            let mine = writes.filter { $0.pod == pod }
            return mine.filter(\.recordsState).count == 1 && mine.filter { $0.kind == .gateOff }.count == 1
                && mine.filter { $0.kind == .imagePatch }.count == 1 && mine.filter { $0.kind == .gateOn }.count == 1
                && mine.allSatisfy { $0.kind != .other }
        } && Set(writes.map(\.pod)).isSubset(of: Set(pods))
    }

    /// Per pod: gate False → image patch → container restarted → gate True, each exactly once.
    static func sequenceProblems(_ c: TestCluster, pods: [String], writes: [PodWrite]) -> [String] {
        var problems: [String] = []
        for pod in pods {
            let mine = writes.filter { $0.pod == pod && $0.entry.statusCode < 300 }
            let kinds = mine.map(\.kind)
            guard kinds.filter({ $0 == .gateOff }).count == 1, kinds.filter({ $0 == .imagePatch }).count == 1,
                  kinds.filter({ $0 == .gateOn }).count == 1, let off = mine.first(where: { $0.kind == .gateOff }),
                  let patch = mine.first(where: { $0.kind == .imagePatch }), let on = mine.first(where: { $0.kind == .gateOn })
            else {
                problems.append("\(pod): writes \(kinds.map(\.rawValue))")
                continue
            }
            let restart = c.server.cluster.transitions.entries(pod: pod).first {
                if case .containerStarted("app", _, let n) = $0.kind { return n > 0 }
                return false
            }
            guard let restart else {
                problems.append("\(pod): the app container never restarted")
                continue
            }
            if !(off.time < patch.time && patch.time <= restart.time && restart.time <= on.time) {
                problems.append("\(pod): gateOff \(off.time.timeIntervalSince1970), patch \(patch.time.timeIntervalSince1970), restart \(restart.time.timeIntervalSince1970), gateOn \(on.time.timeIntervalSince1970)")
            }
        }
        return problems
    }

    @Test("1: 6 pods (app + sidecar), app image changed by -f: in place, sidecar untouched, ordered, within max-unavailable, no request dropped, Deployment consistent")
    func deploymentInPlace() throws {
        let c = try TestCluster(RolloutScenario.make(
            [Workloads.deployment(replicas: 6)], services: ["web"], latencies: RolloutScenario.restartLatencies,
            traffic: [TrafficSpec(service: "web", rate: 500, container: "app")]))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        #expect(before.count == 6 && before.values.allSatisfy(\.ready))
        let setsBefore = c.replicaSets(of: "web")
        c.server.requestLog.clear()
        c.server.cluster.resetTraffic()

        let file = try c.writeManifest("web.yaml", Workloads.deployment(replicas: 6, image: "nginx:1.27"))
        let r = try c.run(["rollout", "-f", file, "--max-unavailable", "2", "--grace-period", "100ms", "--pod-timeout", "20s"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        let traffic = c.server.cluster.traffic(service: "web")

        let after = c.facts(prefix: "web-")
        #expect(Set(after.keys) == Set(before.keys), "the same pods")
        for (name, b) in before {
            guard let a = after[name] else { continue }
            #expect(a.uid == b.uid && a.ip == b.ip && a.node == b.node, "\(name) kept its uid, IP and node")
            #expect(a.images == ["app": "nginx:1.27", "sidecar": "busybox:1.36"], "\(a)")
            #expect(a.containerIDs["sidecar"] == b.containerIDs["sidecar"] && a.restartCounts["sidecar"] == b.restartCounts["sidecar"],
                    "\(name)'s sidecar kept its container")
            #expect(a.containerIDs["app"] != b.containerIDs["app"] && a.restartCounts["app"] == (b.restartCounts["app"] ?? 0) + 1, "\(a)")
            #expect(a.gate == "True" && a.ready, "\(a)")
        }
        let log = c.server.cluster.transitions
        #expect(log.createdPods(workload: "Deployment/web").isEmpty && log.deletedPods(workload: "Deployment/web").isEmpty)
        #expect(log.kills(container: "sidecar", workload: "Deployment/web") == 0)
        #expect(log.restarts(container: "sidecar", workload: "Deployment/web") == 0)
        for name in before.keys { #expect(log.kills(container: "app", pod: name) == 1, "\(name): one app restart") }

        var reads: [String: Int] = [:]
        let ours = c.ourRequests
        let firstWrite = ours.firstIndex(where: \.isWrite) ?? 0
        for e in ours[firstWrite...] where e.method == "GET" && !e.isWatch { reads[e.path, default: 0] += 1 }
        #expect(reads.values.allSatisfy { $0 <= 3 }, "waits are driven by watches, not polling: \(reads.filter { $0.value > 3 })")
        let writes = PodWrite.of(c.ourWrites)
        #expect(Self.sequenceProblems(c, pods: Array(before.keys), writes: writes) == [])
        #expect(writes.filter { $0.kind == .other }.isEmpty, "\(writes.filter { $0.kind == .other })")
        let notReady = log.maxNotReady(workload: "Deployment/web")
        #expect(notReady <= 2 && notReady >= 1, "at most --max-unavailable pods NotReady at once: \(notReady)")

        #expect(traffic.sent > 200, "traffic flowed during the rollout: \(traffic)")
        #expect(traffic.dropped == 0, "no request reached a restarting container: \(traffic.droppedByPod)")

        let deployment = try #require(c.object(Resources.deployments, "web"))
        #expect(deployment[path: ["spec", "template", "spec", "containers"]]?[0]?["image"] == "nginx:1.27")
        #expect(deployment[path: ["spec", "paused"]]?.bool != true, "not left paused")
        #expect(c.record(Resources.deployments, "web")?["phase"] == "complete")
        c.settle(thenWait: 1.5)
        let setsAfter = c.replicaSets(of: "web")
        #expect(Set(setsAfter.keys) == Set(setsBefore.keys), "no new ReplicaSet")
        for (name, rs) in setsAfter {
            #expect(rs[path: ["spec", "replicas"]] == setsBefore[name]?[path: ["spec", "replicas"]], "\(name) not scaled")
            #expect(rs[path: ["spec", "template", "spec", "containers"]]?[0]?["image"] == "nginx:1.27", "\(name)'s template is the new one")
        }
        #expect(Set(c.facts(prefix: "web-").values.map(\.uid)) == Set(before.values.map(\.uid)), "the controller replaced no pod")
        #expect(log.createdPods(workload: "Deployment/web").isEmpty && log.deletedPods(workload: "Deployment/web").isEmpty)
        #expect(r.stderr.contains("0 recreated"), "\(r.stderr)")
    }

    @Test("-o json: one JSON object per line, only documented types with their fields, a final summary")
    func jsonEvents() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 3)]))
        defer { c.stop() }
        c.settle()
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "0", "-o", "json"])
        #expect(r.status == 0, "\(r)")
        let events = try JSONLines.parse(r.stdout)
        let fields: [String: [String]] = [
            "started": ["workload", "namespace", "update", "keep", "hold", "maxUnavailable"],
            "workloadWrite": ["workload", "namespace", "message"],
            "podStep": ["workload", "namespace", "pod", "step", "elapsed"],
            "podDone": ["workload", "namespace", "pod", "seconds"],
            "podFailed": ["workload", "namespace", "pod", "reason", "message"],
            "warning": ["message"],
            "finished": ["workload", "namespace", "result", "updated", "kept", "held", "failed", "seconds"],
            "summary": ["exitCode", "updated", "kept", "held", "failed", "recreated", "seconds", "requests"],
        ]
        let steps: Set<String> = ["record", "gateOff", "drain", "patch", "restart", "gateOn", "ready"]
        #expect(events.count >= 10)
        for e in events {
            let type = e["type"]?.string ?? ""
            guard let want = fields[type] else {
                Issue.record("undocumented type: \(e.serialized())")
                continue
            }
            for f in want where e[f] == nil { Issue.record("\(type) lacks \(f): \(e.serialized())") }
            if type != "summary" { #expect(e["time"]?.string.map { $0.count >= 20 && $0.contains("T") } == true, "\(e.serialized())") }
            if type == "podStep" { #expect(steps.contains(e["step"]?.string ?? ""), "\(e.serialized())") }
        }
        #expect(events.first?["type"] == "started")
        #expect(events.first?["update"] == 3)
        let pods = Set(c.podNames(prefix: "web-"))
        #expect(Set(events.filter { $0["type"] == "podDone" }.compactMap { $0["pod"]?.string }) == pods)
        for pod in pods {
            let seen = events.filter { $0["type"] == "podStep" && $0["pod"]?.string == pod }.compactMap { $0["step"]?.string }
            #expect(seen.firstIndex(of: "gateOff").map { g in seen.firstIndex(of: "patch").map { g < $0 } ?? false } == true, "\(pod): \(seen)")
        }
        let finished = try #require(events.first { $0["type"] == "finished" })
        #expect(finished["result"] == "complete" && finished["updated"] == 3)
        let summary = try #require(events.last)
        #expect(summary["type"] == "summary")
        #expect(summary["exitCode"] == 0 && summary["updated"] == 3 && summary["recreated"] == 0 && summary["failed"] == [])
        let requests = summary["requests"]?.object ?? [:]
        #expect(requests.count > 0 && requests.allSatisfy { ($0.value.int ?? 0) > 0 }, "\(summary.serialized())")
        #expect(!r.stdout.contains("\u{1B}"), "no escape codes")
    }

    @Test("A partial rollout (--partition) leaves the Deployment paused and says so; the held pods stay as they are")
    func partialDeployment() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 4)]))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--partition", "2", "--grace-period", "0"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.contains("stays paused"), "\(r.stderr)")
        c.settle(thenWait: 1)
        let after = c.facts(prefix: "web-")
        #expect(after.values.filter { $0.images["app"] == "nginx:1.27" }.count == 2)
        #expect(after.values.filter { $0.images["app"] == "nginx:1.25" }.count == 2)
        #expect(after.values.allSatisfy { $0.ready && $0.gate == "True" })
        #expect(Set(after.values.map(\.uid)) == Set(before.values.map(\.uid)), "the paused controller replaced nothing")
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "paused"]] == true)
        #expect(c.replicaSets(of: "web").count == 1)
    }

    @Test("A manifest with several workloads (and a Service) rolls out each of them")
    func manifestWithSeveralWorkloads() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 2), Workloads.statefulSet(replicas: 2)], services: ["web"]))
        defer { c.stop() }
        c.settle()
        let file = try c.writeManifest("app.yaml", RolloutScenario.service("web"), Workloads.deployment(replicas: 2, image: "nginx:1.27"),
                                       Workloads.statefulSet(replicas: 2, image: "postgres:16.3"))
        let r = try c.run(["rollout", "-f", file, "--grace-period", "0", "-o", "json"])
        #expect(r.status == 0, "\(r)")
        let finished = try JSONLines.parse(r.stdout).filter { $0["type"] == "finished" }
        #expect(Set(finished.compactMap { $0["workload"]?.string }) == ["deployment/web", "statefulset/db"], "\(r.stdout)")
        #expect(finished.allSatisfy { $0["result"] == "complete" && $0["updated"] == 2 })
        #expect(c.facts(prefix: "web-").values.allSatisfy { $0.images["app"] == "nginx:1.27" && $0.ready })
        #expect(c.facts(prefix: "db-").values.allSatisfy { $0.images["postgres"] == "postgres:16.3" && $0.ready })
    }

    @Test("The older-ReplicaSet trap: returning to an earlier image whose ReplicaSet still has that template replaces no pod")
    func olderReplicaSetTrap() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 3, image: "nginx:1.27")]))
        defer { c.stop() }
        c.settle()
        let v1 = try #require(c.replicaSets(of: "web").keys.first)
        let keeper = TestGateKeeper(c.server)
        _ = c.server.client.patch(Resources.deployments, namespace: "default", name: "web",
                                  patch: ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "nginx:1.25"]]]]]])
        let rolledOut = c.server.cluster.wait(timeout: 20) {
            let sets = c.replicaSets(of: "web")
            let pods = c.facts(prefix: "web-").values
            return sets.count == 2 && sets[v1]?[path: ["spec", "replicas"]] == 0 && pods.count == 3
                && pods.allSatisfy { $0.ready && $0.images["app"] == "nginx:1.25" }
        }
        keeper.stop()
        try #require(rolledOut, "the native rollout to nginx:1.25 finished: \(c.facts(prefix: "web-").values)")
        c.settle()
        let before = c.facts(prefix: "web-")
        let setsBefore = c.replicaSets(of: "web")
        let v2 = try #require(setsBefore.keys.first { $0 != v1 })

        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "0", "--max-unavailable", "3"])
        #expect(r.status == 0, "\(r)")
        c.settle(thenWait: 1.5)
        let after = c.facts(prefix: "web-")
        #expect(Set(after.values.map(\.uid)) == Set(before.values.map(\.uid)), "no pod replaced: \(after.values)")
        #expect(after.values.allSatisfy { $0.images["app"] == "nginx:1.27" && $0.ready })
        let sets = c.replicaSets(of: "web")
        #expect(Set(sets.keys) == Set(setsBefore.keys), "no new ReplicaSet")
        #expect(sets[v1]?[path: ["spec", "replicas"]] == 0, "the older ReplicaSet was not scaled up")
        #expect(sets[v2]?[path: ["spec", "replicas"]] == 3)
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "paused"]]?.bool != true)
    }

    @Test("Conflicts and server errors injected on the binary's writes: the rollout still completes, in place")
    func injectedFaults() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 4)]))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        let pods = before.keys.sorted()
        c.server.requestLog.clear()
        c.server.faults.failNext(1, method: "PATCH", path: "/api/v1/namespaces/default/pods/\(pods[0])", status: 409)
        c.server.faults.failNext(1, method: "PATCH", path: "/api/v1/namespaces/default/pods/\(pods[1])/status", status: 409)
        c.server.faults.failNext(2, method: "PATCH", path: "/api/v1/namespaces/default/pods/\(pods[2])", status: 503)
        c.server.faults.failNext(1, method: "PATCH", path: "/api/v1/namespaces/default/pods/\(pods[3])/status", status: 500)
        c.server.faults.failNext(1, method: "PATCH", path: "/api/v1/namespaces/default/pods/\(pods[3])", status: 429, retryAfterSeconds: 1)
        c.server.faults.failNext(1, method: "PATCH", path: "/apis/apps/v1/namespaces/default/deployments/web", status: 409)
        c.server.faults.failNext(1, method: "PATCH", path: "/apis/apps/v1/namespaces/default/deployments/web", status: 503)
        c.server.faults.failNext(1, method: "PATCH", path: "/apis/apps/v1/namespaces/default/replicasets/*", status: 500)

        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "0", "--max-unavailable", "2"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        #expect(c.server.faults.pendingRules == 0, "every injected fault was hit")
        let failed = c.ourWrites.filter { $0.statusCode >= 400 }
        #expect(failed.count == 9, "\(failed.map { "\($0.statusCode) \($0.path)" })")
        let after = c.facts(prefix: "web-")
        for (name, b) in before {
            #expect(after[name]?.uid == b.uid)
            #expect(after[name]?.images["app"] == "nginx:1.27" && after[name]?.gate == "True" && after[name]?.ready == true, "\(after[name].map(\.description) ?? name)")
            #expect(c.server.cluster.transitions.kills(container: "app", pod: name) == 1)
        }
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "paused"]]?.bool != true)
        #expect(c.record(Resources.deployments, "web")?["phase"] == "complete")
    }

    @Test("Watches dropped during the rollout: it reconnects and completes")
    func droppedWatches() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 6)], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        let run = try c.start(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "50ms", "--max-unavailable", "2"])
        defer { run.cleanUp() }
        var drops = 0
        while run.process.isRunning && drops < 8 {
            let watching = c.ourRequests.contains { $0.isWatch }
            if watching {
                c.server.dropWatches()
                drops += 1
            }
            usleep(120_000)
        }
        let code = run.waitExit(timeout: 60)
        #expect(code == 0, "\(run.stderr)")
        #expect(drops >= 3, "the watches were dropped \(drops) times during the rollout")
        let after = c.facts(prefix: "web-")
        #expect(Set(after.values.map(\.uid)) == Set(before.values.map(\.uid)))
        #expect(after.values.allSatisfy { $0.images["app"] == "nginx:1.27" && $0.gate == "True" && $0.ready }, "\(after.values)")
        let watches = c.ourRequests.filter(\.isWatch)
        #expect(watches.contains { !($0.query["resourceVersion"] ?? "").isEmpty }, "reconnected from a resourceVersion")
    }
}
