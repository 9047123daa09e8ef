import Foundation
import JSON
import Testing
@testable import InplaceCore
import KubeFormats

@Suite struct RolloutHolderTests {
    let now = 1_800_000_000.0
    var fresh: String { RFC3339.format(now - 3) }
    var stale: String { RFC3339.format(now - 300) }
    let host = ProcessInfo.processInfo.hostName

    @Test func parsesItsRecordedForm() {
        let h = RolloutHolder(user: "alice", host: "ci-7", pid: 4242)
        #expect(RolloutHolder(h.description) == h)
        #expect(RolloutHolder("garbage") == nil)
    }

    @Test func liveOnlyWhileRenewingAndItsProcessExists() {
        let elsewhere = "bob@other-host pid 1"
        #expect(RolloutHolder.isLive(recorded: elsewhere, renewTime: fresh, now: now))
        #expect(!RolloutHolder.isLive(recorded: elsewhere, renewTime: stale, now: now))
        let local = "me@\(host) pid 999999"
        #expect(!RolloutHolder.isLive(recorded: local, renewTime: fresh, now: now, processExists: { _ in false }))
        #expect(RolloutHolder.isLive(recorded: local, renewTime: fresh, now: now, processExists: { _ in true }))
    }

    func record(phase: RolloutRecord.Phase, holder: String, renewed: String) -> RolloutRecord {
        RolloutRecord(id: "r1", phase: phase, images: ["app": "b"], previousImages: ["app": "a"], options: [:],
                      startedAt: renewed, holder: holder, renewTime: renewed, updated: 2, total: 6)
    }

    @Test func oneRolloutAtATime() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        let live = record(phase: .running, holder: "bob@other-host pid 1", renewed: fresh)
        guard case .refuse(let m) = RolloutAdmission.forNew(ref, record: live, takeOver: true, program: "kubectl inplace", now: now) else {
            Issue.record("a live holder must never be overridden")
            return
        }
        #expect(m.contains("bob@other-host pid 1"))
        #expect(m.contains("kubectl inplace pause deployment/web"))
        let gone = record(phase: .running, holder: "bob@other-host pid 1", renewed: stale)
        guard case .refuse(let m2) = RolloutAdmission.forNew(ref, record: gone, takeOver: false, program: "kubectl inplace", now: now) else {
            Issue.record("a stale unfinished rollout needs --take-over")
            return
        }
        #expect(m2.contains("--take-over") && m2.contains("resume deployment/web"))
        #expect(RolloutAdmission.forNew(ref, record: gone, takeOver: true, program: "k", now: now) == .proceed)
        #expect(RolloutAdmission.forResume(ref, record: gone, program: "k", now: now) == .proceed)
        #expect(RolloutAdmission.forNew(ref, record: record(phase: .paused, holder: "x@y pid 1", renewed: fresh), takeOver: false, program: "k", now: now) == .proceed)
        #expect(RolloutAdmission.forNew(ref, record: nil, takeOver: false, program: "k", now: now) == .proceed)
    }

    @Test func recordRoundTripsThroughTheAnnotation() {
        var r = record(phase: .paused, holder: "a@b pid 3", renewed: fresh)
        r.previous = ["updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["partition": 1]]]
        r.message = "paused by x"
        let object: JSONValue = ["metadata": ["annotations": [.init(stringLiteral: InPlace.rolloutAnnotation): .string(r.json.serialized())]]]
        #expect(RolloutRecord(workload: object) == r)
        #expect(RolloutRecord.annotationPointer == "/metadata/annotations/inplace.kubectl.io~1rollout")
    }
}

@Suite struct RolloutStatusTests {
    @Test func summarisesPodsAgainstTheRecord() {
        let record = RolloutRecord(id: "r1", phase: .failed, images: ["app": "nginx:1.27"], previousImages: ["app": "nginx:1.25"],
                                   options: [:], startedAt: "t", holder: "h", renewTime: "t", message: "web-2: ErrImagePull")
        let done = Pod(Fixtures.livePod(name: "web-1", appImage: "nginx:1.27"))
        let old = Pod(Fixtures.livePod(name: "web-3", appImage: "nginx:1.25"))
        var broken = Fixtures.livePod(name: "web-2", appImage: "nginx:1.27", ready: false, gateCondition: "False")
        let rec = PodUpdateRecord(rolloutID: "r1", revision: "", containers: [
            .init(name: "app", from: "nginx:1.25", to: "nginx:1.27", imageID: "i", containerID: "c1")], startedAt: "t")
        broken[path: ["metadata", "annotations", InPlace.podStateAnnotation]] = .string(rec.json.serialized())
        broken[path: ["status", "containerStatuses"]] = [["name": "app", "containerID": "c1", "restartCount": 0, "image": "nginx:1.27",
            "state": ["waiting": ["reason": "ImagePullBackOff", "message": "Back-off pulling image"]]]]
        let s = RolloutStatus(ref: WorkloadRef(kind: .deployment, namespace: "default", name: "web"), record: record,
                              pods: [done, Pod(broken), old], holderLive: false)
        #expect(s.total == 3)
        #expect(s.updated == 1)
        #expect(s.inFlight == 1)
        #expect(s.failed == [RolloutStatus.FailedPod(pod: "web-2", reason: "ImagePullBackOff", message: "Back-off pulling image")])
        #expect(s.exitCode == 1)
        #expect(s.json["phase"] == "failed")
    }

    @Test func exitCodesFollowThePhase() {
        func code(_ phase: RolloutRecord.Phase, _ message: String = "", live: Bool = true) -> Int32? {
            let r = RolloutRecord(id: "r", phase: phase, images: [:], previousImages: [:], options: [:], startedAt: "",
                                  holder: "", renewTime: "", message: message)
            return RolloutStatus(ref: WorkloadRef(kind: .deployment, namespace: "d", name: "w"), record: r, pods: [], holderLive: live).exitCode
        }
        #expect(code(.running) == nil)
        #expect(code(.running, live: false) == 4)
        #expect(code(.complete) == 0)
        #expect(code(.paused) == 4)
        #expect(code(.failed) == 1)
        #expect(code(.failed, "timed out after 10m") == 3)
    }
}
