import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("Kubelet")
struct KubeletTests {
    static let digests = [
        "nginx:1.26": "sha256:192e88a0053c178683ca139b9d9a2afb0ad986d171fae491949fe10970dd9da9",
        "nginx:1.27": "sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
        "nginx:1.27-alias": "sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
    ]

    @Test("a new pod goes Pending → Running → Ready with container IDs, imageIDs and conditions")
    func newPod() throws {
        let s = try Sim.server(Scenario(imageDigests: Self.digests))
        defer { s.stop() }
        let created = try Sim.create(s, Sim.pod("p", image: "nginx:1.26"))
        #expect(created[path: ["status", "phase"]]?.string == "Pending")
        Sim.wait(s, "Ready") { Sim.isReady(Sim.get(s, "p")) }
        let pod = Sim.get(s, "p")
        #expect(pod?[path: ["status", "phase"]]?.string == "Running")
        #expect(pod?[path: ["spec", "nodeName"]]?.string?.hasPrefix("node-") == true)
        #expect(pod?[path: ["status", "podIP"]]?.string?.hasPrefix("10.244.") == true)
        let app = Sim.containerStatus(pod, "app")
        #expect(app?["containerID"]?.string?.hasPrefix("containerd://") == true)
        #expect(app?["containerID"]?.string?.count == 13 + 64)
        #expect(app?["imageID"]?.string == "docker.io/library/nginx@" + Self.digests["nginx:1.26"]!)
        #expect(app?["image"]?.string == "docker.io/library/nginx:1.26")
        #expect(app?["started"]?.bool == true)
        #expect(app?["restartCount"]?.int == 0)
        #expect(app?[path: ["state", "running", "startedAt"]]?.string != nil)
        let types = (pod?[path: ["status", "conditions"]]?.array ?? []).compactMap { $0["type"]?.string }
        #expect(types == ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"])
        let kinds = s.cluster.transitions.kinds(pod: "p")
        #expect(kinds.first == .created(ready: false))
        #expect(kinds.contains(.scheduled(node: pod?[path: ["spec", "nodeName"]]?.string ?? "")))
        #expect(kinds.contains(.ready(true)))
    }

    @Test("an image change restarts only that container: new containerID, restartCount+1, imageID from the table; a tag sharing the digest keeps the imageID")
    func imageChange() throws {
        let s = try Sim.server(Scenario(imageDigests: Self.digests))
        defer { s.stop() }
        try Sim.create(s, Sim.pod("p", image: "nginx:1.26"))
        Sim.wait(s, "Ready") { Sim.isReady(Sim.get(s, "p")) }
        let before = Sim.get(s, "p")
        let oldApp = Sim.containerStatus(before, "app")
        try Sim.setImage(s, pod: "p", container: "app", image: "nginx:1.27")
        Sim.wait(s, "restart") { Sim.containerStatus(Sim.get(s, "p"), "app")?["restartCount"]?.int == 1 && Sim.isReady(Sim.get(s, "p")) }
        let mid = Sim.get(s, "p")
        let app = Sim.containerStatus(mid, "app")
        #expect(app?["containerID"] != oldApp?["containerID"])
        #expect(app?["imageID"]?.string == "docker.io/library/nginx@" + Self.digests["nginx:1.27"]!)
        #expect(app?["image"]?.string == "docker.io/library/nginx:1.27")
        #expect(app?[path: ["lastState", "terminated", "containerID"]] == oldApp?["containerID"])
        #expect(app?[path: ["lastState", "terminated", "exitCode"]]?.int == 0)
        #expect(app?[path: ["lastState", "terminated", "reason"]]?.string == "Completed")
        #expect(Sim.containerStatus(mid, "sidecar") == Sim.containerStatus(before, "sidecar"))

        try Sim.setImage(s, pod: "p", container: "app", image: "nginx:1.27-alias")
        Sim.wait(s, "second restart") { Sim.containerStatus(Sim.get(s, "p"), "app")?["restartCount"]?.int == 2 && Sim.isReady(Sim.get(s, "p")) }
        let after = Sim.get(s, "p")
        let alias = Sim.containerStatus(after, "app")
        #expect(alias?["imageID"] == app?["imageID"])
        #expect(alias?["containerID"] != app?["containerID"])
        #expect(alias?["image"]?.string == "docker.io/library/nginx:1.27-alias")
        #expect(Sim.containerStatus(after, "sidecar") == Sim.containerStatus(before, "sidecar"))
        #expect(after?.metaUID == before?.metaUID)
        let log = s.cluster.transitions
        #expect(log.restarts(container: "sidecar") == 0)
        #expect(log.kills(container: "sidecar") == 0)
        #expect(log.restarts(container: "app", pod: "p") == 2)
        let kills = log.entries(pod: "p").filter { $0.kind == .containerKilled(container: "app") }
        #expect(kills.map(\.message) == Array(repeating: "Container app definition changed, will be restarted", count: 2))
    }

    @Test("labels and annotations changed on a running pod restart nothing: same containerIDs and restartCounts, no kill, generation unchanged, still Ready")
    func metadataChangeRestartsNothing() throws {
        let s = try Sim.server(Scenario(imageDigests: Self.digests))
        defer { s.stop() }
        try Sim.create(s, Sim.pod("p", image: "nginx:1.26", labels: ["app": "x", "tier": "front"]))
        Sim.wait(s, "Ready") { Sim.isReady(Sim.get(s, "p")) }
        let before = Sim.get(s, "p")
        let patched = try s.client.patch(Resources.pods, namespace: "default", name: "p", patch: [
            "metadata": ["labels": ["app.kubernetes.io/version": "2.0", "tier": .null], "annotations": ["checksum/config": "abc", "team": "b"]],
        ]).get()
        #expect(patched[path: ["metadata", "labels"]] == ["app": "x", "app.kubernetes.io/version": "2.0"])
        #expect(patched[path: ["metadata", "annotations", "team"]] == "b")
        #expect(patched[path: ["metadata", "generation"]] == before?[path: ["metadata", "generation"]], "metadata is not spec")
        // The sidecar's image change is the canary: once the kubelet has restarted it, it has synced the labelled pod too.
        try Sim.setImage(s, pod: "p", container: "sidecar", image: "busybox:1.37")
        Sim.wait(s, "sidecar restart") { Sim.containerStatus(Sim.get(s, "p"), "sidecar")?["restartCount"]?.int == 1 && Sim.isReady(Sim.get(s, "p")) }
        let after = Sim.get(s, "p")
        #expect(Sim.containerStatus(after, "app")?["containerID"] == Sim.containerStatus(before, "app")?["containerID"])
        #expect(Sim.containerStatus(after, "app")?["restartCount"] == 0)
        #expect(s.cluster.transitions.kills(container: "app", pod: "p") == 0)
        #expect(s.cluster.transitions.restarts(container: "app", pod: "p") == 0)
        #expect(after?.metaUID == before?.metaUID)
    }

    @Test("a busy simulation does not stretch the kubelet: a restart's latencies count from the image change, not from when the simulation got to it")
    func latenciesCountFromTheCause() throws {
        let s = try Sim.server(Scenario(imageDigests: Self.digests), latencies: Latencies(kill: 0.1, pull: 0.1, start: 0.1, readiness: 0.1))
        defer { s.stop() }
        try Sim.create(s, Sim.pod("p", image: "nginx:1.26"))
        Sim.wait(s, "Ready") { Sim.isReady(Sim.get(s, "p")) }
        // The simulation is held up for 300 ms right when the image changes.
        s.cluster.suspend()
        let changed = Date()
        try Sim.setImage(s, pod: "p", container: "app", image: "nginx:1.27")
        Thread.sleep(forTimeInterval: 0.3)
        s.cluster.resume()
        Sim.wait(s, "ready on the new image") {
            let app = Sim.containerStatus(Sim.get(s, "p"), "app")
            return app?["restartCount"]?.int == 1 && app?["ready"]?.bool == true
        }
        let ready = try #require(s.cluster.transitions.entries(pod: "p").last {
            if case .containerReady("app", true) = $0.kind { return true }
            return false
        })
        let took = ready.time.timeIntervalSince(changed)
        #expect(took >= 0.4 && took < 0.6, "kill + pull + start + ready = 400 ms from the change, not 300 ms later: \(took)")
    }

    @Test("Ready follows ContainersReady and the readiness gates, with the kubelet's messages")
    func readinessGates() throws {
        let s = try Sim.server()
        defer { s.stop() }
        try Sim.create(s, Sim.pod("g", gate: true))
        Sim.wait(s, "containers ready") { Sim.condition(Sim.get(s, "g"), "ContainersReady")?["status"]?.string == "True" && Sim.condition(Sim.get(s, "g"), "Ready") != nil }
        s.cluster.waitUntilIdle()
        var pod = Sim.get(s, "g")
        var ready = Sim.condition(pod, "Ready")
        #expect(ready?["status"]?.string == "False")
        #expect(ready?["reason"]?.string == "ReadinessGatesNotReady")
        #expect(ready?["message"]?.string == "corresponding condition of pod readiness gate \"InPlaceUpdateReady\" does not exist.")
        let containersReadyTime = Sim.condition(pod, "ContainersReady")?["lastTransitionTime"]

        try Sim.setCondition(s, pod: "g", type: "InPlaceUpdateReady", status: "False")
        Sim.wait(s, "gate False message") { Sim.condition(Sim.get(s, "g"), "Ready")?["message"]?.string?.contains("is not") == true }
        ready = Sim.condition(Sim.get(s, "g"), "Ready")
        #expect(ready?["status"]?.string == "False")
        #expect(ready?["message"]?.string == "the status of pod readiness gate \"InPlaceUpdateReady\" is not \"True\", but False")

        try Sim.setCondition(s, pod: "g", type: "InPlaceUpdateReady", status: "True")
        Sim.wait(s, "Ready") { Sim.isReady(Sim.get(s, "g")) }
        pod = Sim.get(s, "g")
        #expect(Sim.condition(pod, "Ready")?["reason"] == nil)
        #expect(Sim.condition(pod, "ContainersReady")?["lastTransitionTime"] == containersReadyTime)

        try Sim.setCondition(s, pod: "g", type: "InPlaceUpdateReady", status: "False")
        Sim.wait(s, "NotReady again") { !Sim.isReady(Sim.get(s, "g")) }
        let kinds = s.cluster.transitions.kinds(pod: "g")
        #expect(kinds.contains(.condition(type: "InPlaceUpdateReady", status: "False")))
        #expect(kinds.filter { $0 == .ready(true) }.count == 1)
        #expect(kinds.last == .ready(false))
    }

    @Test("a condition set by a client survives the kubelet's status writes during a restart")
    func foreignConditionSurvives() throws {
        let s = try Sim.server()
        defer { s.stop() }
        try Sim.create(s, Sim.pod("c", gate: true))
        try Sim.setCondition(s, pod: "c", type: "InPlaceUpdateReady", status: "True")
        Sim.wait(s, "Ready") { Sim.isReady(Sim.get(s, "c")) }
        let set = Sim.condition(Sim.get(s, "c"), "InPlaceUpdateReady")
        try Sim.setImage(s, pod: "c", container: "app", image: "nginx:1.27")
        Sim.wait(s, "restarted and Ready") { Sim.containerStatus(Sim.get(s, "c"), "app")?["restartCount"]?.int == 1 && Sim.isReady(Sim.get(s, "c")) }
        let pod = Sim.get(s, "c")
        #expect(Sim.condition(pod, "InPlaceUpdateReady") == set)
        #expect(s.cluster.transitions.kinds(pod: "c").contains(.ready(false)))
    }

    @Test("a missing image: ErrImagePull, then ImagePullBackOff with the kubelet's messages; the pod stays Pending")
    func brokenImage() throws {
        let s = try Sim.server()
        defer { s.stop() }
        try Sim.create(s, Sim.pod("b", image: "nginx:broken-tag"))
        Sim.wait(s, "ImagePullBackOff") {
            Sim.containerStatus(Sim.get(s, "b"), "app")?[path: ["state", "waiting", "reason"]]?.string == "ImagePullBackOff"
                && Sim.containerStatus(Sim.get(s, "b"), "sidecar")?["ready"]?.bool == true
        }
        let pod = Sim.get(s, "b")
        let app = Sim.containerStatus(pod, "app")
        #expect(app?[path: ["state", "waiting", "message"]]?.string == "Back-off pulling image \"nginx:broken-tag\"")
        #expect(app?["ready"]?.bool == false)
        #expect(app?["image"]?.string == "nginx:broken-tag")
        #expect(app?["imageID"]?.string == "")
        #expect(pod?[path: ["status", "phase"]]?.string == "Pending")
        #expect(Sim.condition(pod, "Ready")?["message"]?.string == "containers with unready status: [app]")
        let errPull = s.cluster.transitions.entries(pod: "b").first { $0.kind == .containerWaiting(container: "app", reason: "ErrImagePull") }
        #expect(
            errPull?.message
                == "rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:broken-tag\": failed to resolve reference \"docker.io/library/nginx:broken-tag\": docker.io/library/nginx:broken-tag: not found"
        )
    }

    @Test("a broken image patched into a running pod leaves that container waiting with its last termination; listed missing images fail too")
    func brokenUpdate() throws {
        let s = try Sim.server(images: ImageBehaviour(missing: ["registry.example.com/app:2"]))
        defer { s.stop() }
        try Sim.create(s, Sim.pod("r"))
        Sim.wait(s, "Ready") { Sim.isReady(Sim.get(s, "r")) }
        try Sim.setImage(s, pod: "r", container: "app", image: "registry.example.com/app:2")
        Sim.wait(s, "ErrImagePull") {
            let w = Sim.containerStatus(Sim.get(s, "r"), "app")?[path: ["state", "waiting", "reason"]]?.string
            return w == "ErrImagePull" || w == "ImagePullBackOff"
        }
        let pod = Sim.get(s, "r")
        let app = Sim.containerStatus(pod, "app")
        #expect(app?[path: ["lastState", "terminated", "reason"]]?.string == "Completed")
        #expect(app?["restartCount"]?.int == 0)
        #expect(pod?[path: ["status", "phase"]]?.string == "Running")
        #expect(!Sim.isReady(pod))
        #expect(Sim.containerStatus(pod, "sidecar")?["ready"]?.bool == true)
    }

    @Test("an invalid image reference is InvalidImageName with the kubelet's message")
    func invalidImage() throws {
        let s = try Sim.server()
        defer { s.stop() }
        try Sim.create(s, Sim.pod("i", image: "NGINX:1.25"))
        Sim.wait(s, "InvalidImageName") { Sim.containerStatus(Sim.get(s, "i"), "app")?[path: ["state", "waiting", "reason"]]?.string == "InvalidImageName" }
        #expect(
            Sim.containerStatus(Sim.get(s, "i"), "app")?[path: ["state", "waiting", "message"]]?.string
                == "Failed to apply default image tag \"NGINX:1.25\": couldn't parse image reference \"NGINX:1.25\": invalid reference format: repository name must be lowercase"
        )
        try Sim.setImage(s, pod: "i", container: "app", image: "nginx::1")
        Sim.wait(s, "second InvalidImageName") {
            Sim.containerStatus(Sim.get(s, "i"), "app")?[path: ["state", "waiting", "message"]]?.string
                == "Failed to apply default image tag \"nginx::1\": couldn't parse image reference \"nginx::1\": invalid reference format"
        }
        try Sim.setImage(s, pod: "i", container: "app", image: "nginx:1.25")
        Sim.wait(s, "fixed") { Sim.isReady(Sim.get(s, "i")) }
    }

    @Test("a crashing image exits with code 1 and goes into CrashLoopBackOff with a growing restart count and back-off")
    func crashLoop() throws {
        let s = try Sim.server(latencies: Latencies(crashLoopBackoff: 0.01))
        defer { s.stop() }
        try Sim.create(s, Sim.pod("x", image: "example/crash-app:1"))
        Sim.wait(s, "three restarts") { (Sim.containerStatus(Sim.get(s, "x"), "app")?["restartCount"]?.int ?? 0) >= 3 }
        Sim.wait(s, "CrashLoopBackOff") { Sim.containerStatus(Sim.get(s, "x"), "app")?[path: ["state", "waiting", "reason"]]?.string == "CrashLoopBackOff" }
        let pod = Sim.get(s, "x")
        let app = Sim.containerStatus(pod, "app")
        #expect(app?[path: ["lastState", "terminated", "exitCode"]]?.int == 1)
        #expect(app?[path: ["lastState", "terminated", "reason"]]?.string == "Error")
        let message = app?[path: ["state", "waiting", "message"]]?.string ?? ""
        #expect(message.hasPrefix("back-off ") && message.hasSuffix(" restarting failed container=app pod=x_default(\(pod?.metaUID ?? ""))"))
        let messages = s.cluster.transitions.entries(pod: "x").filter { $0.kind == .containerWaiting(container: "app", reason: "CrashLoopBackOff") }.compactMap(\.message)
        #expect(messages.prefix(2).map { $0.split(separator: " ")[1] } == ["10ms", "20ms"])
        #expect(!s.cluster.transitions.kinds(pod: "x").contains(.containerReady(container: "app", ready: true)))
        #expect(Sim.containerStatus(pod, "sidecar")?["restartCount"]?.int == 0)
    }

    @Test("deleting a pod: gone at once without a termination latency, after it with one")
    func deletion() throws {
        let s = try Sim.server(latencies: Latencies(termination: 0.15))
        defer { s.stop() }
        try Sim.create(s, Sim.pod("d"))
        Sim.wait(s, "Ready") { Sim.isReady(Sim.get(s, "d")) }
        let started = Date()
        _ = try s.client.delete(Resources.pods, namespace: "default", name: "d").get()
        #expect(Sim.get(s, "d")?[path: ["metadata", "deletionTimestamp"]] != nil)
        Sim.wait(s, "gone") { Sim.get(s, "d") == nil }
        #expect(Date().timeIntervalSince(started) >= 0.14)
        let kinds = s.cluster.transitions.kinds(pod: "d")
        #expect(kinds.contains(.containerKilled(container: "app")))
        #expect(kinds.last == .deleted)

        let quick = try Sim.server()
        defer { quick.stop() }
        try Sim.create(quick, Sim.pod("q"))
        _ = try quick.client.delete(Resources.pods, namespace: "default", name: "q").get()
        #expect(Sim.get(quick, "q") == nil)
    }

    @Test("a terminated pod with a finalizer stays until the finalizer is removed")
    func finalizers() throws {
        let s = try Sim.server(latencies: Latencies(termination: 0.05))
        defer { s.stop() }
        var pod = Sim.pod("f")
        pod[path: ["metadata", "finalizers"]] = ["example.com/hold"]
        try Sim.create(s, pod)
        Sim.wait(s, "Ready") { Sim.isReady(Sim.get(s, "f")) }
        _ = try s.client.delete(Resources.pods, namespace: "default", name: "f").get()
        Sim.wait(s, "terminated") { Sim.get(s, "f")?[path: ["metadata", "deletionGracePeriodSeconds"]]?.int == 0 }
        #expect(s.cluster.transitions.kinds(pod: "f").contains(.containerExited(container: "app", exitCode: 0)))
        #expect(!s.cluster.transitions.wasAnyPodDeleted())
        _ = try s.client.patch(Resources.pods, namespace: "default", name: "f", patch: ["metadata": ["finalizers": .null]], type: "application/merge-patch+json").get()
        Sim.wait(s, "gone") { Sim.get(s, "f") == nil }
        #expect(s.cluster.transitions.deletedPods() == ["f"])
    }

    @Test("latencies: a container is ready no sooner than pull + start + readiness after its pod was created")
    func latencies() throws {
        let s = try Sim.server(latencies: Latencies(pull: 0.04, start: 0.03, readiness: 0.03))
        defer { s.stop() }
        let t0 = Date()
        try Sim.create(s, Sim.pod("l"))
        Sim.wait(s, "Ready") { Sim.isReady(Sim.get(s, "l")) }
        #expect(Date().timeIntervalSince(t0) >= 0.1)
        let entries = s.cluster.transitions.entries(pod: "l")
        let created = entries.first { $0.kind == .created(ready: false) }!.elapsed
        let started = entries.first { $0.kind == .containerStarted(container: "app", image: "nginx:1.25", restartCount: 0) }!.elapsed
        #expect(started - created >= 0.069)
    }
}
