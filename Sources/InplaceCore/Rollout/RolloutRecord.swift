import Foundation
import JSON

/// The rollout as recorded on the workload (annotation `inplace.kubectl.io/rollout`): the source of
/// truth that `status`, `pause`, `resume` and `undo` read.
public struct RolloutRecord: Sendable, Equatable {
    /// Where the rollout stands.
    public enum Phase: String, Sendable, Equatable {
        case running, paused, failed, complete
    }

    public var id: String
    public var phase: Phase
    /// Target image per container.
    public var images: [String: String]
    /// Images per container before the rollout (for undo).
    public var previousImages: [String: String]
    /// Target cpu/memory values by `container/requests.cpu` (resized in place).
    public var resources: [String: String] = [:]
    /// The values before the rollout (for undo and rollback).
    public var previousResources: [String: String] = [:]
    /// Target pod labels and annotations by `labels/KEY` or `annotations/KEY` (nil: removed).
    public var metadata: [String: String?] = [:]
    /// Their values before the rollout (nil: the pods did not have the key), for undo and rollback.
    public var previousMetadata: [String: String?] = [:]
    /// The options it runs with, as flag values (`maxUnavailable`, `partition`, `gracePeriod`, ...).
    public var options: [String: String]
    public var startedAt: String
    /// Who runs it (`user@host pid N`) and when that holder last said it is alive.
    public var holder: String
    public var renewTime: String
    /// Seconds without a renewal after which the holder counts as gone (as the holder renews it).
    public var leaseSeconds: Double
    /// The workload's settings before the rollout changed them (update strategy, paused).
    public var previous: JSONValue
    /// Pods updated / total when last written.
    public var updated: Int
    public var total: Int
    /// A failure or a note (partial rollout, ...).
    public var message: String
    /// Set on the record of a rollback: the id of the failed rollout whose pods it returned.
    public var rollbackOf: String
    /// Why the rollout was run (`--cause`, or the manifest's `kubernetes.io/change-cause`); kept in the history.
    public var cause: String = ""

    public init(id: String, phase: Phase, images: [String: String], previousImages: [String: String],
                options: [String: String], startedAt: String, holder: String, renewTime: String,
                previous: JSONValue = .emptyObject, updated: Int = 0, total: Int = 0, message: String = "",
                leaseSeconds: Double = RolloutHolder.leaseSeconds, rollbackOf: String = "",
                resources: [String: String] = [:], previousResources: [String: String] = [:]) {
        self.resources = resources
        self.previousResources = previousResources
        self.id = id
        self.phase = phase
        self.images = images
        self.previousImages = previousImages
        self.options = options
        self.startedAt = startedAt
        self.holder = holder
        self.renewTime = renewTime
        self.previous = previous
        self.updated = updated
        self.total = total
        self.message = message
        self.leaseSeconds = leaseSeconds
        self.rollbackOf = rollbackOf
    }

    static func map(_ m: [String: String]) -> JSONValue {
        .object(JSONObject(m.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
    }

    /// A map whose absent values are JSON null.
    static func optionalMap(_ m: [String: String?]) -> JSONValue {
        .object(JSONObject(m.sorted { $0.key < $1.key }.map { ($0.key, $0.value.map(JSONValue.string) ?? .null) }))
    }

    /// Reads a map written by `optionalMap`.
    static func optionalMap(_ v: JSONValue?) -> [String: String?] {
        var out: [String: String?] = [:]
        for m in v?.object ?? JSONObject() { out[m.key] = .some(m.value.string) }
        return out
    }

    /// The labels and annotations to put back on undo or rollback: each key the rollout (or an
    /// unfinished one before it) changed, with its value before (nil: remove it).
    public var restoredMetadata: [MetadataChange] {
        previousMetadata.sorted { $0.key < $1.key }.compactMap { entry in
            guard let (field, key) = MetadataChange.parse(recordKey: entry.key) else { return nil }
            return MetadataChange(field: field, key: key, from: metadata[entry.key] ?? nil, to: entry.value)
        }
    }

    /// The labels and annotations the rollout sets (a nil target: removes), from their values before.
    public var targetMetadata: [MetadataChange] {
        metadata.sorted { $0.key < $1.key }.compactMap { entry in
            guard let (field, key) = MetadataChange.parse(recordKey: entry.key) else { return nil }
            return MetadataChange(field: field, key: key, from: previousMetadata[entry.key] ?? nil, to: entry.value)
        }
    }

    /// The annotation's JSON.
    public var json: JSONValue {
        var o = JSONObject([
            ("id", .string(id)), ("phase", .string(phase.rawValue)), ("images", Self.map(images)),
            ("previousImages", Self.map(previousImages)), ("options", Self.map(options)),
            ("startedAt", .string(startedAt)), ("holder", .string(holder)), ("renewTime", .string(renewTime)),
            ("leaseSeconds", leaseSeconds == leaseSeconds.rounded() ? .int(Int(leaseSeconds)) : .double(leaseSeconds)),
            ("previous", previous), ("updated", .int(updated)), ("total", .int(total)), ("message", .string(message)),
        ])
        if !rollbackOf.isEmpty { o["rollbackOf"] = .string(rollbackOf) }
        if !cause.isEmpty { o["cause"] = .string(cause) }
        if !resources.isEmpty || !previousResources.isEmpty {
            o["resources"] = Self.map(resources)
            o["previousResources"] = Self.map(previousResources)
        }
        if !metadata.isEmpty || !previousMetadata.isEmpty {
            o["metadata"] = Self.optionalMap(metadata)
            o["previousMetadata"] = Self.optionalMap(previousMetadata)
        }
        return .object(o)
    }

    /// The recorded resource changes (`from` the previous value, `to` the target).
    public var resourceChanges: [ResourceChange] {
        previousResources.sorted { $0.key < $1.key }.compactMap { entry in
            let parts = entry.key.split(separator: "/", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let kr = parts[1].split(separator: ".", maxSplits: 1)
            guard kr.count == 2 else { return nil }
            return ResourceChange(container: String(parts[0]), kind: String(kr[0]), resource: String(kr[1]),
                                  from: entry.value, to: resources[entry.key] ?? entry.value)
        }
    }

    /// Takes over from `superseded`, the record this new rollout replaces on `workload`, what must
    /// outlive an unfinished rollout: the workload's settings from before any rollout changed them
    /// (while the workload still shows the state a rollout leaves it in: paused, OnDelete), and the
    /// images of the last rollout that completed (what `undo` returns to, never an image whose
    /// rollout failed).
    public mutating func carryOver(from superseded: RolloutRecord, workload: Workload) {
        if superseded.phase != .complete {
            previousImages.merge(superseded.previousImages) { _, lastComplete in lastComplete }
            previousResources.merge(superseded.previousResources) { _, lastComplete in lastComplete }
            previousMetadata.merge(superseded.previousMetadata) { _, lastComplete in lastComplete }
        }
        if superseded.previous != .emptyObject, Self.showsPreparedSettings(workload) {
            previous = superseded.previous
        }
    }

    /// Pods a Deployment's replicas were raised by for this rollout (`previous.surge`): taken off
    /// again at the end, whichever process ends it.
    public var surge: Int {
        get { previous["surge"]?.int ?? 0 }
        set { previous["surge"] = newValue > 0 ? .int(newValue) : nil }
    }

    /// True when the workload's controller is held off as a rollout leaves it: a Deployment paused,
    /// a StatefulSet or DaemonSet on OnDelete.
    public static func showsPreparedSettings(_ workload: Workload) -> Bool {
        switch workload.kind {
        case .deployment: return workload.isPaused
        case .statefulSet, .daemonSet: return workload.object[path: ["spec", "updateStrategy", "type"]]?.string == "OnDelete"
        case .pod: return false
        }
    }

    /// Reads the record of a workload object; nil when there is none.
    public init?(workload: JSONValue) {
        guard let text = workload[path: ["metadata", "annotations", InPlace.rolloutAnnotation]]?.string,
              let v = try? JSONValue(parsing: text), let id = v["id"]?.string,
              let phase = v["phase"]?.string.flatMap(Phase.init(rawValue:)) else { return nil }
        self.init(id: id, phase: phase, images: v["images"]?.stringMap ?? [:],
                  previousImages: v["previousImages"]?.stringMap ?? [:], options: v["options"]?.stringMap ?? [:],
                  startedAt: v["startedAt"]?.string ?? "", holder: v["holder"]?.string ?? "",
                  renewTime: v["renewTime"]?.string ?? "", previous: v["previous"] ?? .emptyObject,
                  updated: v["updated"]?.int ?? 0, total: v["total"]?.int ?? 0, message: v["message"]?.string ?? "",
                  leaseSeconds: v["leaseSeconds"]?.double ?? RolloutHolder.defaultLeaseSeconds,
                  rollbackOf: v["rollbackOf"]?.string ?? "",
                  resources: v["resources"]?.stringMap ?? [:], previousResources: v["previousResources"]?.stringMap ?? [:])
        cause = v["cause"]?.string ?? ""
        metadata = Self.optionalMap(v["metadata"])
        previousMetadata = Self.optionalMap(v["previousMetadata"])
    }

    /// A JSON-patch pointer segment for the annotation key (`/` escaped as `~1`).
    public static var annotationPointer: String {
        "/metadata/annotations/" + InPlace.rolloutAnnotation.replacingOccurrences(of: "~", with: "~0")
            .replacingOccurrences(of: "/", with: "~1")
    }
}
