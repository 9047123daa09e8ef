import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("Cluster options and helpers")
struct ClusterOptionsTests {
    @Test("a scenario's cluster member sets latencies (the kubelet's sync too), image markers, slice size, kill exit code, pod generation and traffic")
    func scenarioCluster() throws {
        let doc: JSONValue = [
            "namespace": "shop",
            "cluster": [
                "latencies": ["sync": 0.4, "kill": 0.1, "pull": 0.3, "start": 0.2, "readiness": 0.3, "endpointPropagation": 0.2, "termination": 1, "crashLoopBackoff": 0.5],
                "images": ["brokenMarker": "oops", "crashMarker": "", "missing": ["a:1"], "crashing": ["b:2"]],
                "maxEndpointsPerSlice": 50, "killExitCode": 137, "podGeneration": true,
                "traffic": [["service": "web", "rate": 250, "container": "app"]],
            ],
        ]
        let s = try Scenario.from(doc)
        #expect(s.cluster.enabled)
        #expect(s.cluster.latencies == Latencies(sync: 0.4, kill: 0.1, pull: 0.3, start: 0.2, readiness: 0.3, endpointPropagation: 0.2, termination: 1, crashLoopBackoff: 0.5))
        #expect(s.cluster.images == ImageBehaviour(brokenMarker: "oops", crashMarker: "", missing: ["a:1"], crashing: ["b:2"]))
        #expect(s.cluster.maxEndpointsPerSlice == 50)
        #expect(s.cluster.killExitCode == 137)
        #expect(s.cluster.podGeneration)
        #expect(try Scenario.from(["cluster": [:]]).cluster.podGeneration == false)
        #expect(throws: KubeSimError.self) { try Scenario.from(["cluster": ["podGeneration": "yes"]]) }
        #expect(s.cluster.traffic == [TrafficSpec(service: "web", namespace: "shop", rate: 250, container: "app")])
        #expect(try Scenario.from(["cluster": ["enabled": false]]).cluster.enabled == false)
        #expect(throws: KubeSimError.self) { try Scenario.from(["cluster": ["latencies": ["pull": -1]]]) }
        #expect(throws: KubeSimError.self) { try Scenario.from(["cluster": ["latencies": ["warp": 1]]]) }
        #expect(throws: KubeSimError.self) { try Scenario.from(["cluster": ["traffic": [["rate": 1]]]]) }
    }

    @Test("images fail by marker or list; references are checked like the kubelet does")
    func imageOutcomes() {
        let b = ImageBehaviour(missing: ["quay.io/x/y:1"], crashing: ["nginx:1.25"])
        #expect(b.outcome(for: "nginx:1.26") == .runs)
        #expect(b.outcome(for: "nginx:broken") == .missing)
        #expect(b.outcome(for: "quay.io/x/y:1") == .missing)
        #expect(b.outcome(for: "docker.io/library/nginx:1.25") == .crashes)
        #expect(b.outcome(for: "ghcr.io/acme/crash-test:2") == .crashes)
        #expect(ImageBehaviour(brokenMarker: "", crashMarker: "").outcome(for: "x/broken-crash:1") == .runs)
        for good in ["nginx", "nginx:1.25", "localhost:5000/a/b:c", "registry.k8s.io/pause:3.9", "a__b/c-d.e:Tag_1", "x@sha256:" + String(repeating: "a", count: 64)] {
            #expect(ImageReferenceCheck.problem(good) == nil, "\(good)")
        }
        for bad in ["nginx::1", "nginx:", "-nginx", "a//b", "nginx:-x", "x@sha256:12", "Registry:5000x/a"] {
            #expect(ImageReferenceCheck.problem(bad) != nil, "\(bad)")
        }
        #expect(ImageReferenceCheck.problem("Nginx") == "invalid reference format: repository name must be lowercase")
    }

    @Test("Go durations print as the kubelet prints back-offs")
    func goDurations() {
        #expect(GoDuration.format(10) == "10s")
        #expect(GoDuration.format(80) == "1m20s")
        #expect(GoDuration.format(300) == "5m0s")
        #expect(GoDuration.format(0.05) == "50ms")
        #expect(GoDuration.format(2.5) == "2.5s")
        #expect(GoDuration.format(3600) == "1h0m0s")
        let l = Latencies()
        #expect((1...7).map { l.backoff(base: 10, failures: $0) } == [10, 20, 40, 80, 160, 300, 300])
    }

    @Test("the timer queue pops in deadline order, ties in insertion order, and counts foreground timers")
    func timerQueue() {
        var q = TimerQueue<Int>()
        let deadlines: [Double] = [5, 1, 3, 1, 9, 0, 7, 3]
        for (i, d) in deadlines.enumerated() { q.schedule(at: d, background: i % 2 == 0, i) }
        #expect(q.foregroundCount == 4)
        #expect(q.nextDeadline == 0)
        #expect(q.popDue(now: -1) == nil)
        var order: [Int] = []
        while let e = q.popDue(now: 100) { order.append(e.payload) }
        #expect(order == [5, 1, 3, 2, 7, 0, 6, 4])
        #expect(q.foregroundCount == 0)
        var big = TimerQueue<Int>()
        var rng = SystemRandomNumberGenerator()
        for i in 0..<10_000 { big.schedule(at: Double(rng.next() % 1000), i) }
        var last = -1.0
        var n = 0
        while let e = big.popDue(now: 1e9) {
            #expect(e.deadline >= last)
            last = e.deadline
            n += 1
        }
        #expect(n == 10_000)
    }

    @Test("the transition log answers deletions, restarts and the NotReady peak of a workload")
    func transitionQueries() {
        let log = TransitionLog()
        func add(_ pod: String, _ kind: PodTransition.Kind, workload: String = "Deployment/web") {
            log.append(PodTransition(time: Date(), elapsed: 0, namespace: "default", pod: pod, uid: "uid-" + pod, workload: workload, kind: kind, message: nil))
        }
        add("a", .observed(ready: true))
        add("b", .observed(ready: true))
        add("c", .observed(ready: false), workload: "StatefulSet/db")
        add("a", .ready(false))
        add("b", .ready(false))
        add("a", .containerStarted(container: "app", image: "x:2", restartCount: 1))
        add("a", .ready(true))
        add("b", .deleted)
        add("d", .created(ready: false))
        add("d", .containerStarted(container: "sidecar", image: "y:1", restartCount: 0))
        #expect(log.maxNotReady(workload: "Deployment/web") == 2)
        #expect(log.maxNotReady(workload: "StatefulSet/db") == 1)
        #expect(log.deletedPods() == ["b"])
        #expect(log.wasAnyPodDeleted(workload: "Deployment/web"))
        #expect(!log.wasAnyPodDeleted(workload: "StatefulSet/db"))
        #expect(log.createdPods() == ["d"])
        #expect(log.restarts(container: "app") == 1)
        #expect(log.restarts(container: "sidecar") == 0)
        #expect(log.kinds(pod: "a").count == 4)
        log.clear()
        #expect(log.entries.isEmpty)
    }
}
