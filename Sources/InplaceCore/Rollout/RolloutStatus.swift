import Foundation
import JSON

/// A rollout as `status` reports it: the record and what the live pods show.
public struct RolloutStatus: Sendable, Equatable {
    /// A pod that failed its update, with the kubelet's reason.
    public struct FailedPod: Sendable, Equatable {
        public var pod: String
        public var reason: String
        public var message: String
    }

    public var ref: WorkloadRef
    public var record: RolloutRecord
    public var total: Int
    /// Pods running the record's target images (0 for a rollback's record: see `rolledBack`).
    public var updated: Int
    /// For the record of a rollback (`--on-failure rollback`): pods back on the old images, Ready.
    public var rolledBack: Int
    /// Pods out of service for their update right now (gate False).
    public var inFlight: Int
    /// Pods kept on the old images by the partition (when the rollout was otherwise complete).
    public var held: Int
    public var failed: [FailedPod]
    /// Whether the holder still holds the rollout.
    public var holderLive: Bool
    /// The rollout is running but its holder stopped renewing for longer than its lease: nobody
    /// drives it, and its pods out of service stay so until `resume` (or a gate keeper restores them).
    public var abandoned: Bool
    /// Pods out of service for their update right now (gate False), by name.
    public var outOfService: [String]

    /// Summarises `pods` of the workload against its record at wall time `now` (seconds since 1970).
    public init(ref: WorkloadRef, record: RolloutRecord, pods: [Pod], holderLive: Bool,
                now: Double = Date().timeIntervalSince1970) {
        self.ref = ref
        self.record = record
        self.holderLive = holderLive
        abandoned = RolloutHolder.isAbandoned(record, now: now)
        let live = pods.filter { !$0.isTerminating }
        total = live.count
        var updated = 0, inFlight = 0
        var failed: [FailedPod] = []
        var outOfService: [String] = []
        let resources = record.resourceChanges
        let metadata = record.targetMetadata
        for pod in live {
            let images = Dictionary(pod.containers.map { ($0.name, $0.image) }, uniquingKeysWith: { a, _ in a })
            let resize = ResizeProgress.state(pod: pod, changes: resources)
            let onTarget = (!record.images.isEmpty || !resources.isEmpty || !metadata.isEmpty)
                && record.images.allSatisfy { images[$0.key] == $0.value }
                && resize == .applied && metadata.allSatisfy { $0.isMade(on: pod) }
            let gateOff = pod.condition(InPlace.gateConditionType)?["status"]?.string == "False"
            if onTarget && !gateOff && pod.isReady { updated += 1 }
            if gateOff {
                inFlight += 1
                outOfService.append(pod.name)
            }
            if let u = PodUpdateRecord(pod: pod), u.rolloutID == record.id {
                if case .refused(let reason, let message) = resize {
                    failed.append(FailedPod(pod: pod.name, reason: reason, message: message))
                    continue
                }
                for c in u.containers {
                    if case .failed(let reason, let message) = ContainerRestartCheck.check(c, status: pod.containerStatus(c.name)),
                       images[c.name] == c.to {
                        failed.append(FailedPod(pod: pod.name, reason: reason, message: message))
                        break
                    }
                }
            }
        }
        let isRollback = !record.rollbackOf.isEmpty
        self.updated = isRollback ? 0 : updated
        rolledBack = isRollback ? updated : 0
        self.inFlight = inFlight
        self.failed = failed
        self.outOfService = outOfService.sorted()
        held = record.phase == .complete ? max(0, live.count - updated) : 0
    }

    /// The exit code a rollout in this state ends (or ended) with: nil while it is still running.
    public var exitCode: Int32? {
        switch record.phase {
        case .running: return holderLive ? nil : 4
        case .complete: return 0
        case .paused: return 4
        case .failed: return record.message.hasPrefix("timed out") ? 3 : 1
        }
    }

    /// The JSON form for `status -o json`.
    public var json: JSONValue {
        var o = JSONObject()
        o["kind"] = .string(ref.kind.rawValue)
        o["namespace"] = .string(ref.namespace)
        o["name"] = .string(ref.name)
        o["id"] = .string(record.id)
        o["phase"] = .string(record.phase.rawValue)
        o["updated"] = .int(updated)
        if !record.rollbackOf.isEmpty {
            o["rollbackOf"] = .string(record.rollbackOf)
            o["rolledBack"] = .int(rolledBack)
        }
        o["total"] = .int(total)
        o["inFlight"] = .int(inFlight)
        o["held"] = .int(held)
        o["failed"] = .array(failed.map {
            .object(JSONObject([("pod", .string($0.pod)), ("reason", .string($0.reason)), ("message", .string($0.message))]))
        })
        o["holder"] = .string(record.holder)
        o["holderLive"] = .bool(holderLive)
        o["abandoned"] = .bool(abandoned)
        o["outOfService"] = .array(outOfService.map { .string($0) })
        o["startedAt"] = .string(record.startedAt)
        o["renewTime"] = .string(record.renewTime)
        o["images"] = RolloutRecord.map(record.images)
        o["previousImages"] = RolloutRecord.map(record.previousImages)
        if !record.resources.isEmpty || !record.previousResources.isEmpty {
            o["resources"] = RolloutRecord.map(record.resources)
            o["previousResources"] = RolloutRecord.map(record.previousResources)
        }
        if !record.metadata.isEmpty || !record.previousMetadata.isEmpty {
            o["metadata"] = RolloutRecord.optionalMap(record.metadata)
            o["previousMetadata"] = RolloutRecord.optionalMap(record.previousMetadata)
        }
        o["options"] = RolloutRecord.map(record.options)
        if !record.message.isEmpty { o["message"] = .string(record.message) }
        if let code = exitCode { o["exitCode"] = .int(Int(code)) }
        return .object(o)
    }
}
