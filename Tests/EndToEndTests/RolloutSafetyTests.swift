import Foundation
import JSON
import KubeSim
import Testing

/// Issue 3's acceptance on safety: no request dropped even with slow endpoint propagation and no
/// grace period, re-tags that share a digest, broken images failing fast, refusals before any
/// write, and server-side dry runs that change nothing.
@Suite("rollout: safety")
struct RolloutSafetyTests {
    static let slowEndpoints = Latencies(kill: 0.05, pull: 0.05, start: 0.05, readiness: 0.05, endpointPropagation: 0.8)

    @Test("4: --grace-period 0 with an 800 ms endpoint propagation delay: zero dropped requests")
    func gracePeriodZeroSlowEndpoints() throws {
        let c = try TestCluster(RolloutScenario.make(
            [Workloads.deployment(replicas: 2)], services: ["web"], latencies: Self.slowEndpoints,
            traffic: [TrafficSpec(service: "web", rate: 500, container: "app")]))
        defer { c.stop() }
        c.settle()
        c.server.cluster.resetTraffic()
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "0"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        let t = c.server.cluster.traffic(service: "web")
        #expect(t.sent > 500, "\(t)")
        #expect(t.dropped == 0, "the pod was restarted only once no EndpointSlice listed it: \(t.droppedByPod)")
        #expect(c.facts(prefix: "web-").values.allSatisfy { $0.images["app"] == "nginx:1.27" && $0.ready })
    }

    @Test("4: with --grace-period 0, no pod is patched before the EndpointSlice watch has listed the slices (here stalled 1.5 s)")
    func waitsForTheSliceList() throws {
        let c = try TestCluster(RolloutScenario.make(
            [Workloads.deployment(replicas: 2)], services: ["web"],
            traffic: [TrafficSpec(service: "web", rate: 500, container: "app")]))
        defer { c.stop() }
        c.settle()
        c.server.cluster.resetTraffic()
        c.server.requestLog.clear()
        c.server.faults.stallNext(1, method: "GET", path: "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", seconds: 1.5)
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "0"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        let entries = c.server.requestLog.entries
        let sliceList = try #require(entries.first { $0.method == "GET" && $0.path.hasSuffix("/endpointslices") && !$0.rawQuery.contains("watch=true") })
        let firstPatch = try #require(PodWrite.of(entries).first { $0.kind == .imagePatch })
        #expect(firstPatch.time.timeIntervalSince(sliceList.timestamp) >= 1.5, "image patch \(firstPatch.time), slices listed from \(sliceList.timestamp)")
        #expect(c.server.cluster.traffic(service: "web").dropped == 0)
    }

    @Test("4 (control): the same without the readiness gate (--allow-missing-gate) does drop requests, so the counter can see them")
    func ungatedDrops() throws {
        var web = Workloads.deployment(replicas: 2)
        web[path: ["spec", "template", "spec", "readinessGates"]] = nil
        let c = try TestCluster(RolloutScenario.make(
            [web], services: ["web"], latencies: Self.slowEndpoints,
            traffic: [TrafficSpec(service: "web", rate: 500, container: "app")], ungated: true))
        defer { c.stop() }
        c.settle()
        c.server.cluster.resetTraffic()
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "0", "--allow-missing-gate"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        #expect(c.server.cluster.traffic(service: "web").dropped > 0)
    }

    @Test("5: a new tag that shares the old digest completes (at once, not at --pod-timeout)")
    func sharedDigest() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 2)]))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.25.5", "--grace-period", "0", "--pod-timeout", "30s"], timeout: 40)
        #expect(r.status == 0, "\(r)")
        #expect(r.seconds < 10, "\(r.seconds)s")
        for p in c.facts(prefix: "web-").values {
            #expect(p.images["app"] == "nginx:1.25.5" && p.ready && p.gate == "True")
            #expect(p.restartCounts["app"] == (before[p.name]?.restartCounts["app"] ?? 0) + 1, "restarted once: \(p)")
        }
        let imageIDs = Set(c.livePods(prefix: "web-").compactMap { pod in
            (pod[path: ["status", "containerStatuses"]]?.array ?? []).first { $0["name"] == "app" }?["imageID"]?.string
        })
        #expect(imageIDs.count == 1 && imageIDs.first?.hasSuffix(RolloutScenario.digests["nginx:1.25"]!) == true, "same digest: \(imageIDs)")
    }

    @Test("6: a broken image: exit 1 within seconds with the kubelet's reason; only that pod touched, the others Ready on the old image")
    func brokenImage() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 4)]))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        c.server.requestLog.clear()
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27-broken", "--grace-period", "0", "--pod-timeout", "2m"], timeout: 60)
        #expect(r.status == 1, "\(r)")
        #expect(r.seconds < 8, "failed fast: \(r.seconds)s")
        #expect(r.stderr.contains("ImagePullBackOff") || r.stderr.contains("ErrImagePull"), "\(r.stderr)")
        #expect(r.stderr.contains("failed: ErrImagePull: ") || r.stderr.contains("failed: ImagePullBackOff: "), "\(r.stderr)")
        #expect(r.stderr.contains("nginx:1.27-broken\""), "the kubelet's message names the image: \(r.stderr)")
        let writes = PodWrite.of(c.ourWrites)
        let touched = Set(writes.filter { $0.kind != .record }.map(\.pod))
        #expect(touched.count == 1, "gate and image written on one pod only: \(writes)")
        #expect(Set(writes.map(\.pod)).count == 1, "no other pod written, not even a record ahead of its turn: \(writes)")
        let after = c.facts(prefix: "web-")
        for (name, b) in before where !touched.contains(name) {
            #expect(after[name] == b, "\(name) untouched, with no update record")
        }
        #expect(after.values.filter { $0.ready && $0.images["app"] == "nginx:1.25" }.count == 3)
        #expect(c.record(Resources.deployments, "web")?["phase"] == "failed")
        let status = try c.statusJSON("deployment/web")
        #expect(status.first?["phase"] == "failed" && status.first?["exitCode"] == 1)
        #expect(status.first?["failed"]?[0]?["pod"]?.string.map(touched.contains) == true, "\(status)")
    }

    @Test("7: a forbidden change (env) exits 2 with zero writes")
    func forbiddenChange() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 2)]))
        defer { c.stop() }
        c.settle()
        var web = Workloads.deployment(replicas: 2, image: "nginx:1.27")
        web.setContainer("app", "env", [["name": "MODE", "value": "green"]])
        let file = try c.writeManifest("web.yaml", web)
        c.server.requestLog.clear()
        let r = try c.run(["rollout", "-f", file])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("env"), "\(r.stderr)")
        #expect(c.server.requestLog.writes.isEmpty, "\(c.server.requestLog.writes.map { "\($0.method) \($0.path)" })")
        #expect(!c.ourRequests.isEmpty, "it did read the cluster")
    }

    @Test("7: a missing readiness gate exits 2 with zero writes and names `kubectl inplace prepare`")
    func missingGate() throws {
        var web = Workloads.deployment(replicas: 2)
        web[path: ["spec", "template", "spec", "readinessGates"]] = nil
        let c = try TestCluster(RolloutScenario.make([web], ungated: true))
        defer { c.stop() }
        c.settle()
        c.server.requestLog.clear()
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("kubectl inplace prepare deployment/web"), "\(r.stderr)")
        #expect(c.server.requestLog.writes.isEmpty)
    }

    @Test("8: --dry-run=server: every write carries dryRun=All and the cluster is unchanged")
    func serverDryRun() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 3), Workloads.statefulSet(replicas: 2)]))
        defer { c.stop() }
        c.settle()
        func snapshot() -> [String: JSONValue] {
            var out: [String: JSONValue] = [:]
            for r in [Resources.pods, Resources.deployments, Resources.replicaSets, Resources.statefulSets, Resources.controllerRevisions] {
                for o in c.server.store.list(r, namespace: "default").items {
                    out["\(r.resource)/\(o[path: ["metadata", "name"]]?.string ?? "")"] = o
                }
            }
            return out
        }
        let before = snapshot()
        let rv = c.server.store.resourceVersion
        c.server.requestLog.clear()
        let file = try c.writeManifest("app.yaml", Workloads.deployment(replicas: 3, image: "nginx:1.27"),
                                       Workloads.statefulSet(replicas: 2, image: "postgres:16.3"))
        let r = try c.run(["rollout", "-f", file, "--dry-run=server"])
        #expect(r.status == 0, "\(r)")
        let writes = c.ourRequests.filter { $0.method != "GET" && !$0.isAccessReview }
        #expect(writes.count >= 2 + 3 + 2, "the workload writes and each pod's first write: \(writes.map(\.path))")
        #expect(writes.allSatisfy { $0.query["dryRun"] == "All" }, "\(writes.filter { $0.query["dryRun"] != "All" }.map(\.path))")
        #expect(writes.allSatisfy { $0.statusCode < 300 }, "the server accepted them: \(writes.map { "\($0.statusCode) \($0.path)" })")
        #expect(r.stdout.contains("accepted"), "\(r.stdout)")
        c.settle(thenWait: 0.3)
        #expect(c.server.store.resourceVersion == rv, "nothing stored")
        #expect(snapshot() == before)
    }
}
