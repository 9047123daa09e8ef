import Foundation
import JSON
import KubeSim
import Testing

/// Issue 13's acceptance: cpu and memory changed in place through `pods/resize`, through the built
/// binary against KubeSim's API server (1.32 and 1.33) and kubelet.
@Suite("rollout: cpu and memory resized in place")
struct ResizeRolloutTests {
    /// The `web` Deployment whose `app` container has these resources and resize policy.
    static func web(requests: JSONValue, limits: JSONValue, policy: JSONValue) -> JSONValue {
        var d = Workloads.deployment(replicas: 4)
        d.setContainer("app", "resources", ["requests": requests, "limits": limits])
        d.setContainer("app", "resizePolicy", policy)
        return d
    }

    static let cpuPolicy: JSONValue = [["resourceName": "cpu", "restartPolicy": "NotRequired"],
                                       ["resourceName": "memory", "restartPolicy": "NotRequired"]]
    static let memoryRestarts: JSONValue = [["resourceName": "cpu", "restartPolicy": "NotRequired"],
                                            ["resourceName": "memory", "restartPolicy": "RestartContainer"]]

    static func cluster(_ manifest: JSONValue, version: String, traffic: Bool = true) throws -> TestCluster {
        var s = RolloutScenario.make([manifest], services: ["web"], latencies: RolloutScenario.restartLatencies,
                                     traffic: traffic ? [TrafficSpec(service: "web", rate: 500, container: "app")] : [])
        s.server.kubernetesVersion = version
        let c = try TestCluster(s)
        c.settle()
        return c
    }

    static func appStatus(_ pod: JSONValue) -> JSONValue? {
        (pod[path: ["status", "containerStatuses"]]?.array ?? []).first { $0["name"]?.string == "app" }
    }

    static func appSpec(_ pod: JSONValue) -> JSONValue? {
        (pod[path: ["spec", "containers"]]?.array ?? []).first { $0["name"]?.string == "app" }
    }

    static func resizeWrites(_ c: TestCluster) -> [RequestLogEntry] { c.ourWrites.filter { $0.path.hasSuffix("/resize") } }

    @Test("1: cpu 100m→150m, limit 200m→300m, NotRequired, 4 pods at 1.33: one resize each, no restart, in service, template updated, no new ReplicaSet")
    func notRequired() throws {
        let before = Self.web(requests: ["cpu": "100m", "memory": "64Mi"], limits: ["cpu": "200m"], policy: Self.cpuPolicy)
        let c = try Self.cluster(before, version: "v1.33.1")
        defer { c.stop() }
        let facts = c.facts(prefix: "web-")
        #expect(facts.count == 4)
        let setsBefore = c.replicaSets(of: "web")
        c.server.requestLog.clear()
        c.server.cluster.resetTraffic()

        let desired = Self.web(requests: ["cpu": "150m", "memory": "64Mi"], limits: ["cpu": "300m"], policy: Self.cpuPolicy)
        let file = try c.writeManifest("web.yaml", desired)
        let plan = try c.run(["plan", "-f", file])
        #expect(plan.status == 0 && plan.stdout.contains("requests.cpu: 100m → 150m") && plan.stdout.contains("limits.cpu: 200m → 300m"), "\(plan)")
        let (_, planJSON) = try c.planJSON(["-f", file])
        #expect(PlanSchema.violations(planJSON) == [])
        for pod in planJSON.planPods {
            #expect(pod["action"] == "update" && pod["batch"] == 1, "in-service resizes all go in the first batch: \(pod)")
            #expect(pod["resources"] == [["container": "app", "resource": "requests.cpu", "value": "150m", "currentValue": "100m"],
                                         ["container": "app", "resource": "limits.cpu", "value": "300m", "currentValue": "200m"]])
        }
        c.server.requestLog.clear()
        let r = try c.run(["rollout", "-f", file, "--grace-period", "100ms", "--pod-timeout", "20s", "-o", "json"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        let traffic = c.server.cluster.traffic(service: "web")
        let events = r.stdout.split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
        #expect(events.filter { $0["type"] == "podStep" && $0["step"] == "resize" }.count == 4, "JSON events show each resize: \(r.stdout)")
        #expect(events.filter { $0["type"] == "podDone" }.count == 4)

        let resizes = Self.resizeWrites(c)
        #expect(Set(resizes.map { $0.path }).count == 4 && resizes.count == 4, "one resize PATCH per pod: \(resizes.map(\.path))")
        #expect(PodWrite.of(c.ourWrites).filter { $0.kind == .gateOff || $0.kind == .imagePatch }.isEmpty, "no pod left service")
        for pod in c.livePods(prefix: "web-") {
            let name = pod[path: ["metadata", "name"]]?.string ?? ""
            let status = try #require(Self.appStatus(pod))
            #expect(status["containerID"]?.string == facts[name]?.containerIDs["app"], "\(name): app not restarted")
            #expect(status[path: ["resources", "requests", "cpu"]] == "150m" && status[path: ["resources", "limits", "cpu"]] == "300m",
                    "\(name): actuated \(status)")
            #expect(status[path: ["allocatedResources", "cpu"]] == "150m")
            #expect(PodFacts(pod).ready)
        }
        let log = c.server.cluster.transitions
        #expect(log.maxNotReady(workload: "Deployment/web") == 0, "pods stayed Ready")
        #expect(traffic.dropped == 0, "\(traffic.droppedByPod)")
        let deployment = try #require(c.object(Resources.deployments, "web"))
        #expect(Self.appSpec(deployment[path: ["spec", "template"]] ?? .null)?[path: ["resources", "requests", "cpu"]] == "150m")
        c.settle(thenWait: 1.5)
        #expect(Set(c.replicaSets(of: "web").keys) == Set(setsBefore.keys), "no new ReplicaSet")
        #expect(Set(c.facts(prefix: "web-").values.map(\.uid)) == Set(facts.values.map(\.uid)), "no pod replaced")
        let record = try #require(c.record(Resources.deployments, "web"))
        #expect(record["previousResources"]?["app/requests.cpu"] == "100m" && record["resources"]?["app/limits.cpu"] == "300m", "\(record)")
        let status = try c.statusJSON("deployment/web").first
        #expect(status?["updated"] == 4 && status?["held"] == 0 && status?["resources"]?["app/requests.cpu"] == "150m", "\(status ?? .null)")

        c.server.requestLog.clear()
        let undo = try c.run(["undo", "deployment/web", "--pod-timeout", "20s"], timeout: 60)
        #expect(undo.status == 0, "\(undo)")
        #expect(Self.resizeWrites(c).count == 4, "undo resizes each pod back once")
        for pod in c.livePods(prefix: "web-") {
            let name = pod[path: ["metadata", "name"]]?.string ?? ""
            let status = try #require(Self.appStatus(pod))
            #expect(Self.appSpec(pod)?[path: ["resources", "requests", "cpu"]] == "100m" && status[path: ["resources", "limits", "cpu"]] == "200m")
            #expect(status["containerID"]?.string == facts[name]?.containerIDs["app"], "\(name): still not restarted")
        }
        let undone = try #require(c.object(Resources.deployments, "web"))
        #expect(Self.appSpec(undone[path: ["spec", "template"]] ?? .null)?[path: ["resources", "limits", "cpu"]] == "200m")
    }

    @Test("Dry runs (client and server) show the resize and write nothing")
    func dryRuns() throws {
        let before = Self.web(requests: ["cpu": "100m", "memory": "64Mi"], limits: ["cpu": "200m"], policy: Self.cpuPolicy)
        let c = try Self.cluster(before, version: "v1.33.1", traffic: false)
        defer { c.stop() }
        let desired = Self.web(requests: ["cpu": "150m", "memory": "64Mi"], limits: ["cpu": "300m"], policy: Self.cpuPolicy)
        let file = try c.writeManifest("web.yaml", desired)
        let rv = c.server.store.resourceVersion
        let client = try c.run(["rollout", "-f", file, "--dry-run=client"])
        #expect(client.status == 0 && client.stdout.contains("PATCH pod/resize: app requests.cpu=150m, app limits.cpu=300m"), "\(client)")
        let server = try c.run(["rollout", "-f", file, "--dry-run=server"])
        #expect(server.status == 0, "\(server)")
        #expect(server.stdout.components(separatedBy: "accepted  resize app requests.cpu 100m → 150m, app limits.cpu 200m → 300m").count == 5,
                "a server dry run of each pod's resize: \(server.stdout)")
        #expect(c.server.requestLog.entries.contains { $0.path.hasSuffix("/resize") && $0.rawQuery.contains("dryRun=All") })
        c.settle()
        for pod in c.livePods(prefix: "web-") {
            #expect(Self.appSpec(pod)?[path: ["resources", "requests", "cpu"]] == "100m")
        }
        #expect(c.ourWrites.allSatisfy { $0.rawQuery.contains("dryRun") }, "\(c.ourWrites.map(\.path)) after rv \(rv)")
    }

    @Test("kill -9 in the middle of a RestartContainer resize, then resume: every pod resized, each container restarted once")
    func killThenResume() throws {
        let before = Self.web(requests: ["cpu": "100m", "memory": "64Mi"], limits: ["memory": "128Mi"], policy: Self.memoryRestarts)
        let c = try Self.cluster(before, version: "v1.33.1", traffic: false)
        defer { c.stop() }
        let facts = c.facts(prefix: "web-")
        let desired = Self.web(requests: ["cpu": "100m", "memory": "96Mi"], limits: ["memory": "192Mi"], policy: Self.memoryRestarts)
        let file = try c.writeManifest("web.yaml", desired)
        c.server.requestLog.clear()
        let run = try c.start(["rollout", "-f", file, "--grace-period", "100ms"])
        defer { run.cleanUp() }
        let deadline = Date().addingTimeInterval(20)
        while Self.resizeWrites(c).isEmpty && run.process.isRunning && Date() < deadline { usleep(500) }
        run.signal(SIGKILL)
        #expect(run.waitExit(timeout: 10) == 128 + SIGKILL, "killed mid-rollout: \(run.stderr)")
        let resume = try c.run(["resume", "deployment/web", "--pod-timeout", "20s"], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        c.settle(thenWait: 0.3)
        let log = c.server.cluster.transitions
        for (name, b) in facts {
            let pod = try #require(c.livePods(prefix: name).first)
            #expect(Self.appStatus(pod)?[path: ["resources", "limits", "memory"]] == "192Mi", "\(name) resized")
            #expect(Self.appStatus(pod)?["restartCount"]?.int == (b.restartCounts["app"] ?? 0) + 1, "\(name): restarted once")
            #expect(log.kills(container: "app", pod: name) == 1)
            #expect(PodFacts(pod).gate == "True" && PodFacts(pod).ready)
        }
        #expect(c.record(Resources.deployments, "web")?["phase"] == "complete")
    }

    @Test("A StatefulSet's NotRequired resize: revision labels and resources in place, strategy handed back")
    func statefulSet() throws {
        var db = Workloads.statefulSet(replicas: 3)
        db.setContainer("postgres", "resources", ["requests": ["cpu": "100m", "memory": "64Mi"], "limits": ["cpu": "200m"]])
        db.setContainer("postgres", "resizePolicy", Self.cpuPolicy)
        db[path: ["spec", "updateStrategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]]
        var s = RolloutScenario.make([db])
        s.server.kubernetesVersion = "v1.33.1"
        let c = try TestCluster(s)
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "db-")
        var desired = db
        desired.setContainer("postgres", "resources", ["requests": ["cpu": "250m", "memory": "64Mi"], "limits": ["cpu": "500m"]])
        let file = try c.writeManifest("db.yaml", desired)
        let r = try c.run(["rollout", "-f", file, "--pod-timeout", "20s"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        c.settle(thenWait: 0.5)
        let sts = try #require(c.object(Resources.statefulSets, "db"))
        let revision = sts[path: ["status", "updateRevision"]]?.string
        #expect(sts[path: ["spec", "updateStrategy", "type"]] == "RollingUpdate")
        for (name, b) in before {
            let pod = try #require(c.livePods(prefix: name).first)
            let status = (pod[path: ["status", "containerStatuses"]]?.array ?? []).first
            #expect(status?[path: ["resources", "requests", "cpu"]] == "250m" && status?["containerID"]?.string == b.containerIDs["postgres"], "\(name)")
            #expect(pod[path: ["metadata", "labels", "controller-revision-hash"]]?.string == revision, "\(name) carries the new revision")
            #expect(pod[path: ["metadata", "uid"]]?.string == b.uid, "\(name) not replaced")
        }
    }

    @Test("An image and cpu together: the pod leaves service once, one image patch and one resize, one restart")
    func imageAndResources() throws {
        let before = Self.web(requests: ["cpu": "100m", "memory": "64Mi"], limits: ["cpu": "200m"], policy: Self.cpuPolicy)
        let c = try Self.cluster(before, version: "v1.33.1")
        defer { c.stop() }
        let facts = c.facts(prefix: "web-")
        c.server.requestLog.clear()
        c.server.cluster.resetTraffic()
        var desired = Self.web(requests: ["cpu": "150m", "memory": "64Mi"], limits: ["cpu": "300m"], policy: Self.cpuPolicy)
        desired.setContainer("app", "image", "nginx:1.27")
        let file = try c.writeManifest("web.yaml", desired)
        let r = try c.run(["rollout", "-f", file, "--grace-period", "100ms", "--pod-timeout", "20s"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        let traffic = c.server.cluster.traffic(service: "web")
        let writes = PodWrite.of(c.ourWrites)
        let log = c.server.cluster.transitions
        for (name, b) in facts {
            let pod = try #require(c.livePods(prefix: name).first)
            let status = try #require(Self.appStatus(pod))
            #expect(status["restartCount"]?.int == (b.restartCounts["app"] ?? 0) + 1 && log.kills(container: "app", pod: name) == 1, "\(name)")
            #expect(status[path: ["resources", "requests", "cpu"]] == "150m" && Self.appSpec(pod)?["image"] == "nginx:1.27")
            #expect(writes.filter { $0.pod == name && $0.kind == .gateOff }.count == 1 && writes.filter { $0.pod == name && $0.kind == .imagePatch }.count == 1)
            #expect(Self.resizeWrites(c).filter { $0.path.contains("/pods/\(name)/") }.count == 1)
        }
        #expect(traffic.dropped == 0, "\(traffic.droppedByPod)")
        #expect(log.maxNotReady(workload: "Deployment/web") <= 1, "the image change counts against max-unavailable")
    }

    @Test("2: memory with RestartContainer: each container restarts behind the gate, no request dropped")
    func restartContainer() throws {
        let before = Self.web(requests: ["cpu": "100m", "memory": "64Mi"], limits: ["memory": "128Mi"], policy: Self.memoryRestarts)
        let c = try Self.cluster(before, version: "v1.33.1")
        defer { c.stop() }
        let facts = c.facts(prefix: "web-")
        c.server.requestLog.clear()
        c.server.cluster.resetTraffic()
        let desired = Self.web(requests: ["cpu": "100m", "memory": "96Mi"], limits: ["memory": "192Mi"], policy: Self.memoryRestarts)
        let file = try c.writeManifest("web.yaml", desired)
        let r = try c.run(["rollout", "-f", file, "--grace-period", "100ms", "--pod-timeout", "20s"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        let traffic = c.server.cluster.traffic(service: "web")
        let writes = PodWrite.of(c.ourWrites)
        for (name, b) in facts {
            let pod = try #require(c.livePods(prefix: name).first)
            let status = try #require(Self.appStatus(pod))
            #expect(status["containerID"]?.string != b.containerIDs["app"] && status["restartCount"]?.int == (b.restartCounts["app"] ?? 0) + 1,
                    "\(name): app restarted once")
            #expect(status[path: ["resources", "limits", "memory"]] == "192Mi")
            let mine = writes.filter { $0.pod == name }
            let off = try #require(mine.first { $0.kind == .gateOff })
            let resize = try #require(Self.resizeWrites(c).first { $0.path.contains("/pods/\(name)/") })
            let on = try #require(mine.first { $0.kind == .gateOn })
            #expect(off.time < resize.timestamp && resize.timestamp < on.time, "\(name): gate off, resize, gate on")
        }
        #expect(traffic.sent > 100 && traffic.dropped == 0, "\(traffic) \(traffic.droppedByPod)")
    }

    @Test("3: a request above the node's allocatable fails fast with Infeasible; --on-failure rollback restores the old resources")
    func infeasible() throws {
        let before = Self.web(requests: ["cpu": "100m", "memory": "64Mi"], limits: ["cpu": "200m"], policy: Self.cpuPolicy)
        let c = try Self.cluster(before, version: "v1.33.1", traffic: false)
        defer { c.stop() }
        let desired = Self.web(requests: ["cpu": "20", "memory": "64Mi"], limits: ["cpu": "40"], policy: Self.cpuPolicy)
        let file = try c.writeManifest("web.yaml", desired)
        let start = Date()
        let r = try c.run(["rollout", "-f", file, "--pod-timeout", "60s", "--on-failure", "rollback"], timeout: 60)
        #expect(r.status == 1, "\(r)")
        #expect(Date().timeIntervalSince(start) < 30, "failed fast, not at the pod timeout")
        #expect(r.stderr.contains("Infeasible") && r.stderr.contains("Node didn't have enough capacity"), "\(r.stderr)")
        for pod in c.livePods(prefix: "web-") {
            #expect(Self.appSpec(pod)?[path: ["resources", "requests", "cpu"]] == "100m", "rolled back: \(Self.appSpec(pod) ?? .null)")
            #expect(Self.appSpec(pod)?[path: ["resources", "limits", "cpu"]] == "200m")
        }
        let deployment = try #require(c.object(Resources.deployments, "web"))
        #expect(Self.appSpec(deployment[path: ["spec", "template"]] ?? .null)?[path: ["resources", "requests", "cpu"]] == "100m")
        #expect(deployment[path: ["spec", "paused"]]?.bool != true, "handed back to its controller")
        let status = try c.run(["status", "deployment/web"])
        #expect(status.stdout.contains("rolled back to app/limits.cpu=200m, app/requests.cpu=100m"), "\(status)")
        #expect(try c.statusJSON("deployment/web").first?["rolledBack"] == 4)
    }

    @Test("Deferred by the kubelet: shown, waited for within --pod-timeout, then the pod fails")
    func deferred() throws {
        var web = Self.web(requests: ["cpu": "3", "memory": "64Mi"], limits: ["cpu": "6"], policy: Self.cpuPolicy)
        web[path: ["spec", "replicas"]] = 2
        var s = RolloutScenario.make([web], services: ["web"], nodeCount: 1)
        s.server.kubernetesVersion = "v1.33.1"
        let c = try TestCluster(s)
        defer { c.stop() }
        c.settle()
        var desired = Self.web(requests: ["cpu": "5", "memory": "64Mi"], limits: ["cpu": "6"], policy: Self.cpuPolicy)
        desired[path: ["spec", "replicas"]] = 2
        let file = try c.writeManifest("web.yaml", desired)
        // --max-unavailable 1: 25% of 2 would surge a pod the single node has no room for.
        let r = try c.run(["rollout", "-f", file, "--pod-timeout", "3s", "--max-unavailable", "1"], timeout: 60)
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("the kubelet deferred the resize: Node didn't have enough resource: cpu"), "\(r.stderr)")
        #expect(r.stderr.contains("not ready 3s after its resize"), "\(r.stderr)")
        let applied = c.livePods(prefix: "web-").filter { Self.appStatus($0)?[path: ["resources", "requests", "cpu"]] == "5" }
        #expect(applied.count == 1, "the node had room for one of them")
    }

    @Test("4: on a 1.32 server the plan is blocked naming the version, and rollout writes nothing (exit 2)")
    func oldServer() throws {
        let before = Self.web(requests: ["cpu": "100m", "memory": "64Mi"], limits: ["cpu": "200m"], policy: Self.cpuPolicy)
        let c = try Self.cluster(before, version: "v1.32.4", traffic: false)
        defer { c.stop() }
        let desired = Self.web(requests: ["cpu": "150m", "memory": "64Mi"], limits: ["cpu": "300m"], policy: Self.cpuPolicy)
        let file = try c.writeManifest("web.yaml", desired)
        let (run, plan) = try c.planJSON(["-f", file])
        #expect(PlanSchema.violations(plan) == [])
        for pod in plan.planPods {
            #expect(pod["action"] == "blocked")
            let reason = pod["reason"]?.string ?? ""
            #expect(reason.contains("1.33") && reason.contains("v1.32.4"), "\(reason) \(run)")
        }
        c.server.requestLog.clear()
        let r = try c.run(["rollout", "-f", file], timeout: 30)
        #expect(r.status == 2, "\(r)")
        #expect(c.ourWrites.isEmpty, "\(c.ourWrites.map(\.path))")
    }

    @Test("Adding a limit is blocked at 1.33: pods/resize cannot add a resource name")
    func addedLimit() throws {
        let before = Self.web(requests: ["cpu": "100m", "memory": "64Mi"], limits: ["cpu": "200m"], policy: Self.cpuPolicy)
        let c = try Self.cluster(before, version: "v1.33.1", traffic: false)
        defer { c.stop() }
        let desired = Self.web(requests: ["cpu": "200m", "memory": "64Mi"], limits: ["cpu": "200m", "memory": "64Mi"], policy: Self.cpuPolicy)
        let file = try c.writeManifest("web.yaml", desired)
        let (_, plan) = try c.planJSON(["-f", file])
        for pod in plan.planPods {
            #expect(pod["action"] == "blocked")
            #expect((pod["reason"]?.string ?? "").contains("limits.memory"), "\(pod)")
        }
    }
}
