import Foundation
import JSON
import YAML

extension Scenario {
    /// Loads a scenario file (JSON or YAML):
    /// ```
    /// {"namespace": "default", "nodes": 3, "kubeletVersions": {"node-1": "v1.31.4"},
    ///  "server": {"pageSizeCap": 500, "bookmarkIntervalSeconds": 60, "watchHistorySize": 10000,
    ///             "bearerToken": "t", "basicAuth": {"username": "u", "password": "p"},
    ///             "gracefulPodDeletion": false, "randomSeed": 1},
    ///  "manifests": ["app.yaml"],                 // files, relative to the scenario file
    ///  "objects": [{...}],                        // inline manifests
    ///  "workloads": [{"manifest": {...} | "file": "x.yaml", "replicas": 4,
    ///                 "podConditions": {"InPlaceUpdateReady": "True"}}],
    ///  "replicas": {"web": 4}, "podConditions": {"web": {"InPlaceUpdateReady": "True"}},
    ///  "imageDigests": {"nginx:1.25": "sha256:..."},
    ///  "pods": [{"workload": "web", "index": 0, "ready": false, "crashLooping": true, "container": "app",
    ///            "imagePullError": false, "restartCount": 3, "phase": "Running", "podName": "x",
    ///            "conditions": {"T": "True"}, "images": {"app": "nginx:1.24"},
    ///            "labels": {}, "annotations": {}}],
    ///  "cluster": {...}}                          // see ClusterOptions.from
    /// ```
    public static func load(path: String) throws(KubeSimError) -> Scenario {
        let value = try ManifestFiles.readDocuments(path)
        guard value.count == 1, let doc = value.first else { throw .scenario("\(path): expected one document") }
        let dir = (path as NSString).deletingLastPathComponent
        return try from(doc, baseDirectory: dir.isEmpty ? "." : dir)
    }

    /// Builds a scenario from its JSON form (see `load(path:)`); manifest files are read relative to `baseDirectory`.
    public static func from(_ doc: JSONValue, baseDirectory: String = ".") throws(KubeSimError) -> Scenario {
        guard doc.object != nil else { throw .scenario("a scenario must be an object") }
        var s = Scenario()
        if let ns = doc["namespace"]?.string { s.namespace = ns }
        if let n = doc["nodes"]?.int ?? doc["nodeCount"]?.int {
            guard n >= 1 else { throw .scenario("nodes must be at least 1") }
            s.nodeCount = n
        }
        if let srv = doc["server"] { s.server = try serverOptions(srv) }
        for (node, v) in doc["kubeletVersions"]?.object.map({ $0.members.map { ($0.key, $0.value) } }) ?? [] {
            guard let version = v.string else { throw .scenario("kubeletVersions[\(node)] must be a version string such as \"v1.31.4\"") }
            s.kubeletVersions[node] = version
        }
        if let c = doc["cluster"] { s.cluster = try ClusterOptions.from(c, defaultNamespace: s.namespace) }
        for (k, v) in doc["imageDigests"]?.object.map({ $0.members.map { ($0.key, $0.value) } }) ?? [] {
            guard let d = v.string, d.hasPrefix("sha256:") else { throw .scenario("imageDigests[\(k)] must be a \"sha256:...\" string") }
            s.imageDigests[k] = d
        }
        for f in doc["manifests"]?.array ?? [] {
            guard let file = f.string else { throw .scenario("manifests must be a list of file names") }
            s.add(manifests: try ManifestFiles.readDocuments(resolve(file, baseDirectory)))
        }
        s.add(manifests: doc["objects"]?.array ?? [])
        for w in doc["workloads"]?.array ?? [] {
            var manifests: [JSONValue] = []
            if let m = w["manifest"] { manifests = [m] } else if let f = w["file"]?.string {
                manifests = try ManifestFiles.readDocuments(resolve(f, baseDirectory))
            } else {
                throw .scenario("a workload needs \"manifest\" or \"file\"")
            }
            for m in manifests {
                guard Scenario.workloadKinds.contains(m["kind"]?.string ?? "") else {
                    s.objects.append(m)
                    continue
                }
                var wl = Workload(m, replicas: w["replicas"]?.int)
                wl.podConditions = JSONValue.stringMap(w["podConditions"])
                s.workloads.append(wl)
            }
        }
        for i in s.workloads.indices {
            if let r = doc[path: ["replicas", s.workloads[i].name]]?.int { s.workloads[i].replicas = r }
            let conds = JSONValue.stringMap(doc[path: ["podConditions", s.workloads[i].name]])
            for (k, v) in conds { s.workloads[i].podConditions[k] = v }
        }
        for p in doc["pods"]?.array ?? [] {
            var o = PodOverride()
            o.workload = p["workload"]?.string
            o.index = p["index"]?.int
            o.podName = p["podName"]?.string ?? p["pod"]?.string
            o.container = p["container"]?.string
            o.ready = p["ready"]?.bool
            o.crashLooping = p["crashLooping"]?.bool ?? false
            o.imagePullError = p["imagePullError"]?.bool ?? false
            o.restartCount = p["restartCount"]?.int
            o.phase = p["phase"]?.string
            o.conditions = JSONValue.stringMap(p["conditions"])
            o.images = JSONValue.stringMap(p["images"])
            o.labels = JSONValue.stringMap(p["labels"])
            o.annotations = JSONValue.stringMap(p["annotations"])
            s.podOverrides.append(o)
        }
        return s
    }

    static func resolve(_ file: String, _ base: String) -> String {
        file.hasPrefix("/") ? file : (base as NSString).appendingPathComponent(file)
    }

    static func serverOptions(_ v: JSONValue) throws(KubeSimError) -> ServerOptions {
        var o = ServerOptions()
        if let p = v["port"]?.int { o.port = UInt16(clamping: p) }
        if let n = v["pageSizeCap"]?.int ?? v["pageSize"]?.int { o.pageSizeCap = n }
        if let d = v["bookmarkIntervalSeconds"]?.double { o.bookmarkIntervalSeconds = d }
        if let n = v["watchHistorySize"]?.int { o.watchHistorySize = n }
        if let t = v["bearerToken"]?.string { o.bearerToken = t }
        if let b = v["basicAuth"] {
            guard let u = b["username"]?.string, let p = b["password"]?.string else {
                throw .scenario("server.basicAuth needs username and password")
            }
            o.basicAuth = .init(username: u, password: p)
        }
        if let d = v["defaultWatchTimeoutSeconds"]?.double { o.defaultWatchTimeoutSeconds = d }
        if let g = v["gracefulPodDeletion"]?.bool { o.gracefulPodDeletion = g }
        if let s = v["kubernetesVersion"]?.string { o.kubernetesVersion = s }
        if let n = v["randomSeed"]?.int { o.randomSeed = UInt64(bitPattern: Int64(n)) }
        return o
    }
}

/// Reads manifest files: JSON documents, or YAML (multi-document) streams.
public enum ManifestFiles {
    /// The documents of a file.
    public static func readDocuments(_ path: String) throws(KubeSimError) -> [JSONValue] {
        guard let data = FileManager.default.contents(atPath: path) else { throw .io("cannot read \(path)") }
        let bytes = [UInt8](data)
        let lower = path.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            return try YAMLManifests.documents(bytes, fileName: path)
        }
        do {
            return [try JSONValue(parsing: bytes)]
        } catch {
            throw .scenario("\(path): \(error.description)")
        }
    }
}

/// YAML manifests, read as kubectl reads them (the YAML module).
enum YAMLManifests {
    static func documents(_ bytes: [UInt8], fileName: String) throws(KubeSimError) -> [JSONValue] {
        do {
            return try YAML.documents(from: bytes, fileName: fileName).map(\.value)
        } catch {
            throw .scenario("\(error)")
        }
    }
}
