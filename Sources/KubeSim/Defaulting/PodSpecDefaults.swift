import JSON

/// The defaults the API server's decoder sets on a pod spec (pkg/apis/core/v1/defaults.go):
/// SetDefaults_PodSpec, _Container, _ContainerPort, _Probe, _HTTPGetAction, _Volume, ... plus the
/// quantity canonicalisation of resources and SetDefaults_Pod's requests-from-limits.
public enum PodSpecDefaults {
    /// Defaults a whole pod spec in place.
    public static func apply(_ spec: inout JSONValue) {
        guard case .object(var s) = spec else { return }
        if s["dnsPolicy"] == nil { s["dnsPolicy"] = "ClusterFirst" }
        if s["restartPolicy"] == nil { s["restartPolicy"] = "Always" }
        if s["terminationGracePeriodSeconds"] == nil { s["terminationGracePeriodSeconds"] = 30 }
        if s["securityContext"] == nil || s["securityContext"]!.isNull { s["securityContext"] = .emptyObject }
        if s["schedulerName"] == nil { s["schedulerName"] = "default-scheduler" }
        if s["enableServiceLinks"] == nil { s["enableServiceLinks"] = true }
        let hostNetwork = s["hostNetwork"]?.bool ?? false
        for field in ["containers", "initContainers"] {
            if var list = s[field]?.array {
                for i in list.indices { container(&list[i], hostNetwork: hostNetwork) }
                s[field] = .array(list)
            }
        }
        if var list = s["ephemeralContainers"]?.array {
            for i in list.indices { container(&list[i], hostNetwork: false) }
            s["ephemeralContainers"] = .array(list)
        }
        if var volumes = s["volumes"]?.array {
            for i in volumes.indices { volume(&volumes[i]) }
            s["volumes"] = .array(volumes)
        }
        if case .object(var overhead)? = s["overhead"] {
            canonicalize(&overhead)
            s["overhead"] = .object(overhead)
        }
        spec = .object(s)
    }

    /// Defaults one container.
    static func container(_ c: inout JSONValue, hostNetwork: Bool) {
        guard case .object(var o) = c else { return }
        if o["imagePullPolicy"] == nil, let image = o["image"]?.string {
            o["imagePullPolicy"] = .string(ImageReference.tag(of: image) == "latest" ? "Always" : "IfNotPresent")
        }
        if o["terminationMessagePath"] == nil { o["terminationMessagePath"] = "/dev/termination-log" }
        if o["terminationMessagePolicy"] == nil { o["terminationMessagePolicy"] = "File" }
        var resources = o["resources"]?.object ?? JSONObject()
        if case .object(var limits)? = resources["limits"] {
            canonicalize(&limits)
            resources["limits"] = .object(limits)
            var requests = resources["requests"]?.object ?? JSONObject()
            for m in limits where requests[m.key] == nil { requests[m.key] = m.value }
            if !requests.isEmpty { resources["requests"] = .object(requests) }
        }
        if case .object(var requests)? = resources["requests"] {
            canonicalize(&requests)
            resources["requests"] = .object(requests)
        }
        o["resources"] = .object(resources)
        if var ports = o["ports"]?.array {
            for i in ports.indices {
                if ports[i]["protocol"] == nil { ports[i]["protocol"] = "TCP" }
                if hostNetwork, ports[i]["hostPort"] == nil, let p = ports[i]["containerPort"] { ports[i]["hostPort"] = p }
            }
            o["ports"] = .array(ports)
        }
        if var env = o["env"]?.array {
            for i in env.indices {
                if env[i][path: ["valueFrom", "fieldRef"]] != nil, env[i][path: ["valueFrom", "fieldRef", "apiVersion"]] == nil {
                    env[i][path: ["valueFrom", "fieldRef", "apiVersion"]] = "v1"
                }
                if env[i][path: ["valueFrom", "resourceFieldRef"]] != nil {
                    if let d = env[i][path: ["valueFrom", "resourceFieldRef", "divisor"]]?.string {
                        env[i][path: ["valueFrom", "resourceFieldRef", "divisor"]] = .string(Quantity.canonical(d) ?? d)
                    } else {
                        env[i][path: ["valueFrom", "resourceFieldRef", "divisor"]] = "0"
                    }
                }
            }
            o["env"] = .array(env)
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            if case .object(var p)? = o[probe] {
                if p["timeoutSeconds"] == nil { p["timeoutSeconds"] = 1 }
                if p["periodSeconds"] == nil { p["periodSeconds"] = 10 }
                if p["successThreshold"] == nil { p["successThreshold"] = 1 }
                if p["failureThreshold"] == nil { p["failureThreshold"] = 3 }
                handler(&p)
                o[probe] = .object(p)
            }
        }
        if case .object(var lifecycle)? = o["lifecycle"] {
            for hook in ["postStart", "preStop"] {
                if case .object(var h)? = lifecycle[hook] {
                    handler(&h)
                    lifecycle[hook] = .object(h)
                }
            }
            o["lifecycle"] = .object(lifecycle)
        }
        c = .object(o)
    }

    private static func handler(_ h: inout JSONObject) {
        if case .object(var get)? = h["httpGet"] {
            if get["path"] == nil { get["path"] = "/" }
            if get["scheme"] == nil { get["scheme"] = "HTTP" }
            h["httpGet"] = .object(get)
        }
        if case .object(var grpc)? = h["grpc"] {
            if grpc["service"] == nil { grpc["service"] = "" }
            h["grpc"] = .object(grpc)
        }
    }

    /// Defaults one volume.
    static func volume(_ v: inout JSONValue) {
        guard case .object(var o) = v else { return }
        let sources = o.keys.filter { $0 != "name" }
        if sources.isEmpty { o["emptyDir"] = .emptyObject }
        for kind in ["secret", "configMap", "downwardAPI", "projected"] {
            if case .object(var s)? = o[kind] {
                if s["defaultMode"] == nil { s["defaultMode"] = 420 }
                if kind == "downwardAPI" { s["items"] = fieldRefDefaults(s["items"]) }
                if kind == "projected", var srcs = s["sources"]?.array {
                    for i in srcs.indices {
                        if srcs[i]["serviceAccountToken"] != nil, srcs[i][path: ["serviceAccountToken", "expirationSeconds"]] == nil {
                            srcs[i][path: ["serviceAccountToken", "expirationSeconds"]] = 3600
                        }
                        if srcs[i]["downwardAPI"] != nil {
                            srcs[i][path: ["downwardAPI", "items"]] = fieldRefDefaults(srcs[i][path: ["downwardAPI", "items"]])
                        }
                    }
                    s["sources"] = .array(srcs)
                }
                o[kind] = .object(s)
            }
        }
        if case .object(var hp)? = o["hostPath"] {
            if hp["type"] == nil { hp["type"] = "" }
            o["hostPath"] = .object(hp)
        }
        if case .object(var ed)? = o["emptyDir"], let size = ed["sizeLimit"]?.string {
            ed["sizeLimit"] = .string(Quantity.canonical(size) ?? size)
            o["emptyDir"] = .object(ed)
        }
        v = .object(o)
    }

    private static func fieldRefDefaults(_ items: JSONValue?) -> JSONValue? {
        guard var list = items?.array else { return items }
        for i in list.indices where list[i]["fieldRef"] != nil && list[i][path: ["fieldRef", "apiVersion"]] == nil {
            list[i][path: ["fieldRef", "apiVersion"]] = "v1"
        }
        return .array(list)
    }

    /// Canonicalises every quantity string of a resource list.
    static func canonicalize(_ list: inout JSONObject) {
        for m in list {
            switch m.value {
            case .string(let s): if let c = Quantity.canonical(s) { list[m.key] = .string(c) }
            case .int(let i): list[m.key] = .string(Quantity.canonical(String(i)) ?? String(i))
            case .double(let d): list[m.key] = .string(Quantity.canonical(String(d)) ?? String(d))
            default: break
            }
        }
    }
}

/// Image reference parsing as the kubelet and defaulting read it (docker reference grammar).
public enum ImageReference {
    /// The tag: "latest" when there is neither tag nor digest, "" when only a digest.
    public static func tag(of image: String) -> String {
        let noDigest = image.split(separator: "@", maxSplits: 1).first.map(String.init) ?? image
        let hasDigest = image.contains("@")
        let lastSlash = noDigest.lastIndex(of: "/")
        let nameAndTag = lastSlash.map { String(noDigest[noDigest.index(after: $0)...]) } ?? noDigest
        if let colon = nameAndTag.lastIndex(of: ":") { return String(nameAndTag[nameAndTag.index(after: colon)...]) }
        return hasDigest ? "" : "latest"
    }

    /// The repository fully qualified the way containerd reports it ("nginx" → "docker.io/library/nginx").
    public static func repository(of image: String) -> String {
        let noDigest = image.split(separator: "@", maxSplits: 1).first.map(String.init) ?? image
        var repo = noDigest
        if let slash = noDigest.lastIndex(of: "/") {
            let last = noDigest[noDigest.index(after: slash)...]
            if let colon = last.lastIndex(of: ":") { repo = String(noDigest[..<colon]) }
        } else if let colon = noDigest.lastIndex(of: ":") {
            repo = String(noDigest[..<colon])
        }
        let firstComponent = repo.split(separator: "/", maxSplits: 1).first.map(String.init) ?? repo
        let hasRegistry = repo.contains("/") && (firstComponent.contains(".") || firstComponent.contains(":") || firstComponent == "localhost")
        if hasRegistry { return repo }
        if !repo.contains("/") { return "docker.io/library/" + repo }
        return "docker.io/" + repo
    }

    /// The image as containerd reports it in container statuses ("nginx:1.25" → "docker.io/library/nginx:1.25").
    public static func normalized(_ image: String) -> String {
        let repo = repository(of: image)
        if let at = image.firstIndex(of: "@") { return repo + image[at...] }
        let t = tag(of: image)
        return repo + ":" + (t.isEmpty ? "latest" : t)
    }
}
