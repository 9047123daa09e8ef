import JSON
import Testing
@testable import InplaceCore

/// The EndpointSlice index a draining pod waits on: which listings a slice event changed, so only
/// the pods whose own listing moved are looked at again.
@Suite struct EndpointIndexTests {
    /// A slice as the rollout's watch reads it (`RolloutProjections.endpointSlice`).
    static func slice(_ name: String, _ endpoints: [(ip: String, pod: String, ready: Bool)]) -> JSONValue {
        let whole: JSONValue = ["metadata": ["name": .string(name), "namespace": "default"],
         "endpoints": .array(endpoints.map {
             ["addresses": [.string($0.ip)], "conditions": ["ready": .bool($0.ready)],
              "targetRef": ["kind": "Pod", "name": .string($0.pod)]]
         })]
        return try! JSONValue(parsing: whole.serializedBytes(), projection: RolloutProjections.endpointSlice)
    }

    @Test("12: an update returns only the listings it changed; a deletion returns what the slice listed")
    func updatesReturnTheirChanges() {
        var index = EndpointIndex()
        let first = index.update(Self.slice("s1", [("10.0.0.1", "a", true), ("10.0.0.2", "b", true)]))
        #expect(first == ["10.0.0.1", "pod/a", "10.0.0.2", "pod/b"])
        #expect(index.listsReady(podIP: "10.0.0.2", podName: "b"))
        #expect(index.update(Self.slice("s1", [("10.0.0.1", "a", true), ("10.0.0.2", "b", true)])).isEmpty, "nothing moved")
        let bLeaves = index.update(Self.slice("s1", [("10.0.0.1", "a", true), ("10.0.0.2", "b", false)]))
        #expect(bLeaves == ["10.0.0.2", "pod/b"])
        #expect(!index.listsReady(podIP: "10.0.0.2", podName: "b"))
        #expect(index.listsReady(podIP: "10.0.0.1", podName: "a"))
        #expect(index.update(Self.slice("s2", [("10.0.0.3", "c", true)])) == ["10.0.0.3", "pod/c"])
        #expect(index.remove(Self.slice("s1", [])) == ["10.0.0.1", "pod/a"])
        #expect(!index.listsReady(podIP: "10.0.0.1", podName: "a"))
        #expect(index.listsReady(podIP: nil, podName: "c"))
    }

    @Test("12: a slice event moves a draining pod only when its own address or name changed listing; the slice's arrays are kept as the digest has them")
    func changesMoveOnlyTheirPods() {
        var index = EndpointIndex()
        let s1 = Self.slice("s1", [("10.0.0.1", "a", true), ("10.0.0.2", "b", true)])
        let first = index.record(s1)
        #expect(first.moves(podIP: "10.0.0.1", podName: "a") && first.moves(podIP: nil, podName: "b"))
        #expect(!first.moves(podIP: "10.0.0.9", podName: "z"))
        #expect(first.after.addresses == s1["readyAddresses"]?.array, "the digest's array, not an index of it")
        let same = index.record(Self.slice("s1", [("10.0.0.1", "a", true), ("10.0.0.2", "b", true)]))
        #expect(!same.moves(podIP: "10.0.0.1", podName: "a") && !same.moves(podIP: "10.0.0.2", podName: "b"))
        let bLeaves = index.record(Self.slice("s1", [("10.0.0.1", "a", true), ("10.0.0.2", "b", false)]))
        #expect(bLeaves.moves(podIP: "10.0.0.2", podName: "b") && !bLeaves.moves(podIP: "10.0.0.1", podName: "a"))
        #expect(bLeaves.moved() == ["10.0.0.2", "pod/b"])
        // b's address is taken by another pod's stale endpoint: b's name left, so b moved though its address stays listed.
        let stale = index.record(Self.slice("s1", [("10.0.0.1", "a", true), ("10.0.0.2", "old-b", true)]))
        #expect(stale.moves(podIP: "10.0.0.2", podName: "old-b") && !stale.moves(podIP: "10.0.0.1", podName: "a"))
        #expect(index.listsReady(podIP: "10.0.0.2", podName: "b"), "listed by the stale endpoint's address")
        let gone = index.forget(Self.slice("s1", []))
        #expect(gone.moves(podIP: "10.0.0.1", podName: "a") && gone.moves(podIP: nil, podName: "old-b"))
        #expect(!index.listsReady(podIP: "10.0.0.1", podName: "a"))
    }
}
