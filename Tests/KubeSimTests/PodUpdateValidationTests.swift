import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("Pod update validation (ValidatePodUpdate)")
struct PodUpdateValidationTests {
    func withPod(_ body: (KubeSimServer) throws -> Void) throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        #expect(HTTP.request(s.port, "POST", Fixtures.podsPath, body: Fixtures.pod("a")).status == 201)
        try body(s)
    }

    func smp(_ s: KubeSimServer, _ patch: JSONValue) -> TestResponse {
        HTTP.request(s.port, "PATCH", Fixtures.podsPath + "/a", body: patch, contentType: "application/strategic-merge-patch+json")
    }

    @Test("image changes of containers and init containers are allowed")
    func imageChange() throws {
        try withPod { s in
            let r = smp(s, ["spec": ["containers": [["name": "app", "image": "nginx:1.27"], ["name": "sidecar", "image": "busybox:1.37"]]]])
            #expect(r.status == 200)
            #expect(r.json[path: ["spec", "containers"]]?[1]?["image"]?.string == "busybox:1.37")
        }
    }

    @Test("env, command, ports and readinessGates changes are 422 Forbidden on field spec with the real message")
    func forbiddenChanges() throws {
        try withPod { s in
            let patches: [JSONValue] = [
                ["spec": ["containers": [["name": "app", "env": [["name": "A", "value": "2"]]]]]],
                ["spec": ["containers": [["name": "sidecar", "command": ["sleep", "1"]]]]],
                ["spec": ["containers": [["name": "app", "ports": [["containerPort": 8080]]]]]],
                ["spec": ["readinessGates": [["conditionType": "Other"]]]],
            ]
            for p in patches {
                let r = smp(s, p)
                #expect(r.status == 422)
                #expect(r.json["reason"]?.string == "Invalid")
                let cause = r.json[path: ["details", "causes"]]?[0]
                #expect(cause?["field"]?.string == "spec")
                #expect(cause?["reason"]?.string == "FieldValueForbidden")
                #expect(r.json["message"]?.string?.hasPrefix("Pod \"a\" is invalid: spec: Forbidden: " + PodValidation.updatableFieldsMessage) == true)
            }
        }
    }

    @Test("adding a container is 422 on spec.containers: pod updates may not add or remove containers")
    func addContainer() throws {
        try withPod { s in
            let r = smp(s, ["spec": ["containers": [["name": "third", "image": "x"]]]])
            #expect(r.status == 422)
            #expect(r.json["message"]?.string == "Pod \"a\" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers")
        }
    }

    @Test("images must be non-empty and without surrounding whitespace")
    func imageRules() throws {
        try withPod { s in
            let empty = smp(s, ["spec": ["containers": [["name": "app", "image": ""]]]])
            #expect(empty.status == 422)
            #expect(empty.json["message"]?.string?.contains("spec.containers[0].image: Required value") == true)
            let spaced = smp(s, ["spec": ["containers": [["name": "app", "image": " nginx:1.27"]]]])
            #expect(spaced.status == 422)
            #expect(spaced.json["message"]?.string?.contains("spec.containers[0].image: Invalid value: \" nginx:1.27\": must not have leading or trailing whitespace") == true)
        }
    }

    @Test("tolerations may be added and their tolerationSeconds changed, not removed")
    func tolerations() throws {
        try withPod { s in
            let pod = s.store.get(Resources.pods, namespace: "default", name: "a")!
            var tolerations = pod[path: ["spec", "tolerations"]]!.array!
            tolerations[0]["tolerationSeconds"] = 60
            tolerations.append(["key": "extra", "operator": "Exists", "effect": "NoSchedule"])
            #expect(smp(s, ["spec": ["tolerations": .array(tolerations)]]).status == 200)
            let removed = smp(s, ["spec": ["tolerations": [["key": "extra", "operator": "Exists", "effect": "NoSchedule"]]]])
            #expect(removed.status == 422)
            #expect(removed.json["message"]?.string?.contains("spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds") == true)
        }
    }

    @Test("activeDeadlineSeconds may be set and lowered, not raised or unset")
    func activeDeadline() throws {
        try withPod { s in
            #expect(smp(s, ["spec": ["activeDeadlineSeconds": 100]]).status == 200)
            #expect(smp(s, ["spec": ["activeDeadlineSeconds": 50]]).status == 200)
            let raised = smp(s, ["spec": ["activeDeadlineSeconds": 60]])
            #expect(raised.json["message"]?.string == "Pod \"a\" is invalid: spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value")
            let unset = smp(s, ["spec": ["activeDeadlineSeconds": .null]])
            #expect(unset.status == 422)
        }
    }

    @Test("metadata labels, annotations and finalizers are mutable; the name is not")
    func metadata() throws {
        try withPod { s in
            #expect(smp(s, ["metadata": ["labels": ["new": "1"], "annotations": ["a": "b"], "finalizers": ["x/y"]]]).status == 200)
            var pod = s.store.get(Resources.pods, namespace: "default", name: "a")!
            pod[path: ["metadata", "uid"]] = "00000000-0000-0000-0000-000000000000"
            let r = HTTP.request(s.port, "PUT", Fixtures.podsPath + "/a", body: pod)
            #expect(r.status == 422)
            #expect(r.json["message"]?.string?.contains("metadata.uid: Invalid value: \"00000000-0000-0000-0000-000000000000\": field is immutable") == true)
        }
    }

    @Test("labels are removed with null, annotations changed; a bad label value, a bad annotation key or 256 KiB of annotations are 422 (ValidateObjectMetaUpdate)")
    func metadataValidation() throws {
        try withPod { s in
            #expect(smp(s, ["metadata": ["labels": ["tier": "front", "v": "1"], "annotations": ["Example.com/Build": "1"]]]).status == 200)
            let removed = smp(s, ["metadata": ["labels": ["tier": .null, "v": "2"], "annotations": ["Example.com/Build": "2"]]])
            #expect(removed.status == 200)
            #expect(removed.json[path: ["metadata", "labels", "tier"]] == nil && removed.json[path: ["metadata", "labels", "v"]] == "2")
            let badValue = smp(s, ["metadata": ["labels": ["v": "nginx:1.27"]]])
            #expect(badValue.status == 422)
            #expect(badValue.json["message"]?.string?.contains("metadata.labels: Invalid value: \"nginx:1.27\"") == true)
            let badKey = smp(s, ["metadata": ["annotations": ["bad key": "x"]]])
            #expect(badKey.status == 422)
            #expect(badKey.json["message"]?.string?.contains("metadata.annotations: Invalid value: \"bad key\"") == true)
            let huge = smp(s, ["metadata": ["annotations": ["big": .string(String(repeating: "x", count: 256 * 1024))]]])
            #expect(huge.status == 422)
            #expect(huge.json["message"]?.string?.contains("metadata.annotations: Too long: must have at most 262144 bytes") == true)
        }
    }
}

@Suite("Status subresource and generation")
struct StatusSubresourceTests {
    @Test("a write to the pod keeps the old status; a write to /status keeps the spec")
    func podStatusRules() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        #expect(HTTP.request(s.port, "POST", Fixtures.podsPath, body: Fixtures.pod("a")).status == 201)
        var pod = s.store.get(Resources.pods, namespace: "default", name: "a")!
        pod[path: ["status", "phase"]] = "Running"
        pod[path: ["metadata", "labels", "l"]] = "1"
        let main = HTTP.request(s.port, "PUT", Fixtures.podsPath + "/a", body: pod)
        #expect(main.status == 200)
        #expect(main.json[path: ["status", "phase"]]?.string == "Pending")
        #expect(main.json[path: ["metadata", "labels", "l"]]?.string == "1")
        var st = main.json
        st[path: ["status", "phase"]] = "Running"
        st[path: ["spec", "containers"]] = [["name": "app", "image": "changed"]]
        let status = HTTP.request(s.port, "PUT", Fixtures.podsPath + "/a/status", body: st)
        #expect(status.status == 200)
        #expect(status.json[path: ["status", "phase"]]?.string == "Running")
        #expect(status.json[path: ["spec", "containers"]]?.array?.count == 2)
        #expect(status.json[path: ["spec", "containers"]]?[0]?["image"]?.string == "nginx:1.25")
    }

    @Test("deployment generation moves on spec and annotation changes, not on labels or status")
    func generation() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let base = "/apis/apps/v1/namespaces/default/deployments"
        let c = HTTP.request(s.port, "POST", base, body: Fixtures.deployment("d"))
        #expect(c.json[path: ["metadata", "generation"]]?.int == 1)
        #expect(c.json["status"] == .emptyObject)
        func patch(_ p: JSONValue, _ sub: String = "") -> TestResponse {
            HTTP.request(s.port, "PATCH", base + "/d" + sub, body: p, contentType: "application/merge-patch+json")
        }
        #expect(patch(["metadata": ["labels": ["x": "1"]]]).json[path: ["metadata", "generation"]]?.int == 1)
        #expect(patch(["status": ["replicas": 5]], "/status").json[path: ["metadata", "generation"]]?.int == 1)
        #expect(patch(["status": ["replicas": 7]]).json[path: ["status", "replicas"]]?.int == 5)
        #expect(patch(["spec": ["replicas": 3]]).json[path: ["metadata", "generation"]]?.int == 2)
        #expect(patch(["metadata": ["annotations": ["a": "b"]]]).json[path: ["metadata", "generation"]]?.int == 3)
        #expect(patch(["spec": ["replicas": 9]], "/status").json[path: ["spec", "replicas"]]?.int == 3)
        let sel = patch(["spec": ["selector": ["matchLabels": ["app": "other"]], "template": ["metadata": ["labels": ["app": "other"]]]]])
        #expect(sel.status == 422)
        #expect(sel.json["message"]?.string?.contains("spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"other\"}") == true)
    }

    @Test("daemonset template changes move the template generation annotation")
    func daemonSetTemplateGeneration() throws {
        let s = try Fixtures.server(scenario: .demo)
        defer { s.stop() }
        let r = HTTP.request(
            s.port, "PATCH", "/apis/apps/v1/namespaces/default/daemonsets/agent",
            body: ["spec": ["template": ["spec": ["containers": [["name": "agent", "image": "fluent/fluent-bit:3.1"]]]]]],
            contentType: "application/strategic-merge-patch+json")
        #expect(r.json[path: ["metadata", "annotations", "deprecated.daemonset.template.generation"]]?.string == "2")
        #expect(r.json[path: ["metadata", "generation"]]?.int == 2)
    }

    @Test("statefulset spec fields other than the mutable ones are forbidden")
    func statefulSetSpec() throws {
        let s = try Fixtures.server(scenario: .demo)
        defer { s.stop() }
        let r = HTTP.request(
            s.port, "PATCH", "/apis/apps/v1/namespaces/default/statefulsets/db", body: ["spec": ["serviceName": "other"]],
            contentType: "application/merge-patch+json")
        #expect(r.status == 422)
        #expect(r.json["message"]?.string?.contains("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden") == true)
    }
}

@Suite("dryRun")
struct DryRunTests {
    @Test("dryRun=All runs defaulting and validation, returns the object and stores nothing")
    func dryRunStoresNothing() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let rv = s.store.resourceVersion
        let c = HTTP.request(s.port, "POST", Fixtures.podsPath + "?dryRun=All", body: Fixtures.pod("dry"))
        #expect(c.status == 201)
        #expect(c.json[path: ["spec", "serviceAccountName"]]?.string == "default")
        #expect(c.json[path: ["metadata", "resourceVersion"]] == nil)
        #expect(s.store.get(Resources.pods, namespace: "default", name: "dry") == nil)
        #expect(HTTP.request(s.port, "POST", Fixtures.podsPath, body: Fixtures.pod("real")).status == 201)
        let rv2 = s.store.resourceVersion
        let p = HTTP.request(
            s.port, "PATCH", Fixtures.podsPath + "/real?dryRun=All", body: ["spec": ["containers": [["name": "app", "image": "nginx:9"]]]],
            contentType: "application/strategic-merge-patch+json")
        #expect(p.status == 200)
        #expect(p.json[path: ["spec", "containers"]]?[0]?["image"]?.string == "nginx:9")
        let bad = HTTP.request(
            s.port, "PATCH", Fixtures.podsPath + "/real?dryRun=All", body: ["spec": ["containers": [["name": "app", "command": ["x"]]]]],
            contentType: "application/strategic-merge-patch+json")
        #expect(bad.status == 422)
        let d = HTTP.request(s.port, "DELETE", Fixtures.podsPath + "/real?dryRun=All")
        #expect(d.status == 200)
        #expect(s.store.get(Resources.pods, namespace: "default", name: "real")?[path: ["spec", "containers"]]?[0]?["image"]?.string == "nginx:1.25")
        #expect(s.store.resourceVersion == rv2)
        #expect(rv2 == rv + 1)
    }

    @Test("other dryRun values are refused with the real Invalid Status")
    func badDryRun() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let r = HTTP.request(s.port, "POST", Fixtures.podsPath + "?dryRun=yes", body: Fixtures.pod("x"))
        #expect(r.status == 422)
        #expect(r.json["message"]?.string == "CreateOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"yes\"}: supported values: \"All\"")
    }
}
