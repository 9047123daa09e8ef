import JSON

/// The pod status the kubelet writes (pkg/kubelet/status and generate.go): it owns the phase, its
/// conditions, IPs, start time and container statuses, recomputes Ready from ContainersReady and
/// the readiness gates, keeps every condition it does not own, moves a condition's
/// lastTransitionTime only when its status changes, and reports the generation it synced
/// (`observedGeneration`) where the server tracks pod generation.
enum KubeletStatus {
    /// The condition types the kubelet owns, in the order it lists them.
    static let ownedConditions: [String] = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]

    /// The status of `pod` as the kubelet reports it for runtime `rt`.
    static func compute(_ pod: JSONValue, _ rt: PodRuntime) -> JSONValue {
        var st = pod["status"]?.object ?? JSONObject()
        let spec = pod["spec"]
        let specContainers = spec?["containers"]?.array ?? []
        var statuses: [JSONValue] = []
        var unready: [String] = []
        var neverStarted = false
        for c in specContainers {
            let name = c["name"]?.string ?? ""
            guard let runtime = rt.containers.first(where: { $0.name == name }) else { continue }
            statuses.append(runtime.status(spec: c))
            if !runtime.ready { unready.append(name) }
            if runtime.current == nil { neverStarted = true }
        }
        statuses.sort { ($0["name"]?.string ?? "") < ($1["name"]?.string ?? "") }
        var initStatuses: [JSONValue] = []
        for c in spec?["initContainers"]?.array ?? [] {
            let name = c["name"]?.string ?? ""
            if let sidecar = rt.containers.first(where: { $0.isSidecar && $0.name == name }) {
                initStatuses.append(sidecar.status(spec: c))
                if !sidecar.ready { unready.append(name) }
            } else if let classic = rt.initStatuses.first(where: { $0["name"]?.string == name }) {
                initStatuses.append(classic)
            }
        }
        let containersReady = unready.isEmpty
        let now = Timestamp.now()
        let existing = st["conditions"]?.array ?? []
        func make(_ type: String, _ status: Bool, reason: String? = nil, message: String? = nil) -> JSONValue {
            var time = now
            if let old = existing.first(where: { $0["type"]?.string == type }), old["status"]?.string == (status ? "True" : "False"),
                let t = old["lastTransitionTime"]?.string
            {
                time = t
            }
            return PodStatusFactory.condition(type, status, at: time, reason: reason, message: message)
        }
        let notReadyMessage = "containers with unready status: [\(unready.joined(separator: " "))]"
        var ready = make("Ready", true)
        if !containersReady {
            ready = make("Ready", false, reason: "ContainersNotReady", message: notReadyMessage)
        } else {
            var messages: [String] = []
            for gate in spec?["readinessGates"]?.array ?? [] {
                let t = gate["conditionType"]?.string ?? ""
                if let c = existing.first(where: { $0["type"]?.string == t }) {
                    let s = c["status"]?.string ?? ""
                    if s != "True" { messages.append("the status of pod readiness gate \"\(t)\" is not \"True\", but \(s)") }
                } else {
                    messages.append("corresponding condition of pod readiness gate \"\(t)\" does not exist.")
                }
            }
            if !messages.isEmpty {
                ready = make("Ready", false, reason: "ReadinessGatesNotReady", message: messages.joined(separator: ", "))
            }
        }
        var conditions: [JSONValue] = [
            make("PodReadyToStartContainers", true),
            make("Initialized", true),
            ready,
            containersReady ? make("ContainersReady", true) : make("ContainersReady", false, reason: "ContainersNotReady", message: notReadyMessage),
            existing.first { $0["type"]?.string == "PodScheduled" } ?? make("PodScheduled", true),
        ]
        conditions += existing.filter { !ownedConditions.contains($0["type"]?.string ?? "") }
        if let frozen = rt.frozenPhase {
            st["phase"] = .string(frozen)
        } else {
            st["phase"] = .string(neverStarted ? "Pending" : "Running")
        }
        st["conditions"] = .array(conditions)
        if st["hostIP"] == nil {
            st["hostIP"] = .string(rt.hostIP)
            st["hostIPs"] = [["ip": .string(rt.hostIP)]]
        }
        if st["podIP"] == nil, let ip = rt.podIP {
            st["podIP"] = .string(ip)
            st["podIPs"] = [["ip": .string(ip)]]
        }
        if st["startTime"] == nil { st["startTime"] = .string(rt.startTime) }
        if !initStatuses.isEmpty { st["initContainerStatuses"] = .array(initStatuses) }
        if pod[path: ["metadata", "generation"]] != nil, let g = rt.observedGeneration { st["observedGeneration"] = .int(g) }
        st["containerStatuses"] = .array(statuses)
        if st["qosClass"] == nil { st["qosClass"] = .string(QoS.of(spec)) }
        Kubelet.addResizeStatus(&st, rt, existing: existing, now: now)
        return .object(st)
    }
}
