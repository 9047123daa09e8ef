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
}
