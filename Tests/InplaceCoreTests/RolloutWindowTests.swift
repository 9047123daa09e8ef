import Testing
@testable import InplaceCore

/// The rollout's window on its own, driven by hand and by a manual clock: unavailability counted as
/// the controllers count it (desired replicas − Ready pods), once per pod.
@Suite struct RolloutWindowTests {
    func member(_ name: String, ready: Bool = true, uid: String? = nil, owner: String? = "rs-1") -> RolloutWindow.Member {
        RolloutWindow.Member(name: name, uid: uid ?? "uid-\(name)", owner: owner, ready: ready)
    }

    func targets(_ names: [String]) -> [PodTarget] { names.map { PodTarget(name: $0, changes: []) } }

    func window(_ pods: [RolloutWindow.Member], pending: [String], maxUnavailable: Int, desired: Int? = nil,
                owners: Set<String> = ["rs-1"]) -> RolloutWindow {
        var w = RolloutWindow(maxUnavailable: maxUnavailable, desired: desired ?? pods.count, owners: owners,
                              initialUIDs: Set(pods.filter { owners.contains($0.owner ?? "") }.map(\.uid)))
        w.sync(pods)
        w.enqueue(targets(pending))
        return w
    }

    @Test func aNotReadyPodThatIsKeptCountsOnce() {
        let pods = ["a", "b", "c", "d", "e"].map { member($0) } + [member("kept", ready: false)]
        var w = window(pods, pending: ["a", "b", "c", "d", "e"], maxUnavailable: 2)
        #expect(w.unavailable == 1)
        #expect(w.start(now: 0).started.map(\.name) == ["a"], "one slot is taken by the NotReady pod, one is left")
        #expect(w.start(now: 0).started.isEmpty)
        w.finish("a")
        w.observe(member("a"))
        #expect(w.start(now: 1).started.map(\.name) == ["b"])
        w.observe(member("kept"))
        #expect(w.start(now: 2).started.map(\.name) == ["c"], "the kept pod is Ready again: two in flight")
        #expect(w.active == ["b", "c"])
    }

    @Test func aNotReadyPodToUpdateTakesNoMoreThanItsOwnSlot() {
        let pods = [member("sick", ready: false), member("a"), member("b"), member("c")]
        var w = window(pods, pending: ["sick", "a", "b", "c"], maxUnavailable: 2)
        #expect(w.start(now: 0).started.map(\.name) == ["sick", "a"])
        #expect(w.unavailable == 2)
        w.finish("sick", ready: true)
        #expect(w.start(now: 1).started.map(\.name) == ["b"])
    }

    @Test func aNotReadyPodToUpdateStartsEvenWhenOthersUseTheBudget() {
        let pods = [member("sick", ready: false), member("down", ready: false), member("a")]
        var w = window(pods, pending: ["sick", "a"], maxUnavailable: 1)
        #expect(w.start(now: 0).started.map(\.name) == ["sick"], "updating an unavailable pod makes nothing worse")
        w.finish("sick", ready: true)
        #expect(w.start(now: 1).started.isEmpty, "a Ready pod waits while `down` uses the budget")
        w.observe(member("down"))
        #expect(w.start(now: 2).started.map(\.name) == ["a"])
    }

    @Test func aDeletedPodCountsUntilItsReplacementIsReadyThenStops() {
        let pods = ["a", "b", "c", "d"].map { member($0) }
        var w = window(pods, pending: ["a", "b", "c"], maxUnavailable: 1)
        #expect(w.start(now: 0).started.map(\.name) == ["a"])
        w.finish("a")
        w.remove(member("c"))
        #expect(w.unavailable == 1)
        #expect(w.start(now: 1).started.isEmpty, "the deleted pod counts")
        w.observe(member("c-new", ready: false))
        #expect(w.start(now: 2).started.isEmpty, "its replacement is not Ready yet")
        w.observe(member("c-new"))
        let turn = w.start(now: 3)
        #expect(turn.started.map(\.name) == ["b"], "the replacement is Ready: the deleted pod counts no more")
        #expect(turn.skipped.map(\.name) == ["c"] && w.pending.isEmpty, "the deleted pod's turn came: it is dropped")
        w.finish("b")
        #expect(w.unavailable == 0)
        #expect(w.recreated == 1, "c and the pod that took its place count once")
    }

    @Test func aPodRecreatedUnderItsNameIsNewAndCounted() {
        let pods = ["db-0", "db-1", "db-2"].map { member($0, owner: "sts") }
        var w = window(pods, pending: ["db-2", "db-1"], maxUnavailable: 1, owners: ["sts"])
        w.observe(member("db-1", ready: false, uid: "uid-db-1-again", owner: "sts"))
        #expect(w.recreated == 1)
        #expect(w.start(now: 0).started.isEmpty, "db-1 is not Ready: the budget is used")
        w.observe(member("db-1", uid: "uid-db-1-again", owner: "sts"))
        #expect(w.start(now: 1).started.map(\.name) == ["db-2"])
    }

    @Test func podsTurningNotReadyMidRolloutHoldTheNextStart() {
        let pods = ["a", "b", "c", "k1", "k2"].map { member($0) }
        var w = window(pods, pending: ["a", "b", "c"], maxUnavailable: 2)
        #expect(w.start(now: 0).started.map(\.name) == ["a", "b"])
        w.finish("a")
        w.observe(member("a"))
        w.observe(member("k1", ready: false))
        #expect(w.start(now: 1).started.isEmpty, "b in flight and k1 NotReady use both slots")
        w.observe(member("k2", ready: false))
        #expect(w.unavailable == 3)
        w.observe(member("k1"))
        w.observe(member("k2"))
        #expect(w.start(now: 2).started.map(\.name) == ["c"])
    }

    @Test func aBudgetAboveThePodCountStartsEveryPod() {
        let pods = ["a", "b", "c"].map { member($0) }
        var w = window(pods, pending: ["a", "b", "c"], maxUnavailable: 10)
        #expect(w.start(now: 0).started.map(\.name) == ["a", "b", "c"])
        #expect(w.unavailable == 3)
    }

    @Test func podsOfOtherControllersDoNotCount() {
        let pods = ["a", "b"].map { member($0) } + [member("stranger", ready: false, owner: "other")]
        var w = window(pods, pending: ["a", "b"], maxUnavailable: 1, desired: 2)
        #expect(w.unavailable == 0)
        #expect(w.start(now: 0).started.map(\.name) == ["a"])
        #expect(w.recreated == 0)
    }

    @Test func nothingStartsAtTheDeadlineOfTheInjectedClock() {
        let clock = ManualClock()
        let pods = ["a", "b"].map { member($0) }
        var w = window(pods, pending: ["a", "b"], maxUnavailable: 1)
        w.deadline = clock.monotonic + 10
        #expect(w.start(now: clock.monotonic).started.map(\.name) == ["a"])
        #expect(w.startedAt["a"] == clock.monotonic)
        clock.advance(9)
        w.finish("a")
        #expect(w.startedAt["a"] == nil)
        clock.advance(1)
        #expect(w.start(now: clock.monotonic).started.isEmpty)
        #expect(w.pending.map(\.name) == ["b"], "b stays pending: the rollout reports it as not started")
    }

    @Test func theDesiredCountFollowsTheWorkload() {
        let pods = ["a", "b", "c"].map { member($0) }
        var w = window(pods, pending: ["a"], maxUnavailable: 1)
        w.desired = 4
        #expect(w.start(now: 0).started.isEmpty, "a scale-up counts until the new pod is Ready")
        w.observe(member("d"))
        #expect(w.start(now: 1).started.map(\.name) == ["a"])
    }

    @Test func aPodBeingDeletedCountsAndIsNotStarted() {
        let pods = ["a", "b", "c"].map { member($0) }
        var w = window(pods, pending: ["a", "b"], maxUnavailable: 1)
        w.observe(RolloutWindow.Member(name: "a", uid: "uid-a", owner: "rs-1", ready: false, terminating: true))
        let turn = w.start(now: 0)
        #expect(turn.skipped.map(\.name) == ["a"] && turn.started.isEmpty, "a is being deleted and uses the budget")
        #expect(w.recreated == 1)
    }

    @Test("11.1: with a surge of 2 and max-unavailable 0, two pods go at once and Ready pods never fall below the desired replicas")
    func surgeKeepsReadyAtDesired() {
        let pods = (0..<6).map { member("p\($0)") } + [member("s0"), member("s1")]
        var w = RolloutWindow(maxUnavailable: 0, desired: 6, owners: ["rs-1"], surge: 2)
        w.sync(pods)
        w.enqueue(targets((0..<6).map { "p\($0)" }))
        #expect(w.start(now: 0).started.map(\.name) == ["p0", "p1"])
        w.observe(member("s0", ready: false))
        w.finish("p0", ready: true)
        #expect(w.start(now: 1).started.isEmpty, "a surge pod NotReady: 7 Ready with one in flight would leave 5")
        w.observe(member("s0"))
        #expect(w.start(now: 2).started.map(\.name) == ["p2"])
    }

    @Test("11.3: a budget of minAvailable 5 over 6 lets one pod out at a time within max-unavailable 3, and says which budget holds")
    func budgetHoldsTheWindow() {
        let pods = (0..<6).map { member("p\($0)") }
        var w = window(pods, pending: (0..<6).map { "p\($0)" }, maxUnavailable: 3)
        w.budgets = [DisruptionBudget(name: "web", rule: "minAvailable 5", desiredHealthy: 5, selectsAll: true)]
        #expect(w.start(now: 0).started.map(\.name) == ["p0"])
        #expect(w.heldBy?.name == "web")
        w.finish("p0", ready: true)
        #expect(w.start(now: 1).started.map(\.name) == ["p1"])
        w.budgets = []
        #expect(w.start(now: 2).started.map(\.name) == ["p2", "p3"], "without the budget: the window of 3")
    }
}
