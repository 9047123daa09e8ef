import JSON
import Testing
@testable import InplaceCore

/// The cached spec comparison gives what comparing every pod gives, over pods that differ in what
/// the cluster writes on each one and in what the template asks for.
@Suite struct SpecComparisonCacheTests {
    typealias Dice = PlanAtScaleTests.Dice

    static let tokenPath = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// A pod of `Fixtures.livePod` with its own token volume name, node, hostname and, now and then,
    /// another image, env, mount, volume, toleration or resources.
    static func pod(_ i: Int, dice: inout Dice, kind: WorkloadKind) -> JSONValue {
        var pod = Fixtures.livePod(name: "web-\(i)", appImage: dice.chance(20) ? "nginx:1.27" : "nginx:1.25",
                                   ready: !dice.chance(10))
        let token = dice.chance(10) ? "kube-api-access-x2x7q" : "kube-api-access-\(String(dice.next(60_000_000), radix: 36))"
        var spec = pod["spec"]!
        var volumes = spec["volumes"]!.array!
        volumes[1]["name"] = .string(token)
        if dice.chance(5) { volumes.append(["name": "extra", "emptyDir": [:]]) }
        if dice.chance(5) { volumes.append(Self.tokenVolume("kube-api-access-other")) }
        spec["volumes"] = .array(volumes)
        var containers = spec["containers"]!.array!
        for c in containers.indices {
            var mounts = containers[c]["volumeMounts"]!.array!.map { m -> JSONValue in
                var m = m
                if m["mountPath"]?.string == Self.tokenPath { m["name"] = .string(token) }
                return m
            }
            if dice.chance(5) { mounts.removeAll { $0["mountPath"]?.string == Self.tokenPath } }
            if dice.chance(5) { mounts.append(["name": "extra", "mountPath": "/extra"]) }
            if dice.chance(3) { mounts.append(["name": "kube-api-access-zz", "mountPath": .string(Self.tokenPath + "-2")]) }
            containers[c]["volumeMounts"] = mounts.isEmpty && dice.chance(50) ? nil : .array(mounts)
        }
        if dice.chance(5) { containers[0]["env"] = [["name": "MODE", "value": "dev"]] }
        if dice.chance(5) { containers[0]["resources"] = ["limits": ["cpu": "1", "memory": "128Mi"]] }
        spec["containers"] = .array(containers)
        spec["nodeName"] = dice.chance(5) ? nil : .string("node-\(dice.next(50))")
        if kind == .statefulSet { spec["hostname"] = .string("web-\(i)") }
        if dice.chance(5) { spec["priority"] = 1000 }
        if dice.chance(5) { spec["tolerations"] = [["key": "dedicated", "operator": "Exists"]] }
        if kind == .daemonSet {
            spec["affinity"] = ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": [
                ["matchFields": [["key": "metadata.name", "operator": "In", "values": [.string("node-\(i)")]]]]]]]]
        }
        pod["spec"] = spec
        return pod
    }

    static func tokenVolume(_ name: String) -> JSONValue {
        ["name": .string(name), "projected": ["sources": [["serviceAccountToken": ["path": "token"]]]]]
    }

    /// Templates that ask for what the pods' cluster-written parts could matter to: a node, a volume
    /// named like a token volume, a mount at the token path, no volumes at all, volumes that are not a list.
    static let templates: [(String, JSONValue)] = {
        let t = Fixtures.template
        func mounts(_ m: JSONValue?) -> JSONValue { Fixtures.setContainerField(t, container: 0, field: "volumeMounts", m) }
        return [
            ("as written", t),
            ("new image", Fixtures.setContainerField(t, container: 0, field: "image", "nginx:1.27")),
            ("a node", Fixtures.with(t, ["spec", "nodeName"], "node-3")),
            ("an empty node", Fixtures.with(t, ["spec", "nodeName"], "")),
            ("a hostname", Fixtures.with(t, ["spec", "hostname"], "web-1")),
            ("the token volume by name", Fixtures.with(t, ["spec", "volumes"], [["name": "cfg", "configMap": ["name": "web-cfg"]],
                                                                                  tokenVolume("kube-api-access-x2x7q")])),
            ("no volumes", Fixtures.with(Fixtures.with(t, ["spec", "volumes"], nil), ["spec", "containers"], .array(
                t[path: ["spec", "containers"]]!.array!.map { c in var c = c; c["volumeMounts"] = nil; return c }))),
            ("volumes not a list", Fixtures.with(t, ["spec", "volumes"], ["cfg": "x"])),
            ("a mount at the token path", mounts([["name": "cfg", "mountPath": "/etc/cfg"],
                                                  ["name": "kube-api-access-x2x7q", "mountPath": .string(tokenPath)]])),
            ("the pod's own token mount", mounts([["name": "cfg", "mountPath": "/etc/cfg"],
                                                  ["name": "kube-api-access-x2x7q", "readOnly": true, "mountPath": .string(tokenPath)]])),
            ("the pod's own token volume", Fixtures.with(t, ["spec", "volumes"], Fixtures.livePod()[path: ["spec", "volumes"]])),
            ("mounts not a list", mounts("cfg")),
            ("mounts null", mounts(.null)),
            ("a priority", Fixtures.with(t, ["spec", "priority"], 1000)),
        ]
    }()

    @Test(arguments: [WorkloadKind.deployment, .statefulSet, .daemonSet])
    func cachedComparisonsEqualComparingEachPod(kind: WorkloadKind) {
        for (name, template) in Self.templates {
            var dice = Dice(state: UInt64(name.utf8.count) &* 7919 &+ UInt64(kind.rawValue.utf8.count))
            var cache = SpecComparisonCache(template: template)
            for i in 0..<300 {
                let pod = Self.pod(i, dice: &dice, kind: kind)
                let slow = PodSpecComparison.compare(template: template, pod: pod, kind: kind)
                let fast = PodSpecComparison.compare(pod: pod, kind: kind, cache: &cache)
                #expect(fast == slow, "\(name), \(kind), pod \(i)")
                let live = PodSpecComparison.liveSpec(of: pod, kind: kind)
                let desired = template["spec"]!
                #expect(SpecComparisonCache.compared(desired, SpecComparisonCache.key(desired: desired, live: live))
                    == SpecComparisonCache.compared(desired, live), "\(name), \(kind), pod \(i): the key compares as the spec")
            }
        }
    }

    @Test func podsThatDifferOnlyInWhatTheClusterWritesAreComparedOnce() {
        var cache = SpecComparisonCache(template: Fixtures.setContainerField(Fixtures.template, container: 0, field: "image", "nginx:1.27"))
        for i in 0..<500 {
            var pod = Fixtures.livePod(name: "web-\(i)")
            pod[path: ["spec", "nodeName"]] = .string("node-\(i % 37)")
            let token = "kube-api-access-\(String(i, radix: 36))"
            pod[path: ["spec", "volumes"]] = .array(pod[path: ["spec", "volumes"]]!.array!.map { v in
                var v = v
                if v["projected"] != nil { v["name"] = .string(token) }
                return v
            })
            pod[path: ["spec", "containers"]] = .array(pod[path: ["spec", "containers"]]!.array!.map { c in
                var c = c
                c["volumeMounts"] = .array(c["volumeMounts"]!.array!.map { m in
                    var m = m
                    if m["mountPath"]?.string == Self.tokenPath { m["name"] = .string(token) }
                    return m
                })
                return c
            })
            let diff = PodSpecComparison.compare(pod: pod, kind: .deployment, cache: &cache)
            #expect(diff.imageChanges == [ImageChange(container: "app", from: "nginx:1.25", to: "nginx:1.27")])
        }
        #expect(cache.misses == 1 && cache.hits == 499)
    }

    @Test func aCacheOfPodsThatAllDifferStopsLooking() {
        var cache = SpecComparisonCache(template: Fixtures.template)
        for i in 0..<200 {
            let pod = Fixtures.with(Fixtures.livePod(), ["spec", "activeDeadlineSeconds"], .int(i + 1))
            #expect(PodSpecComparison.compare(pod: pod, kind: .deployment, cache: &cache).blockedFields == ["spec.activeDeadlineSeconds"])
        }
        #expect(cache.misses == 32 && cache.hits == 0)
    }
}
