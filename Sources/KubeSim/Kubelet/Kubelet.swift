import JSON

/// The kubelet's state for one pod on its node.
final class PodRuntime {
    let uid: String
    let key: ObjectKey
    let node: String
    let hostIP: String
    var podIP: String?
    var startTime: String
    var containers: [ContainerRuntime]
    /// The statuses of classic init containers (they ran to completion and never run again).
    var initStatuses: [JSONValue] = []
    /// The seeded phase, reported until a container changes.
    var frozenPhase: String?
    var terminating = false
    /// A sync of a changed spec is scheduled.
    var syncPending = false
    /// The `metadata.generation` of the spec the kubelet last synced (nil: the server tracks none).
    var observedGeneration: Int?
    /// Resources admitted and applied, and the resize conditions.
    var resize = PodResizeState()

    init(uid: String, key: ObjectKey, node: String, hostIP: String, startTime: String, containers: [ContainerRuntime]) {
        self.uid = uid
        self.key = key
        self.node = node
        self.hostIP = hostIP
        self.startTime = startTime
        self.containers = containers
    }
}

/// The kubelets of every node, as one component: starts the containers of pods bound to a node
/// (pull, start, readiness), restarts exactly the container whose image changed in the spec,
/// reports image pull failures and crash loops the way the kubelet does, keeps the pod's Ready
/// condition in line with its containers and readiness gates, and finishes graceful deletions.
final class Kubelet {
    unowned let engine: ClusterEngine
    private(set) var pods: [String: PodRuntime] = [:]
    private var dirty = Set<String>()

    init(engine: ClusterEngine) { self.engine = engine }

    var hasWork: Bool { !dirty.isEmpty }
    private var latencies: Latencies { engine.options.latencies }

    /// True when the pod exists and the container (nil: the first) runs and accepts requests.
    func isServing(podUID: String, container: String?) -> Bool {
        guard let rt = pods[podUID], !rt.terminating else { return false }
        let c = container.flatMap { n in rt.containers.first { $0.name == n } } ?? rt.containers.first { !$0.isSidecar }
        return c?.isServing ?? false
    }

    // MARK: Pod events

    func podChanged(old: JSONValue?, new: JSONValue?) {
        guard let new else {
            if let old, let rt = pods.removeValue(forKey: old.metaUID), rt.resize.tracked { retryDeferred(node: rt.node) }
            return
        }
        let uid = new.metaUID
        if let rt = pods[uid] {
            if new.isTerminating && !rt.terminating { beginTermination(rt) }
            if !rt.terminating && specChanged(rt, new) {
                if latencies.sync <= 0 {
                    sync(rt, new)
                } else if !rt.syncPending {
                    rt.syncPending = true
                    engine.after(latencies.sync, .podSync(uid: uid))
                }
            }
            dirty.insert(uid)
            return
        }
        guard !new.nodeName.isEmpty else { return }
        let phase = new.podPhase
        guard phase != "Succeeded" && phase != "Failed" else { return }
        let rt = makeRuntime(new)
        beginResizeTracking(rt, new)
        pods[uid] = rt
        if new.isTerminating { beginTermination(rt) }
        dirty.insert(uid)
    }

    private func makeRuntime(_ pod: JSONValue) -> PodRuntime {
        let node = pod.nodeName
        let nodeObj = engine.cache.get(Resources.nodes, ObjectKey(namespace: "", name: node))
        let hostIP = pod[path: ["status", "hostIP"]]?.string
            ?? (nodeObj?[path: ["status", "addresses"]]?.array ?? []).first { $0["type"]?.string == "InternalIP" }?["address"]?.string
            ?? "172.18.0.2"
        let specContainers = pod[path: ["spec", "containers"]]?.array ?? []
        let statuses = pod[path: ["status", "containerStatuses"]]?.array ?? []
        let rt = PodRuntime(
            uid: pod.metaUID, key: ObjectKey(namespace: pod.metaNamespace, name: pod.metaName), node: node, hostIP: hostIP,
            startTime: pod[path: ["status", "startTime"]]?.string ?? Timestamp.now(), containers: [])
        rt.observedGeneration = pod[path: ["metadata", "generation"]]?.int
        if !statuses.isEmpty {
            rt.podIP = pod[path: ["status", "podIP"]]?.string
            rt.frozenPhase = pod.podPhase.isEmpty ? nil : pod.podPhase
            for c in specContainers {
                let name = c["name"]?.string ?? ""
                let image = c["image"]?.string ?? ""
                if let s = statuses.first(where: { $0["name"]?.string == name }) {
                    let reported = s["image"]?.string ?? image
                    let same = reported == image || reported == ImageReference.normalized(image) || s["containerID"] == nil
                    rt.containers.append(.adopted(name: name, target: same ? image : reported, status: s))
                } else {
                    rt.containers.append(ContainerRuntime(name: name, target: image))
                    rt.frozenPhase = nil
                }
            }
            let initStatuses = pod[path: ["status", "initContainerStatuses"]]?.array ?? []
            for c in pod[path: ["spec", "initContainers"]]?.array ?? [] {
                let name = c["name"]?.string ?? ""
                let s = initStatuses.first { $0["name"]?.string == name }
                guard c["restartPolicy"]?.string == "Always" else {
                    if let s { rt.initStatuses.append(s) }
                    continue
                }
                var sidecar = s.map { ContainerRuntime.adopted(name: name, target: c["image"]?.string ?? "", status: $0) }
                    ?? ContainerRuntime(name: name, target: c["image"]?.string ?? "")
                sidecar.isSidecar = true
                rt.containers.append(sidecar)
            }
            for i in rt.containers.indices {
                if case .waiting(let reason, _) = rt.containers[i].phase, reason == "ContainerCreating" || reason == "PodInitializing" {
                    rt.containers[i].adoptedStatus = nil
                    rt.containers[i].phase = .starting
                    rt.frozenPhase = nil
                }
                if rt.containers[i].adoptedStatus == nil { begin(rt, i) }
            }
            sync(rt, pod)
            return rt
        }
        rt.podIP = pod[path: ["status", "podIP"]]?.string
            ?? engine.api.allocatePodIP(nodePodCIDR: nodeObj?[path: ["spec", "podCIDR"]]?.string)
        rt.initStatuses = initStatuses(pod)
        for c in specContainers {
            rt.containers.append(ContainerRuntime(name: c["name"]?.string ?? "", target: c["image"]?.string ?? ""))
        }
        for c in Self.sidecars(pod) {
            var sidecar = ContainerRuntime(name: c["name"]?.string ?? "", target: c["image"]?.string ?? "")
            sidecar.isSidecar = true
            rt.containers.append(sidecar)
        }
        for i in rt.containers.indices { begin(rt, i) }
        return rt
    }

    /// The native sidecars of a pod: `initContainers[]` with `restartPolicy: Always`.
    static func sidecars(_ pod: JSONValue) -> [JSONValue] {
        (pod[path: ["spec", "initContainers"]]?.array ?? []).filter { $0["restartPolicy"]?.string == "Always" }
    }

    /// Classic init containers run to completion at once (sidecars are containers of the runtime).
    private func initStatuses(_ pod: JSONValue) -> [JSONValue] {
        let factory = engine.api.podStatusFactory
        let now = Timestamp.now()
        return (pod[path: ["spec", "initContainers"]]?.array ?? []).filter { $0["restartPolicy"]?.string != "Always" }.map { c in
            var s = factory.runningStatus(c, startedAt: now)
            let id = s["containerID"] ?? .null
            s["started"] = false
            s["state"] = ["terminated": ["containerID": id, "exitCode": 0, "finishedAt": .string(now), "reason": "Completed", "startedAt": .string(now)]]
            return s
        }
    }

    /// The containers whose image the kubelet on `node` acts on: the pod's containers, and its native
    /// sidecars where the kubelet restarts a running sidecar whose definition changed (a completed
    /// classic init container never runs again).
    private func restartable(_ pod: JSONValue, node: String) -> [JSONValue] {
        (pod[path: ["spec", "containers"]]?.array ?? []) + (kubeletRestartsSidecars(node: node) ? Self.sidecars(pod) : [])
    }

    /// True when the node's kubelet restarts a running native sidecar whose image changed
    /// (kuberuntime `computePodActions`, kubernetes PR #126525, 1.32); an older one leaves it running.
    func kubeletRestartsSidecars(node: String) -> Bool {
        let object = engine.cache.get(Resources.nodes, ObjectKey(namespace: "", name: node))
        let version = object?[path: ["status", "nodeInfo", "kubeletVersion"]]?.string ?? engine.api.options.kubernetesVersion
        return (ServerVersion(version) ?? ServerVersion(1, 32)) >= .sidecarImageRestart
    }

    /// The spec differs from what the kubelet last synced: an image, or the generation.
    private func specChanged(_ rt: PodRuntime, _ pod: JSONValue) -> Bool {
        if let g = pod[path: ["metadata", "generation"]]?.int, g != rt.observedGeneration { return true }
        if resourcesChanged(rt, pod) { return true }
        return restartable(pod, node: rt.node).contains { c in
            rt.containers.first { $0.name == c["name"]?.string }.map { $0.target != (c["image"]?.string ?? "") } ?? false
        }
    }

    /// The kubelet's next sync of a pod whose spec changed is due: it acts on the spec as it is now.
    func syncDue(uid: String) {
        guard let rt = pods[uid] else { return }
        rt.syncPending = false
        guard !rt.terminating, let pod = engine.cache.get(Resources.pods, rt.key), pod.metaUID == uid else { return }
        sync(rt, pod)
    }

    /// Syncs the pod's spec (computePodActions): a container whose image changed is restarted, and
    /// the status reports the generation synced.
    private func sync(_ rt: PodRuntime, _ pod: JSONValue) {
        if !rt.terminating {
            rt.observedGeneration = pod[path: ["metadata", "generation"]]?.int
            for c in restartable(pod, node: rt.node) {
                let name = c["name"]?.string ?? ""
                let image = c["image"]?.string ?? ""
                guard let i = rt.containers.firstIndex(where: { $0.name == name }) else { continue }
                if rt.containers[i].target != image { changeImage(rt, i, to: image, pod: pod) }
            }
            syncResize(rt, pod)
        }
        dirty.insert(rt.uid)
    }

    /// Restarts container `i` on `image` (the same one for a resize that needs a restart).
    func changeImage(_ rt: PodRuntime, _ i: Int, to image: String, pod: JSONValue, reason: String? = nil) {
        var c = rt.containers[i]
        let wasAlive = c.isAlive
        c.target = image
        c.epoch += 1
        c.pullFailures = 0
        c.crashes = 0
        c.readinessStuck = false
        c.adoptedStatus = nil
        rt.frozenPhase = nil
        rt.containers[i] = c
        if wasAlive {
            rt.containers[i].phase = .killing
            engine.record(pod, .containerKilled(container: c.name), message: reason ?? "Container \(c.name) definition changed, will be restarted")
            schedule(rt, i, .killDone, after: latencies.kill)
        } else {
            begin(rt, i)
        }
    }

    /// Marks a pod's status for the next flush.
    func markDirty(_ uid: String) { dirty.insert(uid) }

    // MARK: Container lifecycle

    private func schedule(_ rt: PodRuntime, _ i: Int, _ step: ContainerStep, after delay: Double, background: Bool = false) {
        engine.after(delay, background: background, .container(uid: rt.uid, index: i, epoch: rt.containers[i].epoch, step: step))
    }

    /// Starts working towards the target image: pull, then start.
    private func begin(_ rt: PodRuntime, _ i: Int) {
        let image = rt.containers[i].target
        if case .invalid(let message) = engine.imageOutcome(image) {
            setWaiting(rt, i, reason: "InvalidImageName", message: message)
            return
        }
        if case .waiting = rt.containers[i].phase {} else { rt.containers[i].phase = .starting }
        schedule(rt, i, .pullDone, after: latencies.pull)
    }

    private func setWaiting(_ rt: PodRuntime, _ i: Int, reason: String, message: String) {
        rt.containers[i].phase = .waiting(reason: reason, message: message)
        rt.containers[i].ready = false
        recordContainer(rt, .containerWaiting(container: rt.containers[i].name, reason: reason), message: message)
        dirty.insert(rt.uid)
    }

    func fire(uid: String, index i: Int, epoch: Int, step: ContainerStep) {
        guard let rt = pods[uid], rt.containers.indices.contains(i), rt.containers[i].epoch == epoch else { return }
        if rt.terminating && step != .killDone { return }
        let image = rt.containers[i].target
        let outcome = engine.imageOutcome(image)
        switch step {
        case .pullDone:
            if outcome == .missing {
                rt.containers[i].pullFailures += 1
                setWaiting(rt, i, reason: "ErrImagePull", message: ImageBehaviour.pullErrorMessage(image))
                schedule(rt, i, .toBackOff, after: latencies.errImagePullHold)
            } else {
                schedule(rt, i, .started, after: latencies.start)
            }
        case .toBackOff:
            setWaiting(rt, i, reason: "ImagePullBackOff", message: ImageBehaviour.backOffMessage(image))
            let delay = latencies.backoff(base: latencies.imagePullBackoff, failures: rt.containers[i].pullFailures)
            schedule(rt, i, .retryPull, after: delay, background: true)
        case .retryPull:
            schedule(rt, i, .pullDone, after: latencies.pull, background: true)
        case .started:
            startInstance(rt, i, outcome: outcome)
        case .ready:
            guard rt.containers[i].phase == .running, !rt.containers[i].ready else { return }
            rt.containers[i].ready = true
            recordContainer(rt, .containerReady(container: rt.containers[i].name, ready: true))
            dirty.insert(uid)
        case .crash:
            guard rt.containers[i].phase == .running else { return }
            exit(rt, i, code: 1, reason: "Error")
            rt.containers[i].crashes += 1
            let crashes = rt.containers[i].crashes
            if crashes == 1 {
                schedule(rt, i, .started, after: latencies.start)
            } else {
                let delay = latencies.backoff(base: latencies.crashLoopBackoff, failures: crashes - 1)
                let pod = rt.key
                let message = "back-off \(GoDuration.format(delay)) restarting failed container=\(rt.containers[i].name) pod=\(pod.name)_\(pod.namespace)(\(rt.uid))"
                setWaiting(rt, i, reason: "CrashLoopBackOff", message: message)
                schedule(rt, i, .restartAfterCrash, after: delay, background: true)
            }
        case .restartAfterCrash:
            schedule(rt, i, .started, after: latencies.start, background: true)
        case .killDone:
            guard rt.containers[i].phase == .killing else { return }
            let code = engine.options.killExitCode
            exit(rt, i, code: code, reason: code == 0 ? "Completed" : "Error")
            if !rt.terminating { begin(rt, i) }
        }
    }

    private func startInstance(_ rt: PodRuntime, _ i: Int, outcome: ImageBehaviour.Outcome) {
        var c = rt.containers[i]
        let factory = engine.api.podStatusFactory
        if let cur = c.current {
            c.previousTermination = cur.termination ?? ContainerRuntime.termination(of: cur, exitCode: 0, reason: "Completed")
            c.restartCount += 1
        }
        c.current = ContainerInstance(
            containerID: factory.newContainerID(), image: ImageReference.normalized(c.target), imageID: factory.imageID(for: c.target),
            startedAt: Timestamp.now(), termination: nil)
        c.phase = .running
        c.ready = false
        c.adoptedStatus = nil
        rt.containers[i] = c
        rt.frozenPhase = nil
        recordContainer(rt, .containerStarted(container: c.name, image: c.target, restartCount: c.restartCount))
        if outcome == .crashes {
            schedule(rt, i, .crash, after: latencies.crashAfter)
        } else if !c.readinessStuck {
            schedule(rt, i, .ready, after: latencies.readiness)
        }
        dirty.insert(rt.uid)
    }

    private func exit(_ rt: PodRuntime, _ i: Int, code: Int, reason: String) {
        guard let cur = rt.containers[i].current else { return }
        rt.containers[i].current?.termination = ContainerRuntime.termination(of: cur, exitCode: code, reason: reason)
        rt.containers[i].phase = .exited
        rt.frozenPhase = nil
        if rt.containers[i].ready {
            rt.containers[i].ready = false
            recordContainer(rt, .containerReady(container: rt.containers[i].name, ready: false))
        }
        recordContainer(rt, .containerExited(container: rt.containers[i].name, exitCode: code))
        dirty.insert(rt.uid)
    }

    private func recordContainer(_ rt: PodRuntime, _ kind: PodTransition.Kind, message: String? = nil) {
        guard let pod = engine.cache.get(Resources.pods, rt.key), pod.metaUID == rt.uid else { return }
        engine.record(pod, kind, message: message)
    }

    // MARK: Termination

    private func beginTermination(_ rt: PodRuntime) {
        rt.terminating = true
        for i in rt.containers.indices {
            rt.containers[i].epoch += 1
            if rt.containers[i].isAlive {
                rt.containers[i].phase = .killing
                recordContainer(rt, .containerKilled(container: rt.containers[i].name), message: "Stopping container \(rt.containers[i].name)")
                schedule(rt, i, .killDone, after: latencies.termination)
            }
        }
        engine.after(latencies.termination, .podTermination(uid: rt.uid))
    }

    func finishTermination(uid: String) {
        guard let rt = pods[uid] else { return }
        let commit = engine.store.transact(Resources.pods, rt.key) { current -> StoreWrite in
            guard var pod = current, pod.metaUID == uid else { return .none }
            if !pod.metaFinalizers.isEmpty {
                pod.setMeta("deletionGracePeriodSeconds", 0)
                return .put(pod)
            }
            return .delete(pod)
        }
        engine.noteWrite(commit.event?.resourceVersion)
    }

    // MARK: Status

    /// Writes the status of every pod whose state changed (one write per pod and turn, none when
    /// nothing the kubelet reports changed).
    func flush() {
        guard !dirty.isEmpty else { return }
        let uids = dirty
        dirty.removeAll()
        for uid in uids {
            guard let rt = pods[uid] else { continue }
            engine.writeDirect(Resources.pods, rt.key) { pod in
                guard pod.metaUID == uid else { return nil }
                let status = KubeletStatus.compute(pod, rt)
                if status == pod["status"] { return nil }
                var next = pod
                next["status"] = status
                return next
            }
        }
    }
}
