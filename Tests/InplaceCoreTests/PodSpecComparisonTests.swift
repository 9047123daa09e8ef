import JSON
import Testing
@testable import InplaceCore

@Suite struct PodSpecComparisonTests {
    @Test func livePodWithServerDefaultsMatchesItsTemplate() {
        let diff = PodSpecComparison.compare(template: Fixtures.template, pod: Fixtures.livePod(), kind: .deployment)
        #expect(diff.blockedFields == [])
        #expect(diff.imageChanges == [])
    }

    @Test func imageChangeIsAnUpdate() {
        let t = Fixtures.setContainerField(Fixtures.template, container: 0, field: "image", "nginx:1.27")
        let diff = PodSpecComparison.compare(template: t, pod: Fixtures.livePod(), kind: .deployment)
        #expect(diff.blockedFields == [])
        #expect(diff.imageChanges == [ImageChange(container: "app", from: "nginx:1.25", to: "nginx:1.27")])
    }

    static let containerChanges: [(String, JSONValue?, String)] = [
        ("env", JSONValue.array([["name": "MODE", "value": "dev"]]), "spec.containers[app].env"),
        ("command", JSONValue.array(["nginx", "-g", "daemon off;"]), "spec.containers[app].command"),
        ("ports", JSONValue.array([["containerPort": 8080]]), "spec.containers[app].ports"),
        ("resources", JSONValue.object(["limits": ["cpu": "0.5", "memory": "128Mi"], "claims": [["name": "gpu"]]]), "spec.containers[app].resources.claims"),
        ("readinessProbe", nil, "spec.containers[app].readinessProbe"),
    ]

    @Test(arguments: containerChanges)
    func otherContainerChangesAreBlockedWithTheField(field: String, value: JSONValue?, expected: String) {
        var t = Fixtures.setContainerField(Fixtures.template, container: 0, field: field, value)
        t = Fixtures.setContainerField(t, container: 0, field: "image", "nginx:1.27")
        let diff = PodSpecComparison.compare(template: t, pod: Fixtures.livePod(), kind: .deployment)
        #expect(diff.blockedFields == [expected])
        #expect(diff.imageChanges.count == 1)
    }

    @Test func addedRemovedAndReorderedContainersAreBlocked() {
        var t = Fixtures.template
        var cs = t[path: ["spec", "containers"]]!.array!
        t[path: ["spec", "containers"]] = .array(cs + [["name": "extra", "image": "x:1"]])
        #expect(PodSpecComparison.compare(template: t, pod: Fixtures.livePod(), kind: .deployment).blockedFields
            == ["spec.containers (added extra)"])
        t[path: ["spec", "containers"]] = .array([cs[0]])
        #expect(PodSpecComparison.compare(template: t, pod: Fixtures.livePod(), kind: .deployment).blockedFields
            == ["spec.containers (removed sidecar)"])
        cs.reverse()
        t[path: ["spec", "containers"]] = .array(cs)
        #expect(PodSpecComparison.compare(template: t, pod: Fixtures.livePod(), kind: .deployment).blockedFields
            == ["spec.containers (reordered app,sidecar → sidecar,app)"])
    }

    @Test func podLevelChangesAreBlocked() {
        let t = Fixtures.with(Fixtures.template, ["spec", "terminationGracePeriodSeconds"], 10)
        #expect(PodSpecComparison.compare(template: t, pod: Fixtures.livePod(), kind: .deployment).blockedFields
            == ["spec.terminationGracePeriodSeconds"])
        let v = Fixtures.with(Fixtures.template, ["spec", "volumes"], [["name": "cfg", "secret": ["secretName": "s"]]])
        #expect(PodSpecComparison.compare(template: v, pod: Fixtures.livePod(), kind: .deployment).blockedFields
            == ["spec.volumes"])
        let l = Fixtures.with(Fixtures.template, ["metadata", "labels", "version"], "v2")
        let labelled = PodSpecComparison.compare(template: l, pod: Fixtures.livePod(), kind: .deployment)
        #expect(labelled.blockedFields == [], "a label is changed in place (issue 11)")
        #expect(labelled.metadataChanges == [MetadataChange(field: .labels, key: "version", from: nil, to: "v2")])
    }

    @Test func explicitDefaultsAndEquivalentQuantitiesAreEqual() {
        var t = Fixtures.setContainerField(Fixtures.template, container: 0, field: "imagePullPolicy", "IfNotPresent")
        t = Fixtures.setContainerField(t, container: 0, field: "resources",
            ["limits": ["cpu": "500m", "memory": "134217728"], "requests": ["cpu": 0.5]])
        t[path: ["spec", "dnsPolicy"]] = "ClusterFirst"
        t[path: ["spec", "hostNetwork"]] = false
        #expect(PodSpecComparison.compare(template: t, pod: Fixtures.livePod(), kind: .deployment).isEmpty)
    }

    @Test func changedDefaultIsADifference() {
        let t = Fixtures.with(Fixtures.template, ["spec", "enableServiceLinks"], false)
        #expect(PodSpecComparison.compare(template: t, pod: Fixtures.livePod(), kind: .deployment).blockedFields
            == ["spec.enableServiceLinks"])
    }

    @Test func initContainerImageChangeIsBlocked() {
        var t = Fixtures.template
        t[path: ["spec", "initContainers"]] = [["name": "init", "image": "busybox:2"]]
        var pod = Fixtures.livePod()
        pod[path: ["spec", "initContainers"]] = [["name": "init", "image": "busybox:1", "imagePullPolicy": "IfNotPresent",
            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "resources": [:]]]
        #expect(PodSpecComparison.compare(template: t, pod: pod, kind: .deployment).blockedFields
            == ["spec.initContainers[init].image (init containers do not run again in place)"])
    }

    @Test func daemonSetNodeAffinityIsIgnored() {
        var pod = Fixtures.livePod()
        pod[path: ["spec", "affinity"]] = ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": [
            "nodeSelectorTerms": [["matchFields": [["key": "metadata.name", "operator": "In", "values": ["node-1"]]]]]]]]
        #expect(PodSpecComparison.compare(template: Fixtures.template, pod: pod, kind: .daemonSet).isEmpty)
        #expect(PodSpecComparison.compare(template: Fixtures.template, pod: pod, kind: .deployment).blockedFields == ["spec.affinity"])
    }

    @Test func quantitiesParse() {
        #expect(Quantity("500m") == Quantity("0.5"))
        #expect(Quantity("1Gi") == Quantity("1073741824"))
        #expect(Quantity("1e3") == Quantity("1k"))
        #expect(Quantity("1Mi") != Quantity("1M"))
        #expect(Quantity("abc") == nil)
    }
}
