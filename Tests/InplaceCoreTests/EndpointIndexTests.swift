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

    @Test("12: a slice's record says whether its ready listing changed; what is listed ready is what the slices list, by address or name")
    func recordsTheirChanges() {
        var index = EndpointIndex()
        var changed = index.record(Self.slice("s1", [("10.0.0.1", "a", true), ("10.0.0.2", "b", true)]))
        #expect(changed && index.listsReady(podIP: "10.0.0.2", podName: "b"))
        changed = index.record(Self.slice("s1", [("10.0.0.1", "a", true), ("10.0.0.2", "b", true)]))
        #expect(!changed, "nothing changed")
        changed = index.record(Self.slice("s1", [("10.0.0.1", "a", true), ("10.0.0.2", "b", true), ("10.0.0.9", "z", false)]))
        #expect(!changed, "a not-ready endpoint changes no ready listing")
        changed = index.record(Self.slice("s1", [("10.0.0.1", "a", true), ("10.0.0.2", "b", false)]))
        #expect(changed && !index.listsReady(podIP: "10.0.0.2", podName: "b") && index.listsReady(podIP: "10.0.0.1", podName: "a"))
        index.record(Self.slice("s2", [("10.0.0.3", "c", true)]))
        // b's address is taken by another pod's stale endpoint: b counts as listed by its address.
        changed = index.record(Self.slice("s2", [("10.0.0.3", "c", true), ("10.0.0.2", "old-b", true)]))
        #expect(changed && index.listsReady(podIP: "10.0.0.2", podName: "b"), "listed by the stale endpoint's address")
        changed = index.forget(Self.slice("s1", []))
        #expect(changed && !index.listsReady(podIP: "10.0.0.1", podName: "a") && index.listsReady(podIP: nil, podName: "c"))
        changed = index.forget(Self.slice("nosuch", []))
        #expect(!changed, "a slice never listed changes nothing")
    }

    @Test("12: random slice events: what the index says is listed is what the slices it holds list, address by address and pod by pod")
    func countsFollowTheSlices() {
        var dice = PlanAtScaleTests.Dice(state: 7)
        var index = EndpointIndex()
        var live: [String: [(ip: String, pod: String, ready: Bool)]] = [:]
        for round in 0..<400 {
            let name = "s\(dice.next(4))"
            if dice.next(10) == 0 {
                index.forget(Self.slice(name, []))
                live[name] = nil
            } else {
                var endpoints = live[name] ?? []
                // Mostly one endpoint flips, joins or leaves (as a slice changes pod by pod); sometimes a whole new list.
                switch dice.next(5) {
                case 0 where !endpoints.isEmpty: endpoints.remove(at: dice.next(endpoints.count))
                case 1: endpoints.insert(("10.0.\(dice.next(3)).\(dice.next(12))", "p\(dice.next(12))", dice.next(4) != 0),
                                         at: dice.next(endpoints.count + 1))
                case 2 where !endpoints.isEmpty: let i = dice.next(endpoints.count); endpoints[i].ready.toggle()
                default: endpoints = (0..<dice.next(8)).map { _ in ("10.0.\(dice.next(3)).\(dice.next(12))", "p\(dice.next(12))", dice.next(4) != 0) }
                }
                if round % 50 == 49 {
                    live[name] = endpoints
                    index.reset(live.map { Self.slice($0.key, $0.value) })
                    continue
                }
                index.record(Self.slice(name, endpoints))
                live[name] = endpoints
            }
            for i in 0..<12 {
                let ip = "10.0.\(i % 3).\(i)", pod = "p\(i)"
                let byIP = live.values.contains { $0.contains { $0.ready && $0.ip == ip } }
                let byName = live.values.contains { $0.contains { $0.ready && $0.pod == pod } }
                #expect(index.listsReady(podIP: ip, podName: "none") == byIP, "round \(round): \(ip)")
                #expect(index.listsReady(podIP: nil, podName: pod) == byName, "round \(round): \(pod)")
            }
        }
    }
}
