import JSON
import Synchronization
import Testing
@testable import InplaceCore

/// One namespace's EndpointSlice listings, indexed once for the workloads rolling there: what each
/// listening loop is woken for, and what it reads.
@Suite struct EndpointListingsTests {
    /// Counts the wake-ups of one listener.
    final class Wakes: Sendable {
        private let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
        func wake() { count.withLock { $0 += 1 } }
    }

    static func slice(_ name: String, _ endpoints: [(ip: String, pod: String, ready: Bool)]) -> JSONValue {
        EndpointIndexTests.slice(name, endpoints)
    }

    @Test("12: every pod counts as listed until the slices are listed; then what they list as ready, by address or name")
    func listsWhatTheSlicesList() {
        let listings = EndpointListings()
        #expect(listings.listsReady(podIP: "10.0.0.9", podName: "nobody"), "not listed yet: no pod counts as drained")
        listings.feed(.synced([Self.slice("s1", [("10.0.0.1", "a", true), ("10.0.0.2", "b", false)])]))
        #expect(listings.synced)
        #expect(listings.listsReady(podIP: "10.0.0.1", podName: "a") && listings.listsReady(podIP: nil, podName: "a"))
        #expect(!listings.listsReady(podIP: "10.0.0.2", podName: "b"), "not ready")
        listings.feed(.modified(Self.slice("s1", [("10.0.0.2", "b", true)])))
        #expect(!listings.listsReady(podIP: "10.0.0.1", podName: "a") && listings.listsReady(podIP: "10.0.0.2", podName: "b"))
        listings.feed(.added(Self.slice("s2", [("10.0.0.1", "other", true)])))
        #expect(listings.listsReady(podIP: "10.0.0.1", podName: "a"), "another pod's endpoint has a's address")
        listings.feed(.deleted(Self.slice("s2", [])))
        #expect(!listings.listsReady(podIP: "10.0.0.1", podName: "a"))
    }

    @Test("12: a change wakes each listener once until it looks; one that asked not to be woken is told when it asks again; a change of nothing ready wakes no one")
    func wakesOncePerLook() {
        let listings = EndpointListings()
        let a = Wakes(), b = Wakes()
        let ia = listings.listen(a.wake), ib = listings.listen(b.wake)
        #expect(!listings.wake(ib, false))
        listings.feed(.synced([]))
        #expect(a.value == 1 && b.value == 1, "a list wakes every listener")
        #expect(listings.look(ia).changed && listings.look(ib).changed)
        listings.feed(.added(Self.slice("s1", [("10.0.0.1", "a", true)])))
        listings.feed(.modified(Self.slice("s1", [("10.0.0.1", "a", true), ("10.0.0.2", "b", true)])))
        #expect(a.value == 2, "the second change rides on the first's wake-up")
        #expect(b.value == 1, "b asked not to be woken by changes")
        #expect(listings.wake(ib, true), "b asks again: what changed wakes it now")
        #expect(listings.look(ia).changed && listings.look(ib).changed)
        #expect(!listings.look(ia).changed, "nothing since")
        listings.feed(.modified(Self.slice("s1", [("10.0.0.1", "a", true), ("10.0.0.2", "b", true), ("10.0.0.3", "c", false)])))
        #expect(a.value == 2 && !listings.look(ia).changed, "only a not-ready endpoint came: the ready listings did not change")
        listings.stopListening(ib)
        listings.feed(.deleted(Self.slice("s1", [])))
        #expect(a.value == 3 && b.value == 1, "a stopped listener is not woken (b was told to look by `wake`, not woken)")
    }

    @Test("12: a failure wakes every listener, even one that asked not to be woken, and is told once to each; a listener joining later learns it at once")
    func failureIsToldOnce() {
        let listings = EndpointListings()
        let a = Wakes()
        let ia = listings.listen(a.wake)
        #expect(!listings.wake(ia, false))
        listings.feed(.failed(ClusterOperationError(.other, "gone")))
        #expect(a.value == 1)
        let first = listings.look(ia)
        #expect(first.changed && first.failure?.message == "gone")
        #expect(listings.look(ia).failure == nil, "told once")
        let late = Wakes()
        let il = listings.listen(late.wake)
        #expect(late.value == 1 && listings.look(il).failure?.message == "gone")
    }
}

/// The invocation's listings per namespace: one for all its workloads, and a new one after its watch failed.
@Suite struct SharedEndpointListingsTests {
    @Test("12: workloads of one namespace get the same listings from one watch; after the watch failed, the next to ask gets new ones on a new watch")
    func oneWatchPerNamespace() {
        let cluster = GateKeeperTestCluster()
        let sharing = RolloutSharing(cluster: cluster, writers: 8)
        defer { sharing.close() }
        let first = sharing.listings(namespace: "default")
        #expect(sharing.listings(namespace: "default") === first)
        #expect(sharing.listings(namespace: "other") !== first)
        #expect(cluster.watchCount == 2, "one slice watch per namespace")
        #expect(first.synced, "the in-memory cluster lists at once")
        cluster.failWatches("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", ClusterOperationError(.forbidden, "no"))
        #expect(first.failure?.message == "no")
        let again = sharing.listings(namespace: "default")
        #expect(again !== first && again.failure == nil && again.synced)
    }
}
