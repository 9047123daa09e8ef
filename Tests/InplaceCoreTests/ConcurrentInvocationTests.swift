import Foundation
import JSON
import Synchronization
import Testing
@testable import InplaceCore

/// Issue 12: the workloads of one invocation roll at once; a failure stops new pods everywhere; the
/// rollback takes the failed workloads back (all with `rollbackAll`); what they share (watches,
/// PodDisruptionBudgets) is shared once. Over the in-memory cluster, with scripted rollouts.
@Suite struct ConcurrentInvocationTests {
    static func ref(_ name: String) -> WorkloadRef { WorkloadRef(kind: .deployment, namespace: "default", name: name) }

    /// A Deployment `name` whose record (phase `phase`) names the images to roll back to.
    static func deployment(_ name: String, phase: RolloutRecord.Phase = .running) -> JSONValue {
        var d = RolloutInvocationTests.failedDeployment(paused: false, phase: phase)
        d[path: ["metadata", "name"]] = .string(name)
        d[path: ["metadata", "uid"]] = .string("uid-\(name)")
        return d
    }

    /// Workloads `names` in the cluster, planned with one pod to update each.
    static func targets(_ cluster: GateKeeperTestCluster, _ names: [String], rollback: Bool = false) -> [RolloutInvocation.Target] {
        names.map { name in
            cluster.put(ref(name).path, deployment(name))
            let plan = WorkloadPlan(ref: ref(name), pods: [PodPlan(name: "\(name)-1", action: .update,
                changes: [ImageChange(container: "app", from: "nginx:1.25", to: "nginx:1.27")])], maxUnavailable: 1)
            var settings = RolloutSettings()
            settings.rollbackOnFailure = rollback
            return .init(planned: PlanBuilder.Planned(workload: Workload(kind: .deployment, object: deployment(name)),
                                                      desiredTemplate: Fixtures.template, plan: plan), settings: settings)
        }
    }

    /// Counts the runs in flight and the most at once.
    final class Gauge: Sendable {
        let state = Mutex<(now: Int, most: Int, order: [String])>((0, 0, []))
        func enter(_ name: String) { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now); $0.order.append(name) } }
        func leave() { state.withLock { $0.now -= 1 } }
        var most: Int { state.withLock { $0.most } }
        var order: [String] { state.withLock { $0.order } }
    }

    @Test("by default every workload rolls at once: each run waits until all have started, which only concurrent runs reach")
    func allAtOnce() {
        let cluster = GateKeeperTestCluster()
        let gauge = Gauge()
        var invocation = RolloutInvocation(cluster: cluster, observer: Recorder(), program: "k", timeout: 0)
        invocation.runner = { run in
            gauge.enter(run.workload.name)
            defer { gauge.leave() }
            let deadline = Date().addingTimeInterval(5)
            while gauge.most < 4 && Date() < deadline { usleep(1000) }
            return RolloutOutcome(result: .complete, updated: 1)
        }
        let result = invocation.run(Self.targets(cluster, ["a", "b", "c", "d"]))
        #expect(gauge.most == 4)
        #expect(result.exitCode == 0)
        #expect(result.entries.map(\.ref.name) == ["a", "b", "c", "d"], "the result keeps the order given")
    }

    @Test("--concurrency 1 keeps the order given, one at a time; --concurrency 2 runs two at once")
    func boundedConcurrency() {
        let cluster = GateKeeperTestCluster()
        for (width, expected) in [(1, 1), (2, 2)] {
            let gauge = Gauge()
            var invocation = RolloutInvocation(cluster: cluster, observer: Recorder(), program: "k", timeout: 0)
            invocation.concurrency = width
            invocation.runner = { run in
                gauge.enter(run.workload.name)
                defer { gauge.leave() }
                usleep(50_000)
                return RolloutOutcome(result: .complete, updated: 1)
            }
            _ = invocation.run(Self.targets(cluster, ["a", "b", "c", "d"]))
            #expect(gauge.most == expected)
            if width == 1 { #expect(gauge.order == ["a", "b", "c", "d"]) }
        }
    }

    @Test("a pod failure in one workload stops new pods in the others at once (their own controls, not the invocation's), the most severe result decides")
    func failureStopsTheOthers() throws {
        let cluster = GateKeeperTestCluster()
        let recorder = Recorder()
        let stops = Mutex<[String: RolloutControl.StopReason]>([:])
        let started = Gauge()
        var invocation = RolloutInvocation(cluster: cluster, observer: recorder, program: "k", timeout: 0)
        let observer = invocation.observer
        invocation.runner = { run in
            started.enter(run.workload.name)
            let deadline = Date().addingTimeInterval(5)
            while started.order.count < 3 && Date() < deadline { usleep(1000) }
            if run.workload.name == "b" {
                observer.handle(.podFailed(run.workload.ref, pod: "b-1", reason: "ErrImagePull", message: "no such image"))
                return RolloutOutcome(result: .failed, failed: ["b-1"], message: "b-1: ErrImagePull")
            }
            // The others wait for a stop, as a rollout whose pods are in flight would.
            while run.control.stopReason == nil && Date() < deadline { usleep(1000) }
            let reason = run.control.stopReason
            if let reason { stops.withLock { $0[run.workload.name] = reason } }
            return RolloutOutcome(result: reason == nil ? .complete : .paused, updated: 1, message: reason?.recordMessage)
        }
        let result = invocation.run(Self.targets(cluster, ["a", "b", "c"]))
        #expect(stops.withLock { $0 } == ["a": .paused("stopped: deployment/b failed"), "c": .paused("stopped: deployment/b failed")])
        #expect(invocation.control.stopReason == nil, "the invocation itself is not stopped: only the workloads' own controls")
        #expect(result.exitCode == 1)
        #expect(result.entries.map(\.outcome.result) == [.paused, .failed, .paused])
        let steps = result.nextSteps.joined(separator: "\n")
        #expect(steps.contains("k resume deployment/a") && steps.contains("k resume deployment/c"), "\(steps)")
    }

    @Test("a pause of one workload (its record) stops that one only")
    func pauseIsPerWorkload() {
        let cluster = GateKeeperTestCluster()
        let started = Gauge()
        var invocation = RolloutInvocation(cluster: cluster, observer: Recorder(), program: "k", timeout: 0)
        invocation.runner = { run in
            started.enter(run.workload.name)
            let deadline = Date().addingTimeInterval(5)
            while started.order.count < 2 && Date() < deadline { usleep(1000) }
            if run.workload.name == "a" { run.control.requestStop(.paused("paused by someone")) }
            usleep(100_000)
            return RolloutOutcome(result: run.control.stopReason == nil ? .complete : .paused)
        }
        let result = invocation.run(Self.targets(cluster, ["a", "b"]))
        #expect(result.entries.map(\.outcome.result) == [.paused, .complete])
        #expect(result.exitCode == 4)
    }

    /// Runs `a` (fails) and `b` (completes) with rollback on failure; returns the workloads rolled back.
    func rolledBack(all: Bool) throws -> [String] {
        let cluster = GateKeeperTestCluster()
        let backs = Mutex<[String]>([])
        let started = Gauge()
        var invocation = RolloutInvocation(cluster: cluster, observer: Recorder(), program: "k", timeout: 0)
        invocation.rollbackAll = all
        invocation.runner = { run in
            if run.rollbackOf != nil {
                backs.withLock { $0.append(run.workload.name) }
                return RolloutOutcome(result: .complete, updated: 1)
            }
            started.enter(run.workload.name)
            let deadline = Date().addingTimeInterval(5)
            while started.order.count < 2 && Date() < deadline { usleep(1000) }
            if run.workload.name == "a" { return RolloutOutcome(result: .failed, updated: 1, failed: ["a-1"], message: "a-1: ErrImagePull") }
            return RolloutOutcome(result: .complete, updated: 1)
        }
        invocation.planner = { target, _ in
            guard case .images(let images) = target.source else { throw RolloutError.precondition("not images") }
            let plan = WorkloadPlan(ref: target.ref, pods: [], maxUnavailable: 1)
            _ = images
            return PlanBuilder.Planned(workload: Workload(kind: .deployment, object: try cluster.get(target.ref.path)),
                                       desiredTemplate: Fixtures.template, plan: plan)
        }
        let result = invocation.run(Self.targets(cluster, ["a", "b"], rollback: true))
        #expect(result.exitCode == 1)
        return backs.withLock { $0 }.sorted()
    }

    @Test("--on-failure rollback rolls back only the failed workload; --rollback-all every workload that updated pods")
    func rollbackScope() throws {
        #expect(try rolledBack(all: false) == ["a"])
        #expect(try rolledBack(all: true) == ["a", "b"])
    }

    /// Subscribes to the default namespace's pods labelled `app=APP`, handing each event to `record`
    /// as a line ("synced a,b", "added a", "modified a", "deleted a").
    static func subscribe(_ shared: SharedWatches, app: String, record: @escaping @Sendable (String) -> Void) -> any WatchStopping {
        shared.watch("/api/v1/namespaces/default/pods", filter: { $0.labels["app"] == app }) { event in
            let line: String
            switch event {
            case .synced(let items): line = "synced " + items.compactMap { $0[path: ["metadata", "name"]]?.string }.sorted().joined(separator: ",")
            case .added(let o): line = "added " + (o[path: ["metadata", "name"]]?.string ?? "")
            case .modified(let o): line = "modified " + (o[path: ["metadata", "name"]]?.string ?? "")
            case .deleted(let o): line = "deleted " + (o[path: ["metadata", "name"]]?.string ?? "")
            case .failed: line = "failed"
            }
            record(line)
        }
    }

    @Test("shared watches: one watch per collection whatever the subscribers; each sees only what its filter matches, an object leaving it is deleted for it")
    func sharedWatches() {
        let cluster = GateKeeperTestCluster()
        cluster.put(pod: Fixtures.livePod(name: "web-1"))
        var other = Fixtures.livePod(name: "api-1")
        other[path: ["metadata", "labels", "app"]] = "api"
        cluster.put(pod: other)
        let shared = SharedWatches(cluster: cluster)
        let seen = Mutex<[String: [String]]>([:])
        func subscribe(_ app: String) -> any WatchStopping {
            Self.subscribe(shared, app: app) { line in seen.withLock { $0[app, default: []].append(line) } }
        }
        let web = subscribe("web"), api = subscribe("api")
        #expect(cluster.watchCount == 1, "one watch for both")
        cluster.mutate("/api/v1/namespaces/default/pods/web-1") { $0[path: ["metadata", "labels", "app"]] = "api" }
        #expect(seen.withLock { $0 } == ["web": ["synced web-1", "deleted web-1"], "api": ["synced api-1", "added web-1"]])
        web.stop(); api.stop()
        shared.close()
        #expect(cluster.watchCount == 0)
    }

    @Test("shared watches: an object's later events go to the subscribers its labels matched without asking their filters again; new labels ask them again, a new subscriber joins the routes it matches, a stopped one hears nothing")
    func sharedWatchRoutes() {
        let cluster = GateKeeperTestCluster()
        cluster.put(pod: Fixtures.livePod(name: "web-1"))
        let shared = SharedWatches(cluster: cluster)
        let asked = Mutex(0)
        let seen = Mutex<[String: [String]]>([:])
        func subscribe(_ app: String?) -> any WatchStopping {
            let name = app ?? "all"
            return shared.watch("/api/v1/namespaces/default/pods", filter: { meta in
                asked.withLock { $0 += 1 }
                return app.map { meta.labels["app"] == $0 } ?? true
            }) { event in
                let line: String
                switch event {
                case .synced(let items): line = "synced \(items.count)"
                case .added(let o): line = "added " + (o[path: ["metadata", "resourceVersion"]]?.string ?? "")
                case .modified: line = "modified"
                case .deleted: line = "deleted"
                case .failed: line = "failed"
                }
                seen.withLock { $0[name, default: []].append(line) }
            }
        }
        let path = "/api/v1/namespaces/default/pods/web-1"
        let web = subscribe("web"), api = subscribe("api")
        asked.withLock { $0 = 0 }
        for i in 0..<3 { cluster.mutate(path) { $0[path: ["status", "message"]] = .string("m\(i)") } }
        #expect(asked.withLock { $0 } == 2, "the first event asks both filters, the next two neither")
        #expect(seen.withLock { $0["web"] } == ["synced 1", "modified", "modified", "modified"] && seen.withLock { $0["api"] } == ["synced 0"])

        cluster.mutate(path) { $0[path: ["metadata", "labels", "app"]] = "api" }
        #expect(asked.withLock { $0 } == 4, "new labels ask both again")
        #expect(seen.withLock { $0["web"]?.last } == "deleted" && seen.withLock { $0["api"]?.count } == 2)

        let all = subscribe(nil), other = subscribe("other")
        asked.withLock { $0 = 0 }
        cluster.mutate(path) { $0[path: ["status", "message"]] = "after" }
        #expect(asked.withLock { $0 } == 0, "a new subscriber joins the routes of the objects it matched: no filter is asked again")
        #expect(seen.withLock { $0["all"] } == ["synced 1", "modified"] && seen.withLock { $0["api"]?.last } == "modified")
        #expect(seen.withLock { $0["other"] } == ["synced 0"], "one that matched nothing hears nothing")
        other.stop()

        api.stop()
        cluster.mutate(path) { $0[path: ["status", "message"]] = "stopped" }
        #expect(seen.withLock { $0["api"]?.count } == 3 && seen.withLock { $0["all"]?.count } == 3, "a stopped subscriber hears nothing more")
        web.stop(); all.stop()
        shared.close()
    }

    @Test("shared watches: a deleted object's place goes to the next new one, which each subscriber sees as added only if it matches; a name deleted and made again is added again")
    func sharedWatchesReuseDeletedPlaces() {
        let cluster = GateKeeperTestCluster()
        cluster.put(pod: Fixtures.livePod(name: "web-1"))
        cluster.put(pod: Fixtures.livePod(name: "web-2"))
        let shared = SharedWatches(cluster: cluster)
        let seen = Mutex<[String: [String]]>([:])
        func subscribe(_ app: String) -> any WatchStopping {
            Self.subscribe(shared, app: app) { line in seen.withLock { $0[app, default: []].append(line) } }
        }
        let web = subscribe("web"), api = subscribe("api")
        cluster.delete("/api/v1/namespaces/default/pods/web-1")
        var other = Fixtures.livePod(name: "api-1")
        other[path: ["metadata", "labels", "app"]] = "api"
        cluster.put(pod: other)
        cluster.mutate("/api/v1/namespaces/default/pods/api-1") { $0[path: ["status", "message"]] = "m" }
        cluster.put(pod: Fixtures.livePod(name: "web-1"))
        cluster.mutate("/api/v1/namespaces/default/pods/web-2") { $0[path: ["status", "message"]] = "m" }
        #expect(seen.withLock { $0["web"] } == ["synced web-1,web-2", "deleted web-1", "added web-1", "modified web-2"])
        #expect(seen.withLock { $0["api"] } == ["synced ", "added api-1", "modified api-1"])
        let late = subscribe("web")
        #expect(seen.withLock { $0["web"]?.last } == "synced web-1,web-2", "a later subscriber lists what is there now")
        web.stop(); api.stop(); late.stop()
        shared.close()
    }

    @Test("shared watches agree with one watch per subscriber, filtered, over 600 random changes: pods added, changed, relabelled and deleted, subscribers joining and leaving")
    func sharedWatchesMatchSeparateWatches() {
        var dice = PlanAtScaleTests.Dice(state: 7)
        let cluster = GateKeeperTestCluster()
        let shared = SharedWatches(cluster: cluster)
        let apps = ["a", "b", "c"]
        var live: [String: String] = [:]  // pod name -> its app label
        var nextPod = 0
        /// A subscriber, what it was sent, and what a watch of its own would have sent it.
        final class Watcher: @unchecked Sendable {
            let app: String
            var stop: (any WatchStopping)?
            let sent = Mutex<[String]>([])
            var expected: [String] = []
            var holds: Set<String> = []
            init(app: String) { self.app = app }
        }
        var watchers: [Watcher] = []
        func path(_ name: String) -> String { "/api/v1/namespaces/default/pods/\(name)" }
        func labelled(_ name: String, _ app: String) -> JSONValue {
            var pod = Fixtures.livePod(name: name)
            pod[path: ["metadata", "labels"]] = ["app": .string(app)]
            return pod
        }
        for _ in 0..<600 {
            let running = watchers.filter { $0.stop != nil }
            switch dice.next(10) {
            case 0, 1:  // a new pod
                let name = "pod-\(nextPod)", app = apps[dice.next(3)]
                nextPod += 1
                live[name] = app
                for w in running where w.app == app { w.expected.append("added \(name)"); w.holds.insert(name) }
                cluster.put(pod: labelled(name, app))
            case 2, 3, 4:  // a status change
                let names = live.keys.sorted()
                guard !names.isEmpty else { continue }
                let name = names[dice.next(names.count)]
                for w in running where w.holds.contains(name) { w.expected.append("modified \(name)") }
                cluster.mutate(path(name)) { $0[path: ["status", "message"]] = .string("m\(dice.next(1000))") }
            case 5:  // new labels
                let names = live.keys.sorted()
                guard !names.isEmpty else { continue }
                let name = names[dice.next(names.count)]
                let app = apps[dice.next(3)]
                live[name] = app
                for w in running {
                    if w.app == app {
                        w.expected.append(w.holds.contains(name) ? "modified \(name)" : "added \(name)")
                        w.holds.insert(name)
                    } else if w.holds.remove(name) != nil {
                        w.expected.append("deleted \(name)")
                    }
                }
                cluster.mutate(path(name)) { $0[path: ["metadata", "labels", "app"]] = .string(app) }
            case 6:  // deleted
                let names = live.keys.sorted()
                guard !names.isEmpty else { continue }
                let name = names[dice.next(names.count)]
                live[name] = nil
                for w in running where w.holds.remove(name) != nil { w.expected.append("deleted \(name)") }
                cluster.delete(path(name))
            case 7, 8:  // a subscriber joins
                let w = Watcher(app: apps[dice.next(3)])
                let mine = live.filter { $0.value == w.app }.keys.sorted()
                w.expected.append("synced " + mine.joined(separator: ","))
                w.holds = Set(mine)
                w.stop = Self.subscribe(shared, app: w.app) { line in w.sent.withLock { $0.append(line) } }
                watchers.append(w)
            default:  // a subscriber leaves
                guard !running.isEmpty else { continue }
                let w = running[dice.next(running.count)]
                w.stop?.stop()
                w.stop = nil
            }
        }
        #expect(watchers.count > 20)
        for w in watchers { #expect(w.sent.withLock { $0 } == w.expected, "subscriber to app=\(w.app)") }
        for w in watchers { w.stop?.stop() }
        shared.close()
    }

    @Test("shared watches: a list again (after the watch expired) replaces what each subscriber holds; an object the cache knows newer than the list keeps its newer version")
    func sharedWatchesRelist() {
        let cluster = GateKeeperTestCluster()
        let pods = "/api/v1/namespaces/default/pods"
        cluster.put(pod: Fixtures.livePod(name: "web-1"))
        cluster.put(pod: Fixtures.livePod(name: "web-2"))
        let shared = SharedWatches(cluster: cluster)
        let seen = Mutex<[String]>([])
        let watch = shared.watch(pods, filter: { $0.labels["app"] == "web" }) { event in
            guard case .synced(let items) = event else { return }
            let listed = items.map { ($0[path: ["metadata", "name"]]?.string ?? "") + "@" + ($0[path: ["metadata", "resourceVersion"]]?.string ?? "") }
            seen.withLock { $0.append(listed.sorted().joined(separator: ",")) }
        }
        var written = cluster.object("\(pods)/web-1")!
        written[path: ["metadata", "resourceVersion"]] = "100000"
        shared.wrote("\(pods)/web-1", written)
        cluster.delete("\(pods)/web-2")
        cluster.put(pod: Fixtures.livePod(name: "web-3"))
        let web3 = cluster.object("\(pods)/web-3")![path: ["metadata", "resourceVersion"]]!.string!
        cluster.relist(pods)
        #expect(seen.withLock { $0 } == ["web-1@101,web-2@102", "web-1@100000,web-3@\(web3)"])
        watch.stop()
        shared.close()
    }

    @Test("shared watches: a workload subscribing after its own write lists the write's answer, never an older version, and older versions still on their way are not passed to it")
    func sharedWatchesNeverGoBack() {
        let cluster = GateKeeperTestCluster()
        let path = "/apis/apps/v1/namespaces/default/deployments/web"
        cluster.put(path, Self.deployment("web"))
        let shared = SharedWatches(cluster: cluster)
        let first = shared.watch("/apis/apps/v1/namespaces/default/deployments", filter: { _ in true }) { _ in }
        var written = Self.deployment("web")
        written[path: ["metadata", "resourceVersion"]] = "100000"
        written[path: ["spec", "paused"]] = true
        shared.wrote(path, written)
        let seen = Mutex<[String]>([])
        let second = shared.watch("/apis/apps/v1/namespaces/default/deployments", filter: { $0.name == "web" }) { event in
            switch event {
            case .synced(let items): seen.withLock { $0 += items.map { "synced " + ($0[path: ["metadata", "resourceVersion"]]?.string ?? "") } }
            case .added(let o), .modified(let o): seen.withLock { $0.append("event " + (o[path: ["metadata", "resourceVersion"]]?.string ?? "")) }
            default: break
            }
        }
        cluster.mutate(path) { $0[path: ["metadata", "labels"]] = ["late": "yes"] }
        #expect(seen.withLock { $0 } == ["synced 100000"], "the older version that came after is not passed on")
        first.stop(); second.stop()
        shared.close()
    }

    @Test("shared watches: an older version whose labels no longer match is passed over, not taken for the object leaving, and keeps no route")
    func sharedWatchesOlderVersionLeavesNothing() {
        let cluster = GateKeeperTestCluster()
        let path = "/apis/apps/v1/namespaces/default/deployments/web"
        var web = Self.deployment("web")
        web[path: ["metadata", "labels"]] = ["team": "a"]
        cluster.put(path, web)
        let shared = SharedWatches(cluster: cluster)
        let first = shared.watch("/apis/apps/v1/namespaces/default/deployments", filter: { _ in true }) { _ in }
        var written = web
        written[path: ["metadata", "resourceVersion"]] = "100000"
        shared.wrote(path, written)
        let seen = Mutex<[String]>([])
        let second = shared.watch("/apis/apps/v1/namespaces/default/deployments", filter: { $0.labels["team"] == "a" }) { event in
            switch event {
            case .synced(let items): seen.withLock { $0.append("synced \(items.count)") }
            case .added, .modified: seen.withLock { $0.append("event") }
            case .deleted: seen.withLock { $0.append("deleted") }
            case .failed: seen.withLock { $0.append("failed") }
            }
        }
        cluster.mutate(path) { $0[path: ["metadata", "labels"]] = ["team": "b"] }
        cluster.mutate(path) { $0[path: ["metadata", "annotations"]] = ["n": "1"] }
        #expect(seen.withLock { $0 } == ["synced 1"], "versions older than the one it holds leave it as it is")
        first.stop(); second.stop()
        shared.close()
    }

    @Test("one PodDisruptionBudget over two workloads rolled at once is one allowance: a pod the other took out counts, and its return lets the next go")
    func budgetLedgerIsShared() {
        let ledger = DisruptionLedger()
        // minAvailable 3 over a's 2 pods and b's 2 pods: one disruption for both workloads together.
        func window(_ name: String, other: String) -> RolloutWindow {
            var w = RolloutWindow(maxUnavailable: 2, desired: 2)
            w.budgets = [DisruptionBudget(name: "shop", rule: "minAvailable 3", desiredHealthy: 3, otherHealthy: 2, selectsAll: true)]
            w.ledger = DisruptionLedger.Share(ledger: ledger, namespace: "default", workload: name)
            w.sync([RolloutWindow.Member(name: "\(name)-1", uid: "\(name)1", ready: true),
                    RolloutWindow.Member(name: "\(name)-2", uid: "\(name)2", ready: true)])
            w.enqueue([PodTarget(name: "\(name)-1", changes: []), PodTarget(name: "\(name)-2", changes: [])])
            return w
        }
        var a = window("a", other: "b"), b = window("b", other: "a")
        #expect(a.start(now: 0).started.map(\.name) == ["a-1"])
        #expect(b.start(now: 0).started.isEmpty, "a-1 spent the one disruption the budget allows")
        #expect(b.heldBy?.name == "shop")
        a.observe(RolloutWindow.Member(name: "a-1", uid: "a1", ready: true))
        a.finish("a-1")
        #expect(b.start(now: 1).started.map(\.name) == ["b-1"], "a-1 is back: the allowance is b's to take")
        #expect(a.start(now: 1).started.isEmpty)
    }
}
