import JSON

/// The steps of a container's lifecycle that wait for a timer.
enum ContainerStep {
    /// The image pull finished (succeeded or failed).
    case pullDone
    /// The container process started.
    case started
    /// The container passed its readiness check.
    case ready
    /// A crashing container's process exited.
    case crash
    /// A stopped container's process exited.
    case killDone
    /// `ErrImagePull` turns into `ImagePullBackOff`.
    case toBackOff
    /// The image pull back-off expired: pull again.
    case retryPull
    /// The crash-loop back-off expired: start again.
    case restartAfterCrash
}

/// One run of a container: what the runtime reports for it.
struct ContainerInstance {
    var containerID: String
    /// The image as the runtime reports it ("docker.io/library/nginx:1.25").
    var image: String
    var imageID: String
    var startedAt: String
    /// The `terminated` state once the process exited.
    var termination: JSONValue?
}

/// The kubelet's view of one container of a pod.
struct ContainerRuntime {
    /// What the container status shows.
    enum Phase: Equatable {
        /// Pulling or creating (ContainerCreating, or the last run's termination while restarting).
        case starting
        /// Waiting for a reason (ErrImagePull, ImagePullBackOff, CrashLoopBackOff, InvalidImageName).
        case waiting(reason: String, message: String)
        /// The process runs.
        case running
        /// The process was told to stop and still runs.
        case killing
        /// The process exited and is not restarted yet.
        case exited
    }

    let name: String
    /// A native sidecar (`initContainers[]` with `restartPolicy: Always`): reported among the
    /// init container statuses, restarted in place like a container.
    var isSidecar = false
    /// The image the kubelet works towards (the spec's).
    var target: String
    var phase: Phase = .starting
    var current: ContainerInstance?
    var previousTermination: JSONValue?
    var restartCount = 0
    var ready = false
    /// Never becomes ready (a seeded container that was not ready keeps failing its probe).
    var readinessStuck = false
    /// Bumped on every change of plan; timers of older epochs are ignored.
    var epoch = 0
    var pullFailures = 0
    var crashes = 0
    /// The seeded status, reported unchanged until the container changes.
    var adoptedStatus: JSONValue?

    init(name: String, target: String) {
        self.name = name
        self.target = target
    }

    /// The process runs and accepts requests (not while it is being stopped).
    var isServing: Bool { phase == .running }

    /// The process runs (also while it is being stopped).
    var isAlive: Bool { phase == .running || phase == .killing }

    /// A container taken over from a seeded (or pre-existing) status.
    static func adopted(name: String, target: String, status s: JSONValue) -> ContainerRuntime {
        var c = ContainerRuntime(name: name, target: target)
        c.adoptedStatus = s
        c.restartCount = s["restartCount"]?.int ?? 0
        c.ready = s["ready"]?.bool ?? false
        let last = s[path: ["lastState", "terminated"]]
        if let id = s["containerID"]?.string, !id.isEmpty {
            let running = s[path: ["state", "running"]]
            let terminated = s[path: ["state", "terminated"]]
            c.current = ContainerInstance(
                containerID: id, image: s["image"]?.string ?? target, imageID: s["imageID"]?.string ?? "",
                startedAt: running?["startedAt"]?.string ?? terminated?["startedAt"]?.string ?? last?["startedAt"]?.string ?? Timestamp.now(),
                termination: running != nil ? nil : (terminated ?? last))
            c.previousTermination = running != nil || terminated != nil ? last : nil
        }
        if s[path: ["state", "running"]] != nil {
            c.phase = .running
            c.readinessStuck = !c.ready
        } else if let w = s[path: ["state", "waiting"]] {
            c.phase = .waiting(reason: w["reason"]?.string ?? "", message: w["message"]?.string ?? "")
        } else {
            c.phase = .exited
        }
        return c
    }

    /// The container status in the API's shape (keys sorted as kubectl shows them).
    func status(spec: JSONValue?) -> JSONValue {
        if let adoptedStatus { return adoptedStatus }
        var o = JSONObject()
        var state: JSONValue
        var lastState: JSONValue = .emptyObject
        switch phase {
        case .running, .killing:
            state = ["running": ["startedAt": .string(current?.startedAt ?? Timestamp.now())]]
            if let p = previousTermination { lastState = ["terminated": p] }
        case .exited, .starting:
            if let t = current?.termination {
                state = ["terminated": t]
                if let p = previousTermination { lastState = ["terminated": p] }
            } else {
                state = ["waiting": ["reason": "ContainerCreating"]]
            }
        case .waiting(let reason, let message):
            var w = JSONObject()
            if !message.isEmpty { w["message"] = .string(message) }
            w["reason"] = .string(reason)
            state = ["waiting": .object(w)]
            if let t = current?.termination { lastState = ["terminated": t] }
        }
        if let cur = current { o["containerID"] = .string(cur.containerID) }
        o["image"] = .string(current?.image ?? target)
        o["imageID"] = .string(current?.imageID ?? "")
        o["lastState"] = lastState
        o["name"] = .string(name)
        o["ready"] = .bool(ready)
        o["restartCount"] = .int(restartCount)
        o["started"] = .bool(isAlive)
        o["state"] = state
        let mounts = PodStatusFactory.volumeMountStatuses(spec)
        if current != nil, !mounts.isEmpty { o["volumeMounts"] = .array(mounts) }
        return .object(o)
    }

    /// The `terminated` state of an instance that exits now.
    static func termination(of instance: ContainerInstance, exitCode: Int, reason: String) -> JSONValue {
        [
            "containerID": .string(instance.containerID), "exitCode": .int(exitCode), "finishedAt": .string(Timestamp.now()),
            "reason": .string(reason), "startedAt": .string(instance.startedAt),
        ]
    }
}
