import JSON
import Testing
@testable import InplaceCore

/// The EndpointSlice events a rollout's loop takes in one pass: each slice's latest, a list
/// replacing what came before it, and one wake-up per pass.
@Suite struct SliceInboxTests {
    static func slice(_ name: String, _ version: Int) -> JSONValue {
        ["metadata": ["name": .string(name), "namespace": "ns", "resourceVersion": .string(String(version))]]
    }

    static func describe(_ events: [ClusterWatchEvent]) -> [String] {
        events.map {
            func v(_ o: JSONValue) -> String { (o[path: ["metadata", "name"]]?.string ?? "") + "@" + (o[path: ["metadata", "resourceVersion"]]?.string ?? "") }
            switch $0 {
            case .synced(let items): return "synced " + items.map(v).joined(separator: ",")
            case .added(let o): return "added " + v(o)
            case .modified(let o): return "modified " + v(o)
            case .deleted(let o): return "deleted " + v(o)
            case .failed(let e): return "failed " + e.message
            }
        }
    }

    @Test("each slice's latest event in its first place; a list replaces everything before it; a failure is kept")
    func coalesces() {
        let inbox = SliceInbox()
        #expect(inbox.add(.added(Self.slice("a", 1))), "the first event wakes the loop")
        #expect(!inbox.add(.modified(Self.slice("b", 2))), "later ones ride on that wake-up")
        #expect(!inbox.add(.modified(Self.slice("a", 3))))
        #expect(!inbox.add(.deleted(Self.slice("b", 4))))
        #expect(Self.describe(inbox.take()) == ["modified a@3", "deleted b@4"])
        #expect(inbox.take().isEmpty)
        #expect(inbox.add(.modified(Self.slice("a", 5))), "empty again: the next event wakes the loop")
        #expect(!inbox.add(.synced([Self.slice("a", 6), Self.slice("c", 6)])))
        #expect(!inbox.add(.modified(Self.slice("c", 7))))
        #expect(!inbox.add(.failed(ClusterOperationError(.other, "gone"))))
        #expect(Self.describe(inbox.take()) == ["synced a@6,c@6", "modified c@7", "failed gone"])
    }

    @Test("12: with no pod draining, changes wake nothing; asking again wakes the loop for what was kept; a list or a failure always wakes it")
    func wakesOnlyWhenAsked() {
        let inbox = SliceInbox()
        #expect(!inbox.wake(false), "nothing kept")
        #expect(!inbox.add(.modified(Self.slice("a", 1))), "no pod drains: no wake-up")
        #expect(!inbox.add(.modified(Self.slice("b", 2))))
        #expect(!inbox.isEmpty)
        #expect(inbox.wake(true), "a pod drains: the changes kept wake the loop once")
        #expect(!inbox.add(.modified(Self.slice("a", 3))), "that wake-up is on its way")
        #expect(Self.describe(inbox.take()) == ["modified a@3", "modified b@2"])
        #expect(inbox.isEmpty && !inbox.wake(true))
        #expect(inbox.add(.modified(Self.slice("a", 4))), "asked to wake: the next change does")
        _ = inbox.take()
        #expect(!inbox.wake(false))
        #expect(inbox.add(.synced([Self.slice("a", 5)])), "a list wakes the loop even when no pod drains")
        _ = inbox.take()
        #expect(inbox.add(.failed(ClusterOperationError(.other, "gone"))), "so does a failure")
        #expect(!inbox.add(.modified(Self.slice("a", 6))))
    }
}
