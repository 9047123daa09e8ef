import Foundation
import JSON
import Synchronization
import Testing
@testable import InplaceCore

@Suite struct GateKeeperTests {
    static let statusPath = "/api/v1/namespaces/default/pods/%@/status"

    func newPod(_ name: String, condition: String? = nil, inFlight: Bool = false, namespace: String = "default") -> JSONValue {
        var o = Fixtures.livePod(name: name, ready: false, gateCondition: condition)
        o[path: ["metadata", "namespace"]] = .string(namespace)
        if inFlight { o[path: ["metadata", "annotations"]] = [InPlace.podStateAnnotation: "{\"rolloutID\":\"r1\"}"] }
        return o
    }

    func gateStatus(_ cluster: GateKeeperTestCluster, _ name: String, namespace: String = "default") -> String? {
        cluster.object("/api/v1/namespaces/\(namespace)/pods/\(name)").flatMap { Pod($0).condition(InPlace.gateConditionType)?["status"]?.string }
    }

    /// Waits (briefly, polling the fake) until `done` holds.
    func eventually(_ seconds: Double = 2, _ done: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if done() { return true }
            usleep(2000)
        }
        return done()
    }

    final class Log: Sendable {
        let events = Mutex<[GateKeeperEvent]>([])
        func add(_ e: GateKeeperEvent) { events.withLock { $0.append(e) } }
        var marked: [String] {
            events.withLock { $0.compactMap { if case .marked(let ns, let n, _) = $0 { return "\(ns)/\(n)" } else { return nil } } }
        }
    }

    @Test func marksExistingAndNewGatedPodsOnceAndLeavesTheRestAlone() {
        let cluster = GateKeeperTestCluster()
        cluster.put(pod: newPod("old-no-condition"))
        cluster.put(pod: newPod("ready", condition: "True"))
        cluster.put(pod: newPod("held-by-rollout", condition: "False", inFlight: true))
        cluster.put(pod: newPod("being-marked-by-rollout", inFlight: true))
        var ungated = newPod("ungated")
        ungated[path: ["spec", "readinessGates"]] = nil
        cluster.put(pod: ungated)
        let log = Log()
        let keeper = GateKeeper(cluster: cluster, scopes: [.allNamespaces()], writer: "test", onEvent: log.add)
        keeper.start()
        defer { keeper.stop() }
        #expect(eventually { gateStatus(cluster, "old-no-condition") == "True" })
        cluster.put(pod: newPod("scaled-up", namespace: "other"))
        #expect(eventually { gateStatus(cluster, "scaled-up", namespace: "other") == "True" })
        #expect(eventually { log.marked.count == 2 })
        #expect(Set(log.marked) == ["default/old-no-condition", "other/scaled-up"])
        #expect(gateStatus(cluster, "held-by-rollout") == "False")
        #expect(gateStatus(cluster, "being-marked-by-rollout") == nil)
        #expect(gateStatus(cluster, "ungated") == nil)
        #expect(cluster.writes.count == 2)
        #expect(cluster.writes.allSatisfy { $0.path.hasSuffix("/status") && $0.body[path: ["metadata", "resourceVersion"]] != nil })
        #expect(keeper.isSynced)
        #expect(keeper.pendingCount == 0)
    }

    @Test func aRolloutThatMarksThePodInFlightFirstWinsTheRace() {
        let cluster = GateKeeperTestCluster()
        cluster.put(pod: newPod("racy"))
        let path = "/api/v1/namespaces/default/pods/racy"
        let once = Mutex(true)
        // Just before the keeper's patch lands, a rollout records the pod and sets the gate False.
        cluster.beforePatch = { [weak cluster] p in
            guard p == path + "/status", once.withLock({ let first = $0; $0 = false; return first }) else { return }
            cluster?.mutate(path) { o in
                o[path: ["metadata", "annotations"]] = [InPlace.podStateAnnotation: "{}"]
                o[path: ["status", "conditions"]] = [["type": "InPlaceUpdateReady", "status": "False"]]
            }
        }
        let keeper = GateKeeper(cluster: cluster, scopes: [.namespace("default")], writer: "test", retryBase: 0.01)
        keeper.start()
        #expect(eventually { keeper.pendingCount == 0 })
        keeper.stop()
        #expect(gateStatus(cluster, "racy") == "False")
        #expect(cluster.writes.isEmpty, "the conditional patch conflicted; the re-read pod is the rollout's")
    }

    @Test func writesOnlyWhileAllowedAndCatchesUpOnResync() {
        let cluster = GateKeeperTestCluster()
        cluster.put(pod: newPod("a"))
        let allowed = Mutex(false)
        let keeper = GateKeeper(cluster: cluster, scopes: [.namespace("default")], writer: "test",
                                mayWrite: { allowed.withLock { $0 } })
        keeper.start()
        defer { keeper.stop() }
        cluster.put(pod: newPod("b"))
        #expect(eventually { keeper.pendingCount == 2 })
        usleep(50_000)
        #expect(cluster.writes.isEmpty)
        allowed.withLock { $0 = true }
        keeper.resync()
        #expect(eventually { gateStatus(cluster, "a") == "True" && gateStatus(cluster, "b") == "True" })
        #expect(cluster.writes.count == 2)
    }

    @Test func apiErrorsBackOffAndRetry() {
        let cluster = GateKeeperTestCluster()
        cluster.put(pod: newPod("a"))
        cluster.failNext("PATCH", String(format: Self.statusPath, "a"), ClusterOperationError(.transient, "503 ServiceUnavailable"))
        cluster.failNext("PATCH", String(format: Self.statusPath, "a"), ClusterOperationError(.forbidden, "403"))
        let log = Log()
        let keeper = GateKeeper(cluster: cluster, scopes: [.namespace("default")], writer: "test", onEvent: log.add, retryBase: 0.01)
        keeper.start()
        defer { keeper.stop() }
        #expect(eventually { gateStatus(cluster, "a") == "True" })
        let delays = log.events.withLock { $0.compactMap { if case .retrying(_, _, _, let d) = $0 { return d } else { return nil } } }
        #expect(delays == [0.01, 0.02])
    }

    @Test func aFailedWatchIsStartedAgainAndRelists() {
        let cluster = GateKeeperTestCluster()
        let log = Log()
        let keeper = GateKeeper(cluster: cluster, scopes: [.namespace("default")], writer: "test", onEvent: log.add, retryBase: 0.01)
        keeper.start()
        defer { keeper.stop() }
        #expect(eventually { keeper.isSynced })
        cluster.failWatches("/api/v1/namespaces/default/pods", ClusterOperationError(.transient, "watch gave up"))
        // A pod created while nobody watches is found by the relist of the restarted watch.
        cluster.put(pod: newPod("missed"))
        #expect(eventually { gateStatus(cluster, "missed") == "True" })
        #expect(cluster.watchCount == 1)
        let failed = log.events.withLock { $0.contains { if case .watchFailed = $0 { return true } else { return false } } }
        #expect(failed)
    }

    @Test func deletedAndTerminatingPodsAreDropped() {
        let cluster = GateKeeperTestCluster()
        let allowed = Mutex(false)
        let keeper = GateKeeper(cluster: cluster, scopes: [.namespace("default")], writer: "test", mayWrite: { allowed.withLock { $0 } })
        keeper.start()
        defer { keeper.stop() }
        cluster.put(pod: newPod("x"))
        #expect(eventually { keeper.pendingCount == 1 })
        cluster.mutate("/api/v1/namespaces/default/pods/x") { $0[path: ["metadata", "deletionTimestamp"]] = "2026-11-29T03:00:00Z" }
        #expect(eventually { keeper.pendingCount == 0 })
    }
}
