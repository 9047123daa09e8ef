import Foundation
import JSON
import KubeSim
import Synchronization

/// Scenarios for the rollout acceptance tests: gated workloads with Ready pods, the Services
/// traffic goes through, an image digest table where tags can share a digest, and latencies.
enum RolloutScenario {
    /// Digests of the images the tests use; `nginx:1.25.5` shares `nginx:1.25`'s digest.
    static let digests: [String: String] = [
        "nginx:1.25": "sha256:a484819eb60211f5299034ac80f6a681b06f89e65866ce91f356ed7c72af059c",
        "nginx:1.25.5": "sha256:a484819eb60211f5299034ac80f6a681b06f89e65866ce91f356ed7c72af059c",
        "nginx:1.27": "sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
        "busybox:1.36": "sha256:5eef5ed34e1e1ff0a4ae850395cbf665c4de6b4b83a32a0bc7bcb998e24e7bbb",
        "postgres:16.2": "sha256:4aea012537edfad80f98d870a36e6b90b4c09b27be7f4b4759d72db863baeebb",
        "postgres:16.3": "sha256:1bf73ccae25238fa555100080042f0b2f9be08eb757e200fe6afc1fc413a1b3c",
    ]

    /// A Service `name` selecting `app=name` on the container port named `http`.
    static func service(_ name: String) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
            "spec": ["selector": ["app": .string(name)], "ports": [["name": "http", "port": 80, "targetPort": "http"]]],
        ]
    }

    /// Workloads whose pods are Ready with `InPlaceUpdateReady=True` (unless `ungated`), Services for
    /// `services`, the digest table, and a running cluster with these latencies and load generators
    /// (tracking pod generation when `podGeneration`).
    static func make(_ manifests: [JSONValue], services: [String] = [], nodeCount: Int = 3, latencies: Latencies = .zero,
                     traffic: [TrafficSpec] = [], images: ImageBehaviour = ImageBehaviour(), ungated: Bool = false,
                     podGeneration: Bool = false) -> Scenario {
        Scenario(
            namespace: "default", nodeCount: nodeCount,
            workloads: manifests.map { Scenario.Workload($0, podConditions: ungated ? [:] : ["InPlaceUpdateReady": "True"]) },
            objects: services.map(service), imageDigests: digests,
            cluster: ClusterOptions(latencies: latencies, images: images, traffic: traffic, podGeneration: podGeneration))
    }

    /// Small nonzero kubelet latencies, so a container really is down for a while when it restarts.
    static let restartLatencies = Latencies(kill: 0.03, pull: 0.05, start: 0.03, readiness: 0.05, endpointPropagation: 0.15)
}

/// What the tests compare about one pod before and after a rollout.
struct PodFacts: Equatable, CustomStringConvertible {
    var name: String
    var uid: String
    var ip: String
    var node: String
    /// Spec image per container.
    var images: [String: String]
    /// Running containerID and restart count per container (from the status).
    var containerIDs: [String: String]
    var restartCounts: [String: Int]
    /// The `InPlaceUpdateReady` condition's status (nil when absent).
    var gate: String?
    var ready: Bool
    var labels: [String: String]
    var hasStateAnnotation: Bool

    init(_ pod: JSONValue) {
        name = pod[path: ["metadata", "name"]]?.string ?? ""
        uid = pod[path: ["metadata", "uid"]]?.string ?? ""
        ip = pod[path: ["status", "podIP"]]?.string ?? ""
        node = pod[path: ["spec", "nodeName"]]?.string ?? ""
        var images: [String: String] = [:]
        for c in pod[path: ["spec", "containers"]]?.array ?? [] { images[c["name"]?.string ?? ""] = c["image"]?.string ?? "" }
        self.images = images
        var ids: [String: String] = [:], counts: [String: Int] = [:]
        for s in pod[path: ["status", "containerStatuses"]]?.array ?? [] {
            let n = s["name"]?.string ?? ""
            ids[n] = s["containerID"]?.string ?? ""
            counts[n] = s["restartCount"]?.int ?? 0
        }
        containerIDs = ids
        restartCounts = counts
        let conditions = pod[path: ["status", "conditions"]]?.array ?? []
        gate = conditions.first { $0["type"]?.string == "InPlaceUpdateReady" }?["status"]?.string
        ready = conditions.first { $0["type"]?.string == "Ready" }?["status"]?.string == "True"
        var labels: [String: String] = [:]
        for m in pod[path: ["metadata", "labels"]]?.object ?? [:] { labels[m.key] = m.value.string ?? "" }
        self.labels = labels
        hasStateAnnotation = pod[path: ["metadata", "annotations", "inplace.kubectl.io/state"]] != nil
    }

    var description: String {
        "\(name) uid=\(uid.prefix(8)) ip=\(ip) images=\(images.sorted { $0.key < $1.key }) gate=\(gate ?? "-") ready=\(ready) restarts=\(restartCounts.sorted { $0.key < $1.key })"
    }
}

/// One of the binary's writes to a pod, classified by the step of the in-place sequence it makes.
struct PodWrite: CustomStringConvertible {
    enum Kind: String { case record, gateOff, imagePatch, gateOn, other }
    var pod: String
    var kind: Kind
    /// The write sets the update record (alone, or with the gate when the pod's turn came first).
    var recordsState: Bool
    var entry: RequestLogEntry

    var time: Date { entry.timestamp }
    var description: String { "\(kind.rawValue) \(pod) (\(entry.statusCode))" }

    /// The writes to pods of namespace `namespace` among `entries`, in arrival order.
    static func of(_ entries: [RequestLogEntry], namespace: String = "default") -> [PodWrite] {
        let prefix = "/api/v1/namespaces/\(namespace)/pods/"
        return entries.filter { $0.isWrite && $0.path.hasPrefix(prefix) }.map { e in
            let rest = e.path.dropFirst(prefix.count).split(separator: "/")
            let pod = String(rest.first ?? "")
            let body = e.bodyJSON
            var kind = Kind.other
            if rest.count == 2 && rest[1] == "status" {
                let gate = (body?[path: ["status", "conditions"]]?.array ?? []).first { $0["type"]?.string == "InPlaceUpdateReady" }
                switch gate?["status"]?.string {
                case "False": kind = .gateOff
                case "True": kind = .gateOn
                default: kind = .other
                }
            } else if rest.count == 1 {
                if body?[path: ["spec", "containers"]] != nil || body?[path: ["spec", "initContainers"]] != nil {
                    kind = .imagePatch
                } else if body?[path: ["metadata", "annotations", "inplace.kubectl.io/state"]] != nil {
                    kind = .record
                }
            }
            let recordsState = body?[path: ["metadata", "annotations", "inplace.kubectl.io/state"]] != nil
            return PodWrite(pod: pod, kind: kind, recordsState: recordsState, entry: e)
        }
    }
}

extension TestCluster {
    /// The pods (not terminating) whose names start with `prefix`.
    func livePods(prefix: String, namespace: String = "default") -> [JSONValue] {
        server.store.list(Resources.pods, namespace: namespace).items
            .filter { ($0[path: ["metadata", "name"]]?.string ?? "").hasPrefix(prefix) }
            .filter { $0[path: ["metadata", "deletionTimestamp"]] == nil }
    }

    /// `livePods` as facts, by name.
    func facts(prefix: String) -> [String: PodFacts] {
        Dictionary(uniqueKeysWithValues: livePods(prefix: prefix).map { p in let f = PodFacts(p); return (f.name, f) })
    }

    /// Requests made by the binary (not by the simulator's own components or the test's in-process client).
    var ourRequests: [RequestLogEntry] { server.requestLog.entries.filter { $0.userAgent.hasPrefix("kubectl-inplace") } }

    /// Writes made by the binary.
    var ourWrites: [RequestLogEntry] { ourRequests.filter(\.isWrite) }

    /// One object from the store.
    func object(_ r: ResourceType, _ name: String, namespace: String = "default") -> JSONValue? {
        server.store.get(r, namespace: namespace, name: name)
    }

    /// The ReplicaSets owned by Deployment `name`, by name.
    func replicaSets(of deployment: String) -> [String: JSONValue] {
        let uid = object(Resources.deployments, deployment)?[path: ["metadata", "uid"]]?.string ?? "?"
        var out: [String: JSONValue] = [:]
        for rs in server.store.list(Resources.replicaSets, namespace: "default").items
        where (rs[path: ["metadata", "ownerReferences"]]?.array ?? []).contains(where: { $0["uid"]?.string == uid }) {
            out[rs[path: ["metadata", "name"]]?.string ?? ""] = rs
        }
        return out
    }

    /// The rollout record on a workload, parsed.
    func record(_ r: ResourceType, _ name: String) -> JSONValue? {
        guard let text = object(r, name)?[path: ["metadata", "annotations", "inplace.kubectl.io/rollout"]]?.string else { return nil }
        return try? JSONValue(parsing: text)
    }

    /// Lets the simulation finish what it has to do, waits `seconds` more (controllers get their
    /// chance to act on what the rollout left), and lets it settle again.
    func settle(thenWait seconds: Double = 0) {
        server.cluster.waitUntilIdle(timeout: 10)
        if seconds > 0 {
            usleep(UInt32(seconds * 1_000_000))
            server.cluster.waitUntilIdle(timeout: 10)
        }
    }

    /// `status TARGET -o json`: the items of the RolloutStatusList.
    func statusJSON(_ target: String) throws -> [JSONValue] {
        let r = try run(["status", target, "-o", "json"])
        guard r.status == 0 else { throw E2EError.failedRun(r) }
        do {
            let v = try JSONValue(parsing: r.stdout)
            return v["items"]?.array ?? []
        } catch {
            throw E2EError.notJSON("\(error)", r)
        }
    }
}

/// Standard output of `-o json` as one parsed object per line.
enum JSONLines {
    /// Every line parsed; throws at the first line that is not a JSON object.
    static func parse(_ text: String) throws -> [JSONValue] {
        var out: [JSONValue] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let v: JSONValue
            do { v = try JSONValue(parsing: String(line)) } catch { throw E2EError.io("line \(i + 1) is not JSON (\(error)): \(line)") }
            guard v.object != nil else { throw E2EError.io("line \(i + 1) is not an object: \(line)") }
            out.append(v)
        }
        return out
    }
}

/// Plays a gate keeper in the test process: pods with the readiness gate but no
/// `InPlaceUpdateReady` condition get it True (as `kubectl inplace controller` would), so pods a
/// native rollout creates become Ready.
final class TestGateKeeper: Sendable {
    private let stopped = Mutex(false)
    private let done = DispatchSemaphore(value: 0)

    init(_ server: KubeSimServer, namespace: String = "default") {
        let thread = Thread { [self] in
            while !stopped.withLock({ $0 }) {
                for pod in server.store.list(Resources.pods, namespace: namespace).items {
                    let gated = (pod[path: ["spec", "readinessGates"]]?.array ?? []).contains { $0["conditionType"]?.string == "InPlaceUpdateReady" }
                    let marked = (pod[path: ["status", "conditions"]]?.array ?? []).contains { $0["type"]?.string == "InPlaceUpdateReady" }
                    guard gated, !marked, pod[path: ["spec", "nodeName"]] != nil,
                          let name = pod[path: ["metadata", "name"]]?.string else { continue }
                    _ = server.client.patch(Resources.pods, namespace: namespace, name: name, subresource: "status",
                                            patch: ["status": ["conditions": [["type": "InPlaceUpdateReady", "status": "True"]]]])
                }
                usleep(20_000)
            }
            done.signal()
        }
        thread.start()
    }

    /// Stops marking.
    func stop() {
        stopped.withLock { $0 = true }
        done.wait()
    }
}
