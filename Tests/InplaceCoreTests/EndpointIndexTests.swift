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

    @Test("12: the moves gathered over a batch of random slice events include every pod whose listing an event changed, and no pod none changed")
    func movesGatherTheChanges() {
        var dice = PlanAtScaleTests.Dice(state: 11)
        var index = EndpointIndex()
        var live: [String: [(ip: String, pod: String, ready: Bool)]] = [:]
        for round in 0..<200 {
            var moves = EndpointIndex.Moves()
            var changes: [EndpointIndex.Change] = []
            for _ in 0..<(1 + dice.next(4)) {
                let name = "s\(dice.next(3))"
                var endpoints = live[name] ?? []
                switch dice.next(4) {
                case 0 where !endpoints.isEmpty: endpoints.remove(at: dice.next(endpoints.count))
                case 1 where !endpoints.isEmpty: let i = dice.next(endpoints.count); endpoints[i].ready.toggle()
                default: endpoints.insert(("10.0.0.\(dice.next(16))", "p\(dice.next(16))", dice.next(3) != 0), at: dice.next(endpoints.count + 1))
                }
                live[name] = endpoints
                let change = index.record(Self.slice(name, endpoints))
                changes.append(change)
                moves.add(change)
            }
            #expect(moves.isEmpty == !changes.contains { $0.before != $0.after }, "round \(round)")
            for i in 0..<16 {
                let ip = "10.0.0.\(i)", pod = "p\(i)"
                if changes.contains(where: { $0.moves(podIP: ip, podName: "none") }) { #expect(moves.moves(podIP: ip, podName: "none"), "round \(round): \(ip)") }
                if changes.contains(where: { $0.moves(podIP: nil, podName: pod) }) { #expect(moves.moves(podIP: nil, podName: pod), "round \(round): \(pod)") }
                let touched = changes.contains { c in
                    (c.before.addresses + c.after.addresses).contains { $0.string == ip } }
                if !touched { #expect(!moves.moves(podIP: ip, podName: "none"), "round \(round): \(ip) is in no changed slice") }
            }
        }
    }

    @Test("12: random slice events: what the index says is listed is what the slices it holds list, address by address and pod by pod, whichever names it counts")
    func countsFollowTheSlices() {
        var dice = PlanAtScaleTests.Dice(state: 7)
        var index = EndpointIndex()
        var counting = EndpointIndex(names: { ["p1", "p2", "p3"].contains($0) })
        var live: [String: [(ip: String, pod: String, ready: Bool)]] = [:]
        for round in 0..<400 {
            let name = "s\(dice.next(4))"
            if dice.next(10) == 0 {
                index.forget(Self.slice(name, []))
                counting.forget(Self.slice(name, []))
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
                    counting.reset(live.map { Self.slice($0.key, $0.value) })
                    continue
                }
                index.record(Self.slice(name, endpoints))
                counting.record(Self.slice(name, endpoints))
                live[name] = endpoints
            }
            for i in 0..<12 {
                let ip = "10.0.\(i % 3).\(i)", pod = "p\(i)"
                let byIP = live.values.contains { $0.contains { $0.ready && $0.ip == ip } }
                let byName = live.values.contains { $0.contains { $0.ready && $0.pod == pod } }
                #expect(index.listsReady(podIP: ip, podName: "none") == byIP, "round \(round): \(ip)")
                #expect(index.listsReady(podIP: nil, podName: pod) == byName, "round \(round): \(pod)")
                #expect(counting.listsReady(podIP: ip, podName: "none") == byIP, "round \(round): \(ip), names p1-p3 counted")
                #expect(counting.listsReady(podIP: nil, podName: pod) == byName, "round \(round): \(pod), names p1-p3 counted")
            }
        }
    }
}
