import JSON

/// Builds the status a kubelet reports for a running pod: conditions (with readiness gates),
/// container statuses with imageID/containerID, IPs, QoS; and applies per-pod overrides
/// (not ready, crash-looping, image pull errors).
public struct PodStatusFactory: Sendable {
    /// Image digests ("nginx:1.25" → "sha256:...").
    public var imageDigests: [String: String]
    let random: SimRandom

    /// A factory using a digest table and a random source for container IDs.
    public init(imageDigests: [String: String], random: SimRandom) {
        self.imageDigests = imageDigests
        self.random = random
    }

    /// The imageID a runtime reports for an image: "docker.io/library/nginx@sha256:...".
    public func imageID(for image: String) -> String {
        if let at = image.firstIndex(of: "@") { return ImageReference.repository(of: image) + image[at...] }
        let digest = imageDigests[image] ?? imageDigests[ImageReference.normalized(image)] ?? ControllerHash.digest(forImage: ImageReference.normalized(image))
        return ImageReference.repository(of: image) + "@" + digest
    }

    /// A new "containerd://<64 hex>" ID.
    public func newContainerID() -> String { "containerd://" + random.hex(64) }

    /// A running container's `volumeMounts` status, as the kubelet reports its spec's mounts.
    static func volumeMountStatuses(_ container: JSONValue?) -> [JSONValue] {
        (container?["volumeMounts"]?.array ?? []).map { m in
            var v = JSONObject()
            v["name"] = m["name"] ?? ""
            v["mountPath"] = m["mountPath"] ?? ""
            if m["readOnly"]?.bool == true {
                v["readOnly"] = true
                v["recursiveReadOnly"] = "Disabled"
            }
            return .object(v)
        }
    }

    /// The running status of a container.
    public func runningStatus(_ container: JSONValue, startedAt: String, ready: Bool = true, restartCount: Int = 0) -> JSONValue {
        let name = container["name"]?.string ?? ""
        let image = container["image"]?.string ?? ""
        var o = JSONObject()
        o["containerID"] = .string(newContainerID())
        o["image"] = .string(ImageReference.normalized(image))
        o["imageID"] = .string(imageID(for: image))
        o["lastState"] = .emptyObject
        o["name"] = .string(name)
        o["ready"] = .bool(ready)
        o["restartCount"] = .int(restartCount)
        o["started"] = true
        o["state"] = ["running": ["startedAt": .string(startedAt)]]
        let mounts = Self.volumeMountStatuses(container)
        if !mounts.isEmpty { o["volumeMounts"] = .array(mounts) }
        return .object(o)
    }

    /// A condition in the kubelet's shape.
    public static func condition(_ type: String, _ status: Bool, at time: String, reason: String? = nil, message: String? = nil) -> JSONValue {
        var c = JSONObject()
        c["type"] = .string(type)
        c["status"] = .string(status ? "True" : "False")
        c["lastProbeTime"] = .null
        c["lastTransitionTime"] = .string(time)
        if let reason { c["reason"] = .string(reason) }
        if let message { c["message"] = .string(message) }
        return .object(c)
    }

    /// The Ready condition the kubelet computes from ContainersReady and the readiness gates.
    public static func readyCondition(spec: JSONValue?, conditions: [JSONValue], containersReady: Bool, unready: [String], at time: String)
        -> JSONValue
    {
        if !containersReady {
            return condition("Ready", false, at: time, reason: "ContainersNotReady", message: "containers with unready status: [\(unready.joined(separator: " "))]")
        }
        var messages: [String] = []
        for gate in spec?["readinessGates"]?.array ?? [] {
            let t = gate["conditionType"]?.string ?? ""
            if let c = conditions.first(where: { $0["type"]?.string == t }) {
                let s = c["status"]?.string ?? ""
                if s != "True" { messages.append("the status of pod readiness gate \"\(t)\" is not \"True\", but \(s)") }
            } else {
                messages.append("corresponding condition of pod readiness gate \"\(t)\" does not exist.")
            }
        }
        if !messages.isEmpty {
            return condition("Ready", false, at: time, reason: "ReadinessGatesNotReady", message: messages.joined(separator: ", "))
        }
        return condition("Ready", true, at: time)
    }

    /// The full status of a pod running on `hostIP` with `podIP`, with `extraConditions` (e.g.
    /// readiness-gate conditions) and the overrides that apply.
    public func status(
        for pod: JSONValue, hostIP: String, podIP: String, startedAt: String, extraConditions: [String: String] = [:],
        overrides: [Scenario.PodOverride] = []
    ) -> JSONValue {
        let spec = pod["spec"]
        let podName = pod.metaName
        var containerStatuses: [JSONValue] = []
        var unready: [String] = []
        var anyStarted = false
        var phase = "Running"
        for c in spec?["containers"]?.array ?? [] {
            let name = c["name"]?.string ?? ""
            let mine = overrides.filter { $0.container == nil || $0.container == name }
            let ready = mine.compactMap(\.ready).last ?? true
            let restarts = mine.compactMap(\.restartCount).last
            var s: JSONValue
            if mine.contains(where: \.imagePullError) {
                let image = c["image"]?.string ?? ""
                s = runningStatus(c, startedAt: startedAt, ready: false, restartCount: restarts ?? 0)
                s["containerID"] = nil
                s["image"] = .string(image)
                s["imageID"] = ""
                s["started"] = false
                s["state"] = ["waiting": ["reason": "ImagePullBackOff", "message": .string("Back-off pulling image \"\(image)\"")]]
                unready.append(name)
            } else if mine.contains(where: \.crashLooping) {
                s = runningStatus(c, startedAt: startedAt, ready: false, restartCount: restarts ?? 5)
                let id = s["containerID"] ?? .null
                s["started"] = false
                s["state"] = [
                    "waiting": [
                        "reason": "CrashLoopBackOff",
                        "message": .string("back-off 5m0s restarting failed container=\(name) pod=\(podName)_\(pod.metaNamespace)(\(pod.metaUID))"),
                    ]
                ]
                s["lastState"] = ["terminated": ["exitCode": 1, "reason": "Error", "startedAt": .string(startedAt), "finishedAt": .string(startedAt), "containerID": id]]
                unready.append(name)
                anyStarted = true
            } else {
                s = runningStatus(c, startedAt: startedAt, ready: ready, restartCount: restarts ?? 0)
                if !ready { unready.append(name) }
                anyStarted = true
            }
            containerStatuses.append(s)
        }
        if !anyStarted { phase = "Pending" }
        if let p = overrides.compactMap(\.phase).last { phase = p }
        containerStatuses.sort { ($0["name"]?.string ?? "") < ($1["name"]?.string ?? "") }
        var initStatuses: [JSONValue] = []
        for c in spec?["initContainers"]?.array ?? [] {
            if c["restartPolicy"]?.string == "Always" {
                initStatuses.append(runningStatus(c, startedAt: startedAt))
            } else {
                var s = runningStatus(c, startedAt: startedAt, ready: true)
                let id = s["containerID"] ?? .null
                s["started"] = false
                s["state"] = ["terminated": ["exitCode": 0, "reason": "Completed", "startedAt": .string(startedAt), "finishedAt": .string(startedAt), "containerID": id]]
                initStatuses.append(s)
            }
        }
        let containersReady = unready.isEmpty
        var extras: [JSONValue] = []
        var allExtra = extraConditions
        for o in overrides { for (k, v) in o.conditions { allExtra[k] = v } }
        for (type, status) in allExtra.sorted(by: { $0.key < $1.key }) {
            extras.append(Self.condition(type, status == "True", at: startedAt))
        }
        var conditions: [JSONValue] = [
            Self.condition("PodReadyToStartContainers", true, at: startedAt),
            Self.condition("Initialized", true, at: startedAt),
            Self.readyCondition(spec: spec, conditions: extras, containersReady: containersReady, unready: unready, at: startedAt),
            containersReady
                ? Self.condition("ContainersReady", true, at: startedAt)
                : Self.condition("ContainersReady", false, at: startedAt, reason: "ContainersNotReady", message: "containers with unready status: [\(unready.joined(separator: " "))]"),
            Self.condition("PodScheduled", true, at: startedAt),
        ]
        conditions += extras
        var st = JSONObject()
        st["phase"] = .string(phase)
        st["conditions"] = .array(conditions)
        st["hostIP"] = .string(hostIP)
        st["hostIPs"] = [["ip": .string(hostIP)]]
        st["podIP"] = .string(podIP)
        st["podIPs"] = [["ip": .string(podIP)]]
        st["startTime"] = .string(startedAt)
        if !initStatuses.isEmpty { st["initContainerStatuses"] = .array(initStatuses) }
        st["containerStatuses"] = .array(containerStatuses)
        st["qosClass"] = .string(QoS.of(spec))
        return .object(st)
    }
}
