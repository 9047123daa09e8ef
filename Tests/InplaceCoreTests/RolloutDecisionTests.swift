import JSON
import Testing
@testable import InplaceCore

@Suite struct ContainerRestartCheckTests {
    let record = PodUpdateRecord.Container(name: "app", from: "nginx:1.25", to: "nginx:1.27",
                                           imageID: "docker.io/library/nginx@sha256:aaa", containerID: "containerd://old",
                                           restartCount: 0)

    func status(containerID: String = "containerd://old", restartCount: Int = 0, image: String = "nginx:1.25",
                imageID: String = "docker.io/library/nginx@sha256:aaa", ready: Bool = true,
                waiting: (String, String)? = nil) -> JSONValue {
        var s: JSONValue = ["name": "app", "containerID": .string(containerID), "restartCount": .int(restartCount),
                            "image": .string(image), "imageID": .string(imageID), "ready": .bool(ready)]
        if let (reason, message) = waiting {
            s["state"] = ["waiting": ["reason": .string(reason), "message": .string(message)]]
        } else {
            s["state"] = ["running": ["startedAt": "2026-11-29T03:00:00Z"]]
        }
        return s
    }

    @Test func notRestartedIsPending() {
        #expect(ContainerRestartCheck.check(record, status: status()) == .pending)
        #expect(ContainerRestartCheck.check(record, status: nil) == .pending)
    }

    @Test func restartOnNewImageCompletes() {
        let s = status(containerID: "containerd://new", restartCount: 1, image: "docker.io/library/nginx:1.27",
                       imageID: "docker.io/library/nginx@sha256:bbb")
        #expect(ContainerRestartCheck.check(record, status: s) == .restarted(ready: true))
    }

    @Test func newTagSharingTheOldDigestCompletes() {
        // Same imageID (same digest), but a new container running the new tag.
        let s = status(containerID: "containerd://new", restartCount: 1, image: "nginx:1.27")
        #expect(ContainerRestartCheck.check(record, status: s) == .restarted(ready: true))
    }

    @Test func restartOnTheOldImageIsNotEnough() {
        let s = status(containerID: "containerd://new", restartCount: 1, image: "nginx:1.25")
        #expect(ContainerRestartCheck.check(record, status: s) == .pending)
    }

    @Test func pinnedDigestMustMatch() {
        var r = record
        r.to = "nginx@sha256:ccc"
        let wrong = status(containerID: "containerd://new", restartCount: 1, image: "nginx@sha256:ccc", imageID: "x@sha256:bbb")
        let right = status(containerID: "containerd://new", restartCount: 1, image: "nginx@sha256:ccc", imageID: "x@sha256:ccc")
        #expect(ContainerRestartCheck.check(r, status: wrong) == .pending)
        #expect(ContainerRestartCheck.check(r, status: right) == .restarted(ready: true))
    }

    @Test func pullErrorsAndCrashLoopsFailFast() {
        let pull = status(waiting: ("ErrImagePull", "rpc error: not found"))
        #expect(ContainerRestartCheck.check(record, status: pull) == .failed(reason: "ErrImagePull", message: "rpc error: not found"))
        let crash = status(containerID: "containerd://new", restartCount: 2, waiting: ("CrashLoopBackOff", "back-off 10s"))
        #expect(ContainerRestartCheck.check(record, status: crash) == .failed(reason: "CrashLoopBackOff", message: "back-off 10s"))
    }

    @Test func aCrashLoopThatPredatesTheUpdateIsNotBlamedOnIt() {
        var r = record
        r.waitingReason = "CrashLoopBackOff"
        r.restartCount = 7
        let s = status(restartCount: 7, waiting: ("CrashLoopBackOff", "back-off"))
        #expect(ContainerRestartCheck.check(r, status: s) == .pending)
    }

    @Test func normalizesDockerHubNames() {
        #expect(ContainerRestartCheck.normalize("docker.io/library/nginx") == "nginx:latest")
        #expect(ContainerRestartCheck.normalize("registry.k8s.io/pause:3.9") == "registry.k8s.io/pause:3.9")
        #expect(ContainerRestartCheck.normalize("localhost:5000/app") == "localhost:5000/app:latest")
        #expect(ContainerRestartCheck.normalize("localhost:5000/app:1") == "localhost:5000/app:1")
        #expect(ContainerRestartCheck.normalize("index.docker.io/library/nginx:1.27") == "nginx:1.27")
        #expect(ContainerRestartCheck.normalize("docker.io/team/app") == "team/app:latest")
        #expect(ContainerRestartCheck.normalize("nginx@sha256:abc") == "nginx@sha256:abc")
        #expect(ContainerRestartCheck.normalize("host:5000/app/") == "host:5000/app/:latest", "the last non-empty component names no tag")
        #expect(ContainerRestartCheck.normalize("app:1/") == "app:1/")
        #expect(ContainerRestartCheck.normalize("///") == "///:latest")
        #expect(ContainerRestartCheck.normalize("") == ":latest")
        #expect(ContainerRestartCheck.normalize("docker.io/library/café") == "café:latest", "the prefix is cut as bytes, the rest kept whole")
    }

    @Test("two names are the same image exactly when they normalise alike, compared without building either")
    func sameImageIsNormalizeEquality() {
        let names = ["nginx", "nginx:latest", "nginx:lates", "nginxlatest", "nginx:1.27", "nginx:1.28", "docker.io/library/nginx",
                     "docker.io/library/nginx:1.27", "index.docker.io/library/nginx:latest", "docker.io/nginx", "library/nginx",
                     "host:5000/app/", "host:5000/app/:latest", "host:5000/app", "nginx@sha256:abc", "docker.io/library/nginx@sha256:abc",
                     "", ":latest", "///", "///:latest", "café", "docker.io/library/café:latest", "app:1/", "app:1/:latest"]
        for a in names {
            for b in names {
                #expect(ContainerRestartCheck.sameImage(a, b) == (ContainerRestartCheck.normalize(a) == ContainerRestartCheck.normalize(b)),
                        "\(a) / \(b)")
            }
        }
        #expect(ContainerRestartCheck.sameImage("docker.io/library/nginx:1.27", "nginx:1.27"))
        #expect(ContainerRestartCheck.sameImage("nginx", "docker.io/library/nginx:latest"))
        #expect(!ContainerRestartCheck.sameImage("nginx", "nginx:lates"))
        #expect(ContainerRestartCheck.digest(of: "nginx@sha256:abc") == "sha256:abc")
        #expect(ContainerRestartCheck.digest(of: "café:1") == nil)
    }
}

@Suite struct PodProgressTests {
    let target = PodTarget(name: "web-7c9d-abcde", changes: [ImageChange(container: "app", from: "nginx:1.25", to: "nginx:1.27")],
                           labels: [:])

    func pod(image: String = "nginx:1.25", gate: String? = "True", record: Bool = false, ready: Bool = true,
             restarted: Bool = false, containerReady: Bool = true) -> Pod {
        var p = Fixtures.livePod(appImage: image, ready: ready, gateCondition: gate)
        p[path: ["status", "containerStatuses"]] = [[
            "name": "app", "image": .string(restarted ? "nginx:1.27" : "nginx:1.25"), "imageID": "nginx@sha256:aaa",
            "containerID": .string(restarted ? "containerd://new" : "containerd://old"), "restartCount": .int(restarted ? 1 : 0),
            "ready": .bool(containerReady), "state": ["running": [:]],
        ]]
        if record {
            let r = PodUpdateRecord(rolloutID: "r1", revision: "", containers: [
                .init(name: "app", from: "nginx:1.25", to: "nginx:1.27", imageID: "nginx@sha256:aaa", containerID: "containerd://old")
            ], startedAt: "t")
            p[path: ["metadata", "annotations", InPlace.podStateAnnotation]] = .string(r.json.serialized())
        }
        return Pod(p)
    }

    func step(_ p: Pod) -> PodStep { PodProgress.step(pod: p, target: target, rolloutID: "r1") }

    @Test func walksTheSequence() {
        #expect(step(pod()) == .record)
        #expect(step(pod(record: true)) == .gateOff)
        #expect(step(pod(gate: "False", record: true, ready: false)) == .drain)
        #expect(step(pod(image: "nginx:1.27", gate: "False", record: true, ready: false)) == .restart)
        #expect(step(pod(image: "nginx:1.27", gate: "False", record: true, ready: false, restarted: true, containerReady: false)) == .restart)
        #expect(step(pod(image: "nginx:1.27", gate: "False", record: true, ready: false, restarted: true)) == .gateOn)
        #expect(step(pod(image: "nginx:1.27", gate: "True", record: true, ready: false, restarted: true)) == .ready)
        #expect(step(pod(image: "nginx:1.27", gate: "True", record: true, ready: true, restarted: true)) == .done)
    }

    @Test func aRecordFromAnotherRolloutDoesNotCount() {
        #expect(PodProgress.step(pod: pod(record: true), target: target, rolloutID: "other") == .record)
    }

    @Test func gatedPodWithoutConditionGetsItAfterPatch() {
        #expect(step(pod(image: "nginx:1.27", gate: nil, record: true, ready: false, restarted: true)) == .gateOn)
    }

    @Test func revisionLabelIsPartOfThePatch() {
        var t = target
        t.labels = ["controller-revision-hash": "db-new"]
        #expect(PodProgress.step(pod: pod(image: "nginx:1.27", gate: "False", record: true, ready: false), target: t, rolloutID: "r1") == .drain)
    }

    @Test func writesAreMinimal() {
        let p = pod()
        let patch = PodWrites.patch(pod: p, target: PodTarget(name: p.name, changes: target.changes, labels: ["controller-revision-hash": "h"]))
        #expect(patch.type == .strategicMerge)
        #expect(patch.body == ["metadata": ["labels": ["controller-revision-hash": "h"]],
                               "spec": ["containers": [["name": "app", "image": "nginx:1.27"]]]])
        let off = PodWrites.gateOff(pod: p, target: target, now: "2026-11-29T03:00:00Z")
        #expect(off.path.hasSuffix("/status"))
        #expect(off.body[path: ["status", "conditions"]]?[0]?["status"] == "False")
        let rec = PodWrites.record(pod: p, target: target, rolloutID: "r1", now: "t")
        #expect(rec.body[path: ["metadata", "resourceVersion"]] == "100")
        let both = PodWrites.recordAndGateOff(pod: p, target: target, rolloutID: "r1", now: "t")
        #expect(both.path.hasSuffix("/status") && both.type == .strategicMerge)
        #expect(both.body[path: ["metadata", "resourceVersion"]] == "100")
        #expect(both.body[path: ["metadata", "annotations", InPlace.podStateAnnotation]] == rec.body[path: ["metadata", "annotations", InPlace.podStateAnnotation]])
        #expect(both.body[path: ["status", "conditions"]]?[0]?["status"] == "False")
        #expect(both.body["spec"] == nil)
    }
}
