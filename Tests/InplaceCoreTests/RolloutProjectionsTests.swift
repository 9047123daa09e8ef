import JSON
import Testing

@testable import InplaceCore

/// A rollout reads projected pods and slices, and the planner projected pods: what each decides
/// from them must be what it decides from the whole objects.
@Suite struct RolloutProjectionsTests {
    static func projected(_ object: JSONValue, _ projection: JSONProjection) throws -> JSONValue {
        try JSONValue(parsing: object.serializedBytes(), projection: projection)
    }

    /// Live pods in the states a rollout meets: serving, out of service, restarted on the new image.
    static var pods: [JSONValue] {
        var restarted = Fixtures.livePod(appImage: "nginx:1.27", ready: false, gateCondition: "False")
        restarted[path: ["metadata", "annotations"]] = [
            "inplace.kubectl.io/state": #"{"rollout":"r1","revision":"2","containers":[{"name":"app","from":"nginx:1.25","to":"nginx:1.27","imageID":"sha256:a","containerID":"containerd://1"}]}"#,
        ]
        restarted[path: ["status", "containerStatuses"]] = [[
            "name": "app", "image": "docker.io/library/nginx:1.27", "imageID": "sha256:b", "containerID": "containerd://2",
            "ready": true, "restartCount": 1, "started": true, "state": ["running": ["startedAt": "2026-12-03T12:00:00Z"]],
            "volumeMounts": [["name": "cfg", "mountPath": "/etc/cfg"]],
        ]]
        restarted[path: ["status", "conditions"]] = .array(restarted[path: ["status", "conditions"]]!.array! + [
            ["type": "ContainersReady", "status": "True", "lastProbeTime": .null, "lastTransitionTime": "2026-12-03T12:00:01Z"],
        ])
        return [Fixtures.livePod(), Fixtures.livePod(ready: false, gateCondition: "False"), Fixtures.livePod(gate: false, gateCondition: nil),
                restarted]
    }

    @Test("a projected pod answers every question a rollout asks as the whole pod does, and decides the same next step")
    func podKeepsWhatTheRolloutReads() throws {
        let target = PodTarget(name: "web-7c9d-abcde", changes: [ImageChange(container: "app", from: "nginx:1.25", to: "nginx:1.27")])
        for object in Self.pods {
            let whole = Pod(object)
            let kept = Pod(try Self.projected(object, RolloutProjections.pod))
            #expect(kept.name == whole.name && kept.uid == whole.uid && kept.resourceVersion == whole.resourceVersion)
            #expect(kept.labels == whole.labels && kept.annotations == whole.annotations && kept.controllerUID == whole.controllerUID)
            #expect(kept.containers.map(\.name) == whole.containers.map(\.name) && kept.containers.map(\.image) == whole.containers.map(\.image))
            #expect(kept.isReady == whole.isReady && kept.hasReadinessGate() == whole.hasReadinessGate())
            #expect(kept.condition(InPlace.gateConditionType) == whole.condition(InPlace.gateConditionType))
            #expect(kept.nodeName == whole.nodeName && kept.podIP == whole.podIP && kept.phase == whole.phase)
            #expect(kept.object[path: ["spec", "containers"]]?[0]?["resources"] == whole.object[path: ["spec", "containers"]]?[0]?["resources"])
            #expect(kept.containerStatus("app")?["state"] == whole.containerStatus("app")?["state"])
            #expect(kept.containerStatus("app")?["restartCount"] == whole.containerStatus("app")?["restartCount"])
            for settled in [true, false] {
                #expect(PodProgress.step(pod: kept, target: target, rolloutID: "r1", settled: settled)
                        == PodProgress.step(pod: whole, target: target, rolloutID: "r1", settled: settled))
            }
            #expect(kept.object[path: ["spec", "volumes"]] == nil && kept.object[path: ["spec", "tolerations"]] == nil)
            #expect(kept.object.serializedBytes().count * 2 < object.serializedBytes().count, "the projection is what makes it cheap")
        }
    }

    @Test("the planner's facts from a pod listed projected are its facts from the whole pod")
    func planningFactsAreTheSame() throws {
        var changed = Fixtures.template
        changed = Fixtures.setContainerField(changed, container: 0, field: "image", "nginx:1.27")
        changed = Fixtures.setContainerField(changed, container: 0, field: "resources", ["limits": ["cpu": "1", "memory": "128Mi"]])
        changed[path: ["metadata", "labels", "version"]] = "2"
        for object in Self.pods {
            let kept = try Self.projected(object, PodFacts.projection)
            #expect(kept[path: ["status", "containerStatuses"]] == nil || object[path: ["status", "containerStatuses"]] == nil)
            for template in [Fixtures.template, changed] {
                #expect(PodFacts(pod: Pod(kept), template: template, kind: .deployment)
                        == PodFacts(pod: Pod(object), template: template, kind: .deployment))
            }
        }
    }
}
