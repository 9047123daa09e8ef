import JSON
import Testing
@testable import InplaceCore

/// Issue 9 item 2: a kubelet keeps the last container's fields and the last failure's reason
/// until its next sync (behaviour.md K3–K5); a waiting reason fails a pod only once the observed
/// generation, the image its message names, or the settle time after the patch ties it to the spec.
@Suite struct StaleStatusTests {
    static let oldID = "containerd://aaaa"

    /// A pod whose spec runs `specImage`, recorded by rollout `r` (from → to) while container
    /// `oldID` showed no waiting reason yet, now showing `waiting` with the old container's fields.
    static func pod(specImage: String, from: String, to: String, reason: String, message: String,
                    generation: Int? = nil, observed: Int? = nil, containerID: String = oldID, lastID: String = oldID) -> Pod {
        var p = Fixtures.livePod(appImage: specImage, ready: false, gateCondition: "False")
        p[path: ["status", "containerStatuses"]] = [[
            "name": "app", "image": "docker.io/library/nginx:1.25", "imageID": "docker.io/library/nginx@sha256:aaa",
            "containerID": .string(containerID), "restartCount": 0, "ready": false,
            "state": ["waiting": ["reason": .string(reason), "message": .string(message)]],
            "lastState": ["terminated": ["containerID": .string(lastID), "exitCode": 0, "reason": "Completed"]],
        ]]
        if let generation { p[path: ["metadata", "generation"]] = .int(generation) }
        if let observed { p[path: ["status", "observedGeneration"]] = .int(observed) }
        let r = PodUpdateRecord(rolloutID: "r", revision: "", containers: [
            .init(name: "app", from: from, to: to, imageID: "docker.io/library/nginx@sha256:aaa", containerID: oldID)
        ], startedAt: "t")
        p[path: ["metadata", "annotations", InPlace.podStateAnnotation]] = .string(r.json.serialized())
        return Pod(p)
    }

    static func step(_ pod: Pod, to: String, patchedAt: Double, clock: ManualClock) -> PodStep {
        let target = PodTarget(name: pod.name, changes: [ImageChange(container: "app", from: "x", to: to)])
        return PodProgress.step(pod: pod, target: target, rolloutID: "r",
                                settled: StatusFreshness.settled(patchedAt: patchedAt, now: clock.monotonic))
    }

    static let pullError = #"rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:broken-1": failed to resolve reference "docker.io/library/nginx:broken-1": docker.io/library/nginx:broken-1: not found"#

    @Test func staleErrImagePullOfTheBrokenImageAfterARollbackPatchIsNotAFailure() {
        let clock = ManualClock()
        let patchedAt = clock.monotonic
        for (reason, message) in [("ErrImagePull", Self.pullError), ("ImagePullBackOff", #"Back-off pulling image "nginx:broken-1""#)] {
            let pod = Self.pod(specImage: "nginx:1.25", from: "nginx:broken-1", to: "nginx:1.25", reason: reason, message: message)
            #expect(Self.step(pod, to: "nginx:1.25", patchedAt: patchedAt, clock: clock) == .restart)
        }
        clock.advance(60)
        let pod = Self.pod(specImage: "nginx:1.25", from: "nginx:broken-1", to: "nginx:1.25", reason: "ImagePullBackOff",
                           message: #"Back-off pulling image "nginx:broken-1""#)
        #expect(Self.step(pod, to: "nginx:1.25", patchedAt: patchedAt, clock: clock) == .restart,
                "a reason naming another image is never this spec's, however long it shows")
    }

    @Test func freshErrImagePullOfTheNewImageFailsAtOnce() {
        let clock = ManualClock()
        let patchedAt = clock.monotonic
        clock.advance(0.5)
        let pod = Self.pod(specImage: "nginx:broken-1", from: "nginx:1.25", to: "nginx:broken-1", reason: "ErrImagePull",
                           message: Self.pullError)
        #expect(Self.step(pod, to: "nginx:broken-1", patchedAt: patchedAt, clock: clock) == .failed(reason: "ErrImagePull", message: Self.pullError))
    }

    @Test func observedGenerationDecidesWhereTheServerTracksIt() {
        let clock = ManualClock()
        let patchedAt = clock.monotonic
        let message = #"secret "db-password" not found"#
        let behind = Self.pod(specImage: "nginx:1.27", from: "nginx:1.25", to: "nginx:1.27", reason: "CreateContainerConfigError",
                              message: message, generation: 3, observed: 2)
        let current = Self.pod(specImage: "nginx:1.27", from: "nginx:1.25", to: "nginx:1.27", reason: "CreateContainerConfigError",
                               message: message, generation: 3, observed: 3)
        #expect(Self.step(current, to: "nginx:1.27", patchedAt: patchedAt, clock: clock)
                == .failed(reason: "CreateContainerConfigError", message: message), "fresh at once, no settle time")
        clock.advance(60)
        #expect(Self.step(behind, to: "nginx:1.27", patchedAt: patchedAt, clock: clock) == .restart,
                "a status from before the patch's generation is stale however long it shows")
        let pullBehind = Self.pod(specImage: "nginx:broken-1", from: "nginx:1.25", to: "nginx:broken-1", reason: "ErrImagePull",
                                  message: Self.pullError, generation: 3, observed: 2)
        #expect(Self.step(pullBehind, to: "nginx:broken-1", patchedAt: patchedAt, clock: clock) == .restart)
    }

    @Test func theImageNamedInTheMessageDecidesWithoutAGeneration() {
        let clock = ManualClock()
        let patchedAt = clock.monotonic
        let named = Self.pod(specImage: "nginx:broken-1", from: "nginx:1.25", to: "nginx:broken-1", reason: "ImagePullBackOff",
                             message: #"Back-off pulling image "nginx:broken-1""#)
        #expect(Self.step(named, to: "nginx:broken-1", patchedAt: patchedAt, clock: clock).isFailure)
        let other = Self.pod(specImage: "nginx:broken-2", from: "nginx:broken-1", to: "nginx:broken-2", reason: "ImagePullBackOff",
                             message: #"Back-off pulling image "nginx:broken-1""#)
        #expect(Self.step(other, to: "nginx:broken-2", patchedAt: patchedAt, clock: clock) == .restart)
        // A current generation does not vouch for a reason whose message names another image
        // (the kubelet writes the status of the sync that acts on the patch before acting).
        let synced = Self.pod(specImage: "nginx:1.25", from: "nginx:broken-1", to: "nginx:1.25", reason: "ImagePullBackOff",
                              message: #"Back-off pulling image "nginx:broken-1""#, generation: 4, observed: 4)
        #expect(Self.step(synced, to: "nginx:1.25", patchedAt: patchedAt, clock: clock) == .restart)
    }

    @Test func otherwiseAReasonIsFreshOnlyAfterTheSettleTime() {
        let clock = ManualClock()
        let patchedAt = clock.monotonic
        let message = "failed to create containerd task: OCI runtime create failed"
        let pod = Self.pod(specImage: "nginx:1.27", from: "nginx:1.25", to: "nginx:1.27", reason: "RunContainerError", message: message)
        clock.advance(1)
        #expect(Self.step(pod, to: "nginx:1.27", patchedAt: patchedAt, clock: clock) == .restart)
        clock.advance(StatusFreshness.settleSeconds)
        #expect(Self.step(pod, to: "nginx:1.27", patchedAt: patchedAt, clock: clock) == .failed(reason: "RunContainerError", message: message))
    }

    @Test func aCrashLoopCountsOnlyForANewContainer() {
        let clock = ManualClock()
        let patchedAt = clock.monotonic
        clock.advance(60)
        let stale = Self.pod(specImage: "nginx:1.25", from: "example/crash:2", to: "nginx:1.25", reason: "CrashLoopBackOff",
                             message: "back-off 10s restarting failed container=app", generation: 2, observed: 2)
        #expect(Self.step(stale, to: "nginx:1.25", patchedAt: patchedAt, clock: clock) == .restart)
        let fresh = Self.pod(specImage: "example/crash:2", from: "nginx:1.25", to: "example/crash:2", reason: "CrashLoopBackOff",
                             message: "back-off 10s", containerID: "containerd://bbbb", lastID: "containerd://bbbb")
        #expect(Self.step(fresh, to: "example/crash:2", patchedAt: patchedAt, clock: clock).isFailure)
    }

    @Test func quotedStringsOfKubeletMessages() {
        #expect(StatusFreshness.quoted(#"Back-off pulling image "nginx:1.27": ErrImagePull"#) == ["nginx:1.27"])
        #expect(StatusFreshness.quoted(#"a "b\"c" d"#) == [#"b"c"#])
        #expect(StatusFreshness.quoted("no quotes").isEmpty)
    }

    /// Issue 12: a write whose answer comes quietly is done once the pod shows its effect.
    @Test("12: a pod shows each write's effect only once the watch delivered it: record, gate off and on, images")
    func podsShowTheirWritesEffects() {
        let target = PodTarget(name: "web-7c9d-abcde", changes: [ImageChange(container: "app", from: "nginx:1.25", to: "nginx:1.26")])
        let before = Pod(Fixtures.livePod(appImage: "nginx:1.25", gateCondition: "True"))
        for step in [PodStep.record, .gateOff, .patch] {
            #expect(!PodProgress.shows(step, pod: before, target: target, rolloutID: "r"), "\(step) before its write")
        }
        #expect(PodProgress.shows(.gateOn, pod: before, target: target, rolloutID: "r"), "the gate is on before it goes off")
        let recordedOff = Self.pod(specImage: "nginx:1.25", from: "nginx:1.25", to: "nginx:1.26", reason: "", message: "")
        #expect(PodProgress.shows(.record, pod: recordedOff, target: target, rolloutID: "r"))
        #expect(PodProgress.shows(.gateOff, pod: recordedOff, target: target, rolloutID: "r"))
        #expect(!PodProgress.shows(.gateOff, pod: recordedOff, target: target, rolloutID: "another"), "another rollout's record")
        #expect(!PodProgress.shows(.gateOn, pod: recordedOff, target: target, rolloutID: "r"))
        #expect(!PodProgress.shows(.patch, pod: recordedOff, target: target, rolloutID: "r"))
        let patched = Self.pod(specImage: "nginx:1.26", from: "nginx:1.25", to: "nginx:1.26", reason: "", message: "")
        #expect(PodProgress.shows(.patch, pod: patched, target: target, rolloutID: "r"))
        #expect(!PodProgress.shows(.drain, pod: patched, target: target, rolloutID: "r"), "no write: nothing to show")
    }
}
