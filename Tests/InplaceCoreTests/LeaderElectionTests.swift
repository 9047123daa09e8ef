import JSON
import Testing
@testable import InplaceCore

@Suite struct LeaderElectionTests {
    let me = LeaderElection(identity: "a", leaseDuration: 15)
    let now = 1_795_921_527.5

    func lease(holder: String, duration: Int = 15, transitions: Int = 2) -> LeaseRecord {
        LeaseRecord(holderIdentity: holder, leaseDurationSeconds: duration, acquireTime: "2026-11-29T03:00:00.000000Z",
                    renewTime: "2026-11-29T03:05:00.000000Z", leaseTransitions: transitions, resourceVersion: "7")
    }

    @Test func createsAnAbsentLease() {
        guard case .create(let r) = me.decide(current: nil, unchangedFor: 0, now: now) else { Issue.record("expected create"); return }
        #expect(r.holderIdentity == "a")
        #expect(r.leaseDurationSeconds == 15)
        #expect(r.acquireTime == "2026-11-29T03:05:27.500000Z")
        #expect(r.renewTime == r.acquireTime)
        #expect(r.leaseTransitions == 0)
        #expect(r.resourceVersion == nil)
    }

    @Test func renewsItsOwnLeaseKeepingAcquireTimeAndTransitions() {
        guard case .renew(let r) = me.decide(current: lease(holder: "a"), unchangedFor: 100, now: now) else {
            Issue.record("expected renew")
            return
        }
        #expect(r.acquireTime == "2026-11-29T03:00:00.000000Z")
        #expect(r.renewTime == "2026-11-29T03:05:27.500000Z")
        #expect(r.leaseTransitions == 2)
        #expect(r.resourceVersion == "7")
    }

    @Test func followsALiveHolderUntilItsLeaseRunsOutUnchanged() {
        #expect(me.decide(current: lease(holder: "b"), unchangedFor: 5, now: now) == .follow(holder: "b", expiresIn: 10))
        // The holder's own duration counts, not ours.
        #expect(me.decide(current: lease(holder: "b", duration: 30), unchangedFor: 20, now: now) == .follow(holder: "b", expiresIn: 10))
    }

    @Test func takesOverAnExpiredOrReleasedLease() {
        guard case .takeOver(let r) = me.decide(current: lease(holder: "b"), unchangedFor: 15, now: now) else {
            Issue.record("expected takeOver")
            return
        }
        #expect(r.holderIdentity == "a")
        #expect(r.leaseTransitions == 3)
        #expect(r.acquireTime == "2026-11-29T03:05:27.500000Z")
        #expect(r.resourceVersion == "7", "the replace is conditional on the version read")
        guard case .takeOver(let released) = me.decide(current: lease(holder: ""), unchangedFor: 0, now: now) else {
            Issue.record("a released lease is taken at once")
            return
        }
        #expect(released.leaseTransitions == 3)
    }

    @Test func releaseClearsTheHolderOnlyForItsHolder() throws {
        let r = try #require(me.release(lease(holder: "a"), now: now))
        #expect(r.holderIdentity == "")
        #expect(r.leaseDurationSeconds == 1)
        #expect(r.leaseTransitions == 2)
        #expect(me.release(lease(holder: "b"), now: now) == nil)
    }

    @Test func observationLagIsCreditedOnlyWithinARetryPeriod() {
        let renewed = "2026-11-29T03:05:27.000000Z"
        #expect(me.observationLag(renewTime: renewed, seenAt: 1_795_921_527.5) == 0.5)
        #expect(me.observationLag(renewTime: renewed, seenAt: 1_795_921_532) == 0, "a lease found long after its renewal")
        #expect(me.observationLag(renewTime: renewed, seenAt: 1_795_921_526) == 0, "a renewal in our future: clock skew")
        #expect(me.observationLag(renewTime: nil, seenAt: 1_795_921_527.5) == 0)
    }

    @Test func timingIsDerivedFromTheDuration() {
        #expect(me.retryPeriod == 1.875)
        #expect(me.renewDeadline == 10)
        #expect(LeaderElection(identity: "a", leaseDuration: 0.5).retryPeriod == 0.1)
        #expect(LeaderElection(identity: "a", leaseDuration: 0.5).leaseDurationSeconds == 1)
    }

    @Test func leaseObjectRoundTrips() {
        let o = lease(holder: "b").object(name: "kubectl-inplace-controller", namespace: "ops")
        #expect(o["apiVersion"] == "coordination.k8s.io/v1")
        #expect(o["kind"] == "Lease")
        #expect(o[path: ["metadata", "namespace"]] == "ops")
        #expect(o[path: ["spec", "renewTime"]] == "2026-11-29T03:05:00.000000Z")
        #expect(LeaseRecord(lease: o) == lease(holder: "b"))
    }
}

@Suite struct LeaseElectorTests {
    let path = "/apis/coordination.k8s.io/v1/namespaces/ops/leases/gk"

    func elector(_ id: String, _ cluster: GateKeeperTestCluster, _ clock: ManualClock) -> LeaseElector {
        LeaseElector(cluster: cluster, election: LeaderElection(identity: id, leaseDuration: 3), name: "gk", namespace: "ops",
                     clock: clock, wallTime: { 1_795_921_527 })
    }

    @Test func oneLeaderAStandbyThatTakesOverWhenTheLeaderStopsRenewing() {
        let cluster = GateKeeperTestCluster()
        let clock = ManualClock()
        let a = elector("a", cluster, clock), b = elector("b", cluster, clock)
        #expect(a.attempt() == .leading(acquired: true))
        #expect(a.isLeader)
        #expect(b.attempt() == .following(holder: "a", expiresIn: 3))
        #expect(!b.isLeader)
        clock.advance(1)
        #expect(a.attempt() == .leading(acquired: false))
        clock.advance(0.5)
        // b saw a new renewTime: the lease's clock starts again for it.
        #expect(b.attempt() == .following(holder: "a", expiresIn: 3))
        // a dies: no more renewals.
        clock.advance(2.9)
        if case .following = b.attempt() {} else { Issue.record("not expired yet") }
        #expect(!a.isLeader, "a leader that did not renew within the renew deadline stops acting")
        clock.advance(0.2)
        #expect(b.attempt() == .leading(acquired: true))
        let lease = LeaseRecord(lease: cluster.object(path)!)
        #expect(lease.holderIdentity == "b")
        #expect(lease.leaseTransitions == 1)
        #expect(a.attempt() == .following(holder: "b", expiresIn: 3))
    }

    @Test func aRenewalSeenLateIsCreditedSoTheStandbyTakesOverOneDurationAfterIt() throws {
        let cluster = GateKeeperTestCluster()
        let clock = ManualClock(0)
        let wall: @Sendable () -> Double = { 1_795_921_527 + clock.monotonic }
        let a = LeaseElector(cluster: cluster, election: LeaderElection(identity: "a", leaseDuration: 3), name: "gk",
                             namespace: "ops", clock: clock, wallTime: wall)
        let b = LeaseElector(cluster: cluster, election: LeaderElection(identity: "b", leaseDuration: 3), name: "gk",
                             namespace: "ops", clock: clock, wallTime: wall)
        #expect(a.attempt() == .leading(acquired: true))
        clock.advance(0.25)
        guard case .following(_, let expiresIn) = b.attempt() else { Issue.record("b follows"); return }
        #expect(abs(expiresIn - 2.75) < 1e-6)
        clock.advance(2.74)
        if case .following = b.attempt() {} else { Issue.record("not expired yet") }
        clock.advance(0.02)
        #expect(b.attempt() == .leading(acquired: true))
    }

    @Test func losingTheCreateOrReplaceRaceMeansFollowing() {
        let cluster = GateKeeperTestCluster()
        let clock = ManualClock()
        let a = elector("a", cluster, clock), b = elector("b", cluster, clock)
        // b read "absent", then a created it before b's create.
        cluster.failNext("POST", "/apis/coordination.k8s.io/v1/namespaces/ops/leases",
                         ClusterOperationError(.other, "leases.coordination.k8s.io \"gk\" already exists"))
        if case .following = b.attempt() {} else { Issue.record("a lost create race follows") }
        #expect(a.attempt() == .leading(acquired: true))
        // a's renewal conflicts: someone changed the lease since a read it.
        cluster.failNext("PUT", path, ClusterOperationError(.conflict, "the object has been modified"))
        if case .following = a.attempt() {} else { Issue.record("a conflict on renew means another candidate won") }
        #expect(!a.isLeader)
        #expect(a.attempt() == .leading(acquired: false))
    }

    @Test func apiErrorsKeepLeadershipOnlyUntilTheRenewDeadline() {
        let cluster = GateKeeperTestCluster()
        let clock = ManualClock()
        let a = elector("a", cluster, clock)
        #expect(a.attempt() == .leading(acquired: true))
        cluster.failNext("GET", path, ClusterOperationError(.transient, "503"))
        if case .failed = a.attempt() {} else { Issue.record("a failed read is reported") }
        #expect(a.isLeader)
        clock.advance(2.1)
        #expect(!a.isLeader)
    }

    @Test func releaseHandsOverAtOnce() {
        let cluster = GateKeeperTestCluster()
        let clock = ManualClock()
        let a = elector("a", cluster, clock), b = elector("b", cluster, clock)
        _ = a.attempt()
        _ = b.attempt()
        #expect(a.release())
        #expect(!a.isLeader)
        #expect(LeaseRecord(lease: cluster.object(path)!).holderIdentity == "")
        #expect(b.attempt() == .leading(acquired: true))
        #expect(!a.release(), "only the holder releases")
    }
}
