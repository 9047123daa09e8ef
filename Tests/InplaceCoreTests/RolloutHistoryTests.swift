import JSON
import Testing
@testable import InplaceCore

/// Issue 10, `history`: the revisions kept on a workload, bounded, never losing the last complete one.
@Suite struct RolloutHistoryTests {
    static func record(_ id: String, _ phase: RolloutRecord.Phase, image: String, cause: String = "",
                       rollbackOf: String = "", message: String = "") -> RolloutRecord {
        var r = RolloutRecord(id: id, phase: phase, images: ["app": image], previousImages: [:], options: [:],
                              startedAt: "2026-01-01T00:00:00Z", holder: "me@host pid 1", renewTime: "2026-01-01T00:01:00Z",
                              message: message, rollbackOf: rollbackOf)
        r.cause = cause
        return r
    }

    @Test("a rollout's writes update one revision: running, then its end, with the cause and finish time")
    func oneRevisionPerRollout() {
        var h = RolloutHistory()
        h = h.recording(Self.record("a", .running, image: "nginx:1.27", cause: "bump"))
        #expect(h.entries.count == 1 && h.entries[0].revision == 1 && h.entries[0].phase == .running && h.entries[0].finishedAt == "")
        h = h.recording(Self.record("a", .complete, image: "nginx:1.27"))
        #expect(h.entries.count == 1)
        #expect(h.entries[0].phase == .complete && h.entries[0].cause == "bump" && h.entries[0].finishedAt == "2026-01-01T00:01:00Z")
        h = h.recording(Self.record("b", .failed, image: "nginx:broken", message: "web-1: ErrImagePull"))
        #expect(h.entries.map(\.revision) == [1, 2])
        #expect(RolloutHistory(text: h.json.serialized()) == h, "round-trips through the annotation")
    }

    @Test("bounded to the limit, oldest dropped first, revision numbers keep growing")
    func bounded() {
        var h = RolloutHistory(limit: 3)
        for i in 1...5 { h = h.recording(Self.record("r\(i)", .complete, image: "nginx:\(i)")) }
        #expect(h.entries.map(\.revision) == [3, 4, 5])
        h = h.recording(Self.record("r6", .running, image: "nginx:6"))
        #expect(h.entries.map(\.revision) == [4, 5, 6])
    }

    @Test("the bound never drops the last complete revision, however many failed after it")
    func keepsLastComplete() {
        var h = RolloutHistory(limit: 3)
        h = h.recording(Self.record("ok", .complete, image: "nginx:1.27"))
        for i in 1...5 { h = h.recording(Self.record("bad\(i)", .failed, image: "nginx:broken\(i)")) }
        #expect(h.entries.count == 3)
        #expect(h.entries.first?.id == "ok" && h.lastComplete?.images == ["app": "nginx:1.27"])
        #expect(h.entries.map(\.revision) == [1, 5, 6])
    }

    @Test("a rollout that never ended (killed, then replaced with --take-over) is shown failed, interrupted, once another starts")
    func interrupted() {
        var h = RolloutHistory()
        h = h.recording(Self.record("killed", .running, image: "nginx:1.27"))
        h = h.recording(Self.record("next", .running, image: "nginx:1.28"))
        #expect(h.entries.map(\.phase) == [.failed, .running])
        #expect(h.entries[0].message.contains("interrupted"))
    }

    @Test("a completed rollback marks the rollout it follows rolled back and adds no revision")
    func rollback() {
        var h = RolloutHistory()
        h = h.recording(Self.record("ok", .complete, image: "nginx:1.27"))
        h = h.recording(Self.record("bad", .running, image: "nginx:broken"))
        h = h.recording(Self.record("back", .running, image: "nginx:1.27", rollbackOf: "bad"))
        #expect(h.entries.map(\.phase) == [.complete, .running])
        h = h.recording(Self.record("back", .failed, image: "nginx:1.27", rollbackOf: "bad",
                                    message: "web-1: ErrImagePull; rolled back 1 pod(s) to app=nginx:1.27"))
        #expect(h.entries.map(\.phase) == [.complete, .rolledBack])
        let stuck = h.recording(Self.record("bad2", .running, image: "nginx:broken2"))
            .recording(Self.record("back2", .failed, image: "nginx:1.27", rollbackOf: "bad2", message: "rollback failed: timed out"))
        #expect(stuck.entries.last?.phase == .failed, "a rollback that did not finish leaves the rollout failed, not running")
    }

    @Test("--to-revision: a complete revision is restorable; a failed or unknown one is refused with the reason")
    func toRevision() throws {
        var h = RolloutHistory()
        h = h.recording(Self.record("ok", .complete, image: "nginx:1.27"))
        h = h.recording(Self.record("bad", .failed, image: "nginx:broken", message: "web-1: ErrImagePull"))
        #expect(try h.restorable(revision: 1).get().images == ["app": "nginx:1.27"])
        guard case .failure(let failed) = h.restorable(revision: 2) else { Issue.record("revision 2 failed"); return }
        #expect(failed.description.contains("did not complete") && failed.description.contains("ErrImagePull"))
        #expect(h.restorable(revision: 7) == .failure(.noSuchRevision(7, available: [1, 2])))
    }

    @Test("the record's writes carry the history, conditional on the history as read")
    func writtenWithTheRecord() {
        let consistency = WorkloadConsistency(cluster: GateKeeperTestCluster(), dryRun: false) { _ in }
        var object: JSONValue = ["metadata": ["name": "web", "annotations": .emptyObject]]
        let first = consistency.recordOps(Self.record("a", .running, image: "nginx:1.27"), object: object)
        #expect(first.allSatisfy { $0["op"] != "test" }, "nothing to compare before the first revision")
        let history = RolloutHistory().recording(Self.record("a", .running, image: "nginx:1.27")).json.serialized()
        object[path: ["metadata", "annotations", RolloutHistory.annotation]] = .string(history)
        let next = consistency.recordOps(Self.record("a", .complete, image: "nginx:1.27"), object: object)
        #expect(next.first == ["op": "test", "path": .string(RolloutHistory.annotationPointer), "value": .string(history)])
    }
}
