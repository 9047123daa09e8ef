import Foundation
import JSON
import Testing
@testable import KubeSim

/// One test per row K1–K11 of shared/reference/behaviour.md: what a real kubelet shows in a pod's
/// status when a container's image changes, and KubeSim must show the same.
@Suite("Kubelet conformance (behaviour.md K1–K11)")
struct KubeletConformanceTests {
    static let digests = [
        "nginx:1.25": "sha256:a484819eb60211f5299034ac80f6a681b06f89e65866ce91f356ed7c72af059c",
        "nginx:1.27": "sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
        "busybox:1.36": "sha256:5eef5ed34e1e1ff0a4ae850395cbf665c4de6b4b83a32a0bc7bcb998e24e7bbb",
        "busybox:1.37": "sha256:7c3c3cea5d4d6133d6a694d23382f6a7b32652f23855abdba3eb039ca5995447",
    ]

    /// Every version of pod `name` stored after resourceVersion `rv`, oldest first.
    static func history(_ s: KubeSimServer, _ name: String, after rv: Int) throws -> [JSONValue] {
        let sub = try s.store.subscribe(.init(resources: [Resources.pods], namespace: "default"), after: rv)
        defer { sub.cancel() }
        return sub.drain().filter { $0.object.metaName == name }.map(\.object)
    }

    static func app(_ pod: JSONValue?) -> JSONValue? { Sim.containerStatus(pod, "app") }

    static func waitingReason(_ status: JSONValue?) -> String? { status?[path: ["state", "waiting", "reason"]]?.string }

    /// A Ready pod `p` on nginx:1.25 in a cluster with these latencies.
    static func readyPod(_ latencies: Latencies, podGeneration: Bool = false, pod: JSONValue = Sim.pod("p")) throws -> KubeSimServer {
        let s = try Sim.server(Scenario(imageDigests: digests), latencies: latencies) { $0.podGeneration = podGeneration }
        try Sim.create(s, pod)
        Sim.wait(s, "Ready") { Sim.isReady(Sim.get(s, pod.metaName)) }
        return s
    }

    @Test("K1: before the kubelet's next sync a spec change shows nothing new: the old container runs, Ready")
    func testK1_specChangeShowsNothingNewBeforeTheNextSync() throws {
        let s = try Self.readyPod(Latencies(sync: 1))
        defer { s.stop() }
        let before = Self.app(Sim.get(s, "p"))
        let changed = Date()
        try Sim.setImage(s, pod: "p", container: "app", image: "nginx:1.27")
        Thread.sleep(forTimeInterval: 0.2)
        let early = Sim.get(s, "p")
        #expect(Date().timeIntervalSince(changed) < 1)
        #expect(Self.app(early) == before, "the status is the old container's until the sync")
        #expect(Sim.isReady(early))
        Sim.wait(s, "restarted") { Self.app(Sim.get(s, "p"))?["restartCount"]?.int == 1 && Sim.isReady(Sim.get(s, "p")) }
        let killed = try #require(s.cluster.transitions.entries(pod: "p").first { $0.kind == .containerKilled(container: "app") })
        #expect(killed.time.timeIntervalSince(changed) >= 0.98, "the kill comes with the sync, 1 s after the change")
    }

    @Test("K2: the sync stops the old container: still running while it stops, then terminated")
    func testK2_oldContainerRunningThenTerminated() throws {
        let s = try Self.readyPod(Latencies(kill: 0.15, pull: 0.15))
        defer { s.stop() }
        let old = Self.app(Sim.get(s, "p"))
        let rv = s.store.resourceVersion
        try Sim.setImage(s, pod: "p", container: "app", image: "nginx:1.27")
        Sim.wait(s, "restarted") { Self.app(Sim.get(s, "p"))?["restartCount"]?.int == 1 }
        let statuses = try Self.history(s, "p", after: rv).compactMap(Self.app)
        let states = statuses.map { $0["state"]?.object?.keys.first ?? "" }
        let firstTerminated = try #require(states.firstIndex(of: "terminated"))
        #expect(states[..<firstTerminated].allSatisfy { $0 == "running" }, "running until it stops: \(states)")
        let terminated = statuses[firstTerminated]
        #expect(terminated["containerID"] == old?["containerID"])
        #expect(terminated[path: ["state", "terminated", "containerID"]] == old?["containerID"])
        #expect(s.cluster.transitions.entries(pod: "p").contains {
            $0.kind == .containerKilled(container: "app") && $0.message == "Container app definition changed, will be restarted"
        })
    }

    @Test("K3: while the new image is pulled the entry is the old container's: image, imageID, containerID, terminated, restartCount")
    func testK3_pullingShowsTheOldContainer() throws {
        let s = try Self.readyPod(Latencies(pull: 0.2))
        defer { s.stop() }
        let old = try #require(Self.app(Sim.get(s, "p")))
        let rv = s.store.resourceVersion
        try Sim.setImage(s, pod: "p", container: "app", image: "nginx:1.27")
        Sim.wait(s, "restarted") { Self.app(Sim.get(s, "p"))?["restartCount"]?.int == 1 }
        let pulling = try Self.history(s, "p", after: rv).compactMap(Self.app).filter { $0[path: ["state", "terminated"]] != nil }
        #expect(!pulling.isEmpty, "the old container shows terminated while the new image is pulled")
        for st in pulling {
            #expect(st["image"]?.string == "docker.io/library/nginx:1.25")
            #expect(st["imageID"] == old["imageID"])
            #expect(st["containerID"] == old["containerID"])
            #expect(st["restartCount"]?.int == 0)
            #expect(st[path: ["state", "terminated", "containerID"]] == old["containerID"])
        }
    }

    @Test("K4: a failed pull keeps the old image fields; ErrImagePull then ImagePullBackOff name the image pulled; lastState is the old termination")
    func testK4_failedPullKeepsOldImageFieldsAndNamesPulledImage() throws {
        let s = try Self.readyPod(Latencies(errImagePullHold: 0.2))
        defer { s.stop() }
        let old = try #require(Self.app(Sim.get(s, "p")))
        let rv = s.store.resourceVersion
        try Sim.setImage(s, pod: "p", container: "app", image: "nginx:broken-1")
        Sim.wait(s, "ImagePullBackOff") { Self.waitingReason(Self.app(Sim.get(s, "p"))) == "ImagePullBackOff" }
        let statuses = try Self.history(s, "p", after: rv).compactMap(Self.app)
        let reasons = statuses.compactMap(Self.waitingReason)
        #expect(reasons.first == "ErrImagePull" && reasons.last == "ImagePullBackOff", "\(reasons)")
        for st in statuses where Self.waitingReason(st) != nil {
            #expect(st["image"]?.string == "docker.io/library/nginx:1.25")
            #expect(st["imageID"] == old["imageID"])
            #expect(st["containerID"] == old["containerID"])
            #expect(st["restartCount"]?.int == 0)
            #expect(st[path: ["lastState", "terminated", "containerID"]] == old["containerID"])
        }
        let errPull = try #require(statuses.first { Self.waitingReason($0) == "ErrImagePull" })
        #expect(errPull[path: ["state", "waiting", "message"]]?.string?.contains("\"docker.io/library/nginx:broken-1\"") == true)
        let backOff = try #require(statuses.last)
        #expect(backOff[path: ["state", "waiting", "message"]]?.string == "Back-off pulling image \"nginx:broken-1\"")
    }

    @Test("K5: rolled back while the failed pull shows: the stale reason about the broken image stays until the sync, next to image fields equal to the spec")
    func testK5_rollbackKeepsStaleReasonUntilTheNextSync() throws {
        let s = try Self.readyPod(Latencies(sync: 1))
        defer { s.stop() }
        try Sim.setImage(s, pod: "p", container: "app", image: "nginx:broken-1")
        Sim.wait(s, "ImagePullBackOff") { Self.waitingReason(Self.app(Sim.get(s, "p"))) == "ImagePullBackOff" }
        try Sim.setImage(s, pod: "p", container: "app", image: "nginx:1.25")
        Thread.sleep(forTimeInterval: 0.2)
        let stale = try #require(Self.app(Sim.get(s, "p")))
        #expect(Sim.get(s, "p")?[path: ["spec", "containers"]]?[0]?["image"] == "nginx:1.25")
        #expect(Self.waitingReason(stale) == "ImagePullBackOff")
        #expect(stale[path: ["state", "waiting", "message"]]?.string == "Back-off pulling image \"nginx:broken-1\"")
        #expect(stale["image"]?.string == "docker.io/library/nginx:1.25", "the image field already equals the spec")
        Sim.wait(s, "back on the old image") { Self.app(Sim.get(s, "p"))?["restartCount"]?.int == 1 && Sim.isReady(Sim.get(s, "p")) }
    }

    @Test("K6: the new container: new containerID, the runtime's image name, its digest, restartCount + 1, running, ready after the probe")
    func testK6_newContainerHasNewIDRuntimeNameDigestAndRestartCount() throws {
        let s = try Self.readyPod(Latencies(readiness: 0.2))
        defer { s.stop() }
        let old = try #require(Self.app(Sim.get(s, "p")))
        let rv = s.store.resourceVersion
        try Sim.setImage(s, pod: "p", container: "app", image: "nginx:1.27")
        Sim.wait(s, "ready") { Self.app(Sim.get(s, "p"))?["restartCount"]?.int == 1 && Self.app(Sim.get(s, "p"))?["ready"]?.bool == true }
        let statuses = try Self.history(s, "p", after: rv).compactMap(Self.app)
        let running = try #require(statuses.first { $0[path: ["state", "running"]] != nil && $0["restartCount"]?.int == 1 })
        #expect(running["containerID"] != old["containerID"])
        #expect(running["image"]?.string == "docker.io/library/nginx:1.27")
        #expect(running["imageID"]?.string == "docker.io/library/nginx@" + Self.digests["nginx:1.27"]!)
        #expect(running["ready"]?.bool == false, "not ready before its readiness probe")
        #expect(Self.app(Sim.get(s, "p"))?["containerID"] == running["containerID"])
    }

    @Test("K7: the new container crashes: CrashLoopBackOff with lastState.terminated of the new containerID, image the new one")
    func testK7_crashShowsTheNewContainerID() throws {
        let s = try Self.readyPod(Latencies(crashLoopBackoff: 0.05))
        defer { s.stop() }
        let old = try #require(Self.app(Sim.get(s, "p")))
        try Sim.setImage(s, pod: "p", container: "app", image: "example/crash-app:2")
        Sim.wait(s, "CrashLoopBackOff") { Self.waitingReason(Self.app(Sim.get(s, "p"))) == "CrashLoopBackOff" }
        let st = try #require(Self.app(Sim.get(s, "p")))
        let last = st[path: ["lastState", "terminated", "containerID"]]
        #expect(last != nil && last != old["containerID"])
        #expect(last == st["containerID"])
        #expect(st["image"]?.string == "docker.io/example/crash-app:2")
        #expect((st["restartCount"]?.int ?? 0) >= 1)
    }

    @Test("K8: the runtime names images fully: nginx:1.27 → docker.io/library/nginx:1.27; other registries as written; no tag → latest")
    func testK8_runtimeImageNames() throws {
        #expect(ImageReference.normalized("nginx:1.27") == "docker.io/library/nginx:1.27")
        #expect(ImageReference.normalized("nginx") == "docker.io/library/nginx:latest")
        #expect(ImageReference.normalized("bitnami/redis:7") == "docker.io/bitnami/redis:7")
        #expect(ImageReference.normalized("registry.example.com/team/app:2") == "registry.example.com/team/app:2")
        let s = try Self.readyPod(.zero, pod: Sim.pod("p", image: "nginx:1.27"))
        defer { s.stop() }
        #expect(Self.app(Sim.get(s, "p"))?["image"]?.string == "docker.io/library/nginx:1.27")
        #expect(Sim.containerStatus(Sim.get(s, "p"), "sidecar")?["image"]?.string == "docker.io/library/busybox:1.36")
    }

    @Test("K9: a native sidecar whose image changes restarts in place; a completed classic init container never runs again")
    func testK9_nativeSidecarRestartsInPlace() throws {
        var pod = Sim.pod("p")
        pod[path: ["spec", "initContainers"]] = [
            ["name": "setup", "image": "busybox:1.36", "command": ["true"]],
            ["name": "proxy", "image": "busybox:1.36", "restartPolicy": "Always"],
        ]
        let s = try Self.readyPod(.zero, pod: pod)
        defer { s.stop() }
        func initStatus(_ name: String) -> JSONValue? {
            (Sim.get(s, "p")?[path: ["status", "initContainerStatuses"]]?.array ?? []).first { $0["name"]?.string == name }
        }
        let proxy = try #require(initStatus("proxy"))
        let setup = try #require(initStatus("setup"))
        let app = Self.app(Sim.get(s, "p"))
        #expect(proxy[path: ["state", "running"]] != nil && proxy["ready"]?.bool == true)
        #expect(setup[path: ["state", "terminated", "reason"]]?.string == "Completed")
        _ = try s.client.patch(Resources.pods, namespace: "default", name: "p",
                               patch: ["spec": ["initContainers": [["name": "proxy", "image": "busybox:1.37"]]]]).get()
        Sim.wait(s, "sidecar restarted") { initStatus("proxy")?["restartCount"]?.int == 1 && Sim.isReady(Sim.get(s, "p")) }
        let restarted = try #require(initStatus("proxy"))
        #expect(restarted["containerID"] != proxy["containerID"])
        #expect(restarted["image"]?.string == "docker.io/library/busybox:1.37")
        #expect(restarted["imageID"]?.string == "docker.io/library/busybox@" + Self.digests["busybox:1.37"]!)
        #expect(Self.app(Sim.get(s, "p")) == app, "the app container is untouched")
        _ = try s.client.patch(Resources.pods, namespace: "default", name: "p",
                               patch: ["spec": ["initContainers": [["name": "setup", "image": "busybox:1.37"]]]]).get()
        s.cluster.waitUntilIdle()
        #expect(initStatus("setup") == setup, "a completed init container never runs again")
        #expect(s.cluster.transitions.restarts(container: "setup") == 0)
    }

    @Test("K9: a kubelet older than 1.32 (node status.nodeInfo.kubeletVersion) leaves a running sidecar on its old image; the spec change is stored")
    func testK9_oldKubeletLeavesTheSidecarRunning() throws {
        var pod = Sim.pod("p")
        pod[path: ["spec", "initContainers"]] = [["name": "proxy", "image": "busybox:1.36", "restartPolicy": "Always"]]
        var scenario = Scenario(nodeCount: 1, imageDigests: Self.digests)
        scenario.kubeletVersions = ["node-1": "v1.31.4"]
        let s = try Sim.server(scenario, latencies: Latencies(sync: 0.05))
        defer { s.stop() }
        try Sim.create(s, pod)
        Sim.wait(s, "Ready") { Sim.isReady(Sim.get(s, "p")) }
        let node = try #require(s.store.get(Resources.nodes, namespace: "", name: "node-1"))
        #expect(node[path: ["status", "nodeInfo", "kubeletVersion"]]?.string == "v1.31.4")
        func proxy() -> JSONValue? {
            (Sim.get(s, "p")?[path: ["status", "initContainerStatuses"]]?.array ?? []).first { $0["name"]?.string == "proxy" }
        }
        let before = try #require(proxy())
        _ = try s.client.patch(Resources.pods, namespace: "default", name: "p",
                               patch: ["spec": ["initContainers": [["name": "proxy", "image": "busybox:1.37"]]]]).get()
        Thread.sleep(forTimeInterval: 0.3)
        s.cluster.waitUntilIdle()
        let spec = (Sim.get(s, "p")?[path: ["spec", "initContainers"]]?.array ?? []).first
        #expect(spec?["image"]?.string == "busybox:1.37", "the API server accepts the sidecar's new image")
        #expect(proxy() == before, "the old sidecar keeps running: same containerID, image busybox:1.36, restartCount 0")
        #expect(s.cluster.transitions.restarts(container: "proxy") == 0)
        #expect(Sim.isReady(Sim.get(s, "p")))
    }

    @Test("K10: Ready = every container ready (sidecars too) and every readiness gate True; the kubelet keeps conditions it does not own")
    func testK10_readinessNeedsContainersAndGates() throws {
        let s = try Sim.server(Scenario(imageDigests: Self.digests), latencies: Latencies(readiness: 0.3))
        defer { s.stop() }
        let rv = s.store.resourceVersion
        try Sim.create(s, Sim.pod("g", gate: true))
        try Sim.setCondition(s, pod: "g", type: "InPlaceUpdateReady", status: "True")
        try Sim.setCondition(s, pod: "g", type: "example.com/Other", status: "False")
        Sim.wait(s, "Ready") { Sim.isReady(Sim.get(s, "g")) }
        let versions = try Self.history(s, "g", after: rv)
        let gateTrueContainersNot = versions.filter {
            Sim.condition($0, "InPlaceUpdateReady")?["status"]?.string == "True" && Self.app($0)?[path: ["state", "running"]] != nil
                && Self.app($0)?["ready"]?.bool == false
        }
        #expect(!gateTrueContainersNot.isEmpty)
        #expect(gateTrueContainersNot.allSatisfy { !Sim.isReady($0) && Sim.condition($0, "Ready")?["reason"]?.string == "ContainersNotReady" },
                "the gate is True but the containers are not ready")
        try Sim.setCondition(s, pod: "g", type: "InPlaceUpdateReady", status: "False")
        Sim.wait(s, "not Ready with the gate False") { !Sim.isReady(Sim.get(s, "g")) }
        let pod = Sim.get(s, "g")
        #expect(Sim.condition(pod, "ContainersReady")?["status"]?.string == "True")
        #expect(Sim.condition(pod, "Ready")?["reason"]?.string == "ReadinessGatesNotReady")
        #expect(Sim.condition(pod, "example.com/Other")?["status"]?.string == "False", "a condition the kubelet does not own survives")
        try Sim.setCondition(s, pod: "g", type: "InPlaceUpdateReady", status: "True")
        Sim.wait(s, "Ready again") { Sim.isReady(Sim.get(s, "g")) }
    }

    @Test("K11: where pod generation is tracked it grows on spec changes and the kubelet reports the generation it synced; else neither field exists")
    func testK11_podGenerationAndObservedGeneration() throws {
        let s = try Self.readyPod(Latencies(sync: 1), podGeneration: true)
        defer { s.stop() }
        var pod = Sim.get(s, "p")
        #expect(pod?[path: ["metadata", "generation"]]?.int == 1)
        #expect(pod?[path: ["status", "observedGeneration"]]?.int == 1)
        _ = try s.client.patch(Resources.pods, namespace: "default", name: "p", patch: ["metadata": ["labels": ["extra": "1"]]]).get()
        #expect(Sim.get(s, "p")?[path: ["metadata", "generation"]]?.int == 1, "metadata changes keep the generation")
        try Sim.setImage(s, pod: "p", container: "app", image: "nginx:1.27")
        pod = Sim.get(s, "p")
        #expect(pod?[path: ["metadata", "generation"]]?.int == 2)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(Sim.get(s, "p")?[path: ["status", "observedGeneration"]]?.int == 1, "not synced yet")
        Sim.wait(s, "synced") { Sim.get(s, "p")?[path: ["status", "observedGeneration"]]?.int == 2 }
        _ = try s.client.patch(Resources.pods, namespace: "default", name: "p", patch: ["spec": ["activeDeadlineSeconds": 3600]]).get()
        #expect(Sim.get(s, "p")?[path: ["metadata", "generation"]]?.int == 3)
        Sim.wait(s, "synced a change without an image") { Sim.get(s, "p")?[path: ["status", "observedGeneration"]]?.int == 3 }

        let old = try Self.readyPod(.zero, podGeneration: false)
        defer { old.stop() }
        try Sim.setImage(old, pod: "p", container: "app", image: "nginx:1.27")
        Sim.wait(old, "restarted") { Self.app(Sim.get(old, "p"))?["restartCount"]?.int == 1 }
        #expect(Sim.get(old, "p")?[path: ["metadata", "generation"]] == nil)
        #expect(Sim.get(old, "p")?[path: ["status", "observedGeneration"]] == nil)
    }
}
