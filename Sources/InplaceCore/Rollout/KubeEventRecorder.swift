import Foundation
import JSON
import Synchronization

/// Turns a rollout's progress into Kubernetes Events (core/v1, as `kubectl describe` and event
/// exporters read them) on the workload and on each pod, then passes every event on to `next`.
/// Best effort and off the hot path: events are written on a write pool's background lane (through
/// the cluster's write loop when it has one), and an event that cannot be written is dropped, never
/// failing the rollout.
public final class KubeEventRecorder: RolloutObserver, Sendable {
    /// The component named as the events' source and reporting controller.
    public static let component = "kubectl-inplace"

    /// Who an event is about: `involvedObject`.
    struct Subject: Sendable {
        var apiVersion: String
        var kind: String
        var namespace: String
        var name: String
        var uid: String
        var resourceVersion: String

        var json: JSONValue {
            var o = JSONObject([("apiVersion", .string(apiVersion)), ("kind", .string(kind)),
                                ("namespace", .string(namespace)), ("name", .string(name))])
            if !uid.isEmpty { o["uid"] = .string(uid) }
            if !resourceVersion.isEmpty { o["resourceVersion"] = .string(resourceVersion) }
            return .object(o)
        }
    }

    /// What is known of a workload being rolled: itself, its pods, the images it rolls to and why.
    struct Known: Sendable {
        var workload: Subject
        var pods: [String: Subject]
        var images: String
        var cause: String
        /// Pods the rollout updates (from its start), and whether its start was told: only once the
        /// workload is prepared and the first pod moves, so no event claims a rollout that never wrote.
        var updating = 0
        var startTold = false
        /// The message of each pod's `InPlaceUpdated` event (the same for every pod of the workload).
        var updatedMessage: String
    }

    public let cluster: any ClusterAPI
    public let clock: any RolloutClock
    public let next: any RolloutObserver
    /// Who runs the rollout (`reportingInstance`, and named in the messages).
    public let holder: String
    /// Up to 16 events in flight: the events of a workload's pods go out together when its rollout
    /// ends, and a deeper pipeline costs each of them far less CPU (one wake-up of the loop per
    /// burst of answers; with two in flight, one per answer).
    private let pool = WritePool(width: 16, backgroundLimit: 16)
    private let state = Mutex<(known: [WorkloadRef: Known], finished: Bool, held: [WorkloadRef: [Held]])>(([:], false, [:]))
    /// Known workloads whose start is not told yet: while none is, a pod's step writes nothing and
    /// takes no lock.
    private let untold = Atomic<Int>(0)

    /// How an Event's answer is read: checked to be JSON, built into nothing (`null`), since the
    /// recorder drops it (so the client asks for the smallest answer, the metadata alone); a refused
    /// write still fails by its status.
    static let answer = JSONProjection(digest: { (s: inout JSONScanner) throws(JSONParseError) -> JSONValue in
        try s.skip()
        return .null
    }, reading: [])

    /// An event kept until its workload's rollout ends, as its parts (a thousand pods' events held
    /// as objects would cost a megabyte).
    struct Held: Sendable {
        var subject: Subject
        var type: String
        var reason: String
        var message: String
        var time: String
    }

    /// A recorder writing through `cluster` and forwarding every event to `next`.
    public init(cluster: any ClusterAPI, clock: any RolloutClock, holder: String, next: any RolloutObserver) {
        self.cluster = cluster
        self.clock = clock
        self.holder = holder
        self.next = next
    }

    /// Makes the workload of `planned` and its pods known, so their events carry uid and resourceVersion.
    public func register(_ planned: PlanBuilder.Planned, cause: String) {
        let w = planned.workload
        let workload = Subject(apiVersion: w.kind.apiVersion, kind: w.kind.rawValue, namespace: w.namespace,
                               name: w.name, uid: w.uid, resourceVersion: w.resourceVersion ?? "")
        var pods: [String: Subject] = [:]
        for p in planned.plan.pods {
            pods[p.name] = Subject(apiVersion: "v1", kind: "Pod", namespace: w.namespace, name: p.name, uid: p.uid, resourceVersion: "")
        }
        let targets = Dictionary(planned.plan.pods.flatMap(\.changes).map { ($0.container, $0.to) }, uniquingKeysWith: { a, _ in a })
        var metadata: [String: String?] = [:]
        for m in planned.plan.pods.flatMap(\.metadata) where metadata[m.recordKey] == nil { metadata[m.recordKey] = .some(m.to) }
        let images = (targets.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            + metadata.sorted { $0.key < $1.key }.map { entry in entry.value.map { "\(entry.key)=\($0)" } ?? "\(entry.key)-" })
            .joined(separator: ", ")
        let known = Known(workload: workload, pods: pods, images: images, cause: cause,
                          updatedMessage: "Updated in place to \(images) by \(holder)")
        state.withLock { s in
            if s.known.updateValue(known, forKey: w.ref)?.startTold != false { untold.add(1, ordering: .relaxed) }
        }
    }

    /// Holds nothing back itself: passes the loop's settling on.
    public func settle() { next.settle() }

    public func handle(_ event: RolloutEvent) {
        next.handle(event)
        switch event {
        case let .started(ref, update, _, _, _):
            state.withLock { $0.known[ref]?.updating = update }
        case let .podStep(ref, _, _, _):
            guard untold.load(ordering: .relaxed) > 0, let k = state.withLock({ s -> Known? in
                guard let k = s.known[ref], !k.startTold else { return nil }
                s.known[ref]?.startTold = true
                untold.subtract(1, ordering: .relaxed)
                return k
            }) else { return }
            let why = k.cause.isEmpty ? "" : " (\(k.cause))"
            emit(k.workload, type: "Normal", reason: "InPlaceRolloutStarted",
                 message: "\(holder) rolls \(k.updating) pod(s) in place to \(k.images)\(why)")
        case let .podDone(ref, pod, _):
            // Kept until the workload's rollout ends, stamped with the time of the update: while pods
            // hand over their slots, a write to the API server here would delay the next pod.
            let now = clock.rfc3339
            state.withLock { s in
                guard !s.finished, let k = s.known[ref] else { return }
                s.held[ref, default: []].append(Held(subject: podSubject(k, pod), type: "Normal", reason: "InPlaceUpdated",
                                                     message: k.updatedMessage, time: now))
            }
        case let .podFailed(ref, pod, reason, message):
            guard let k = known(ref) else { return }
            emit(podSubject(k, pod), type: "Warning", reason: "InPlaceUpdateFailed", message: "\(reason): \(message)")
            emit(k.workload, type: "Warning", reason: "InPlaceUpdateFailed", message: "pod \(pod): \(reason): \(message)")
        case let .finished(ref, outcome):
            release(ref)
            guard let k = known(ref) else { return }
            let detail = outcome.message.map { ": \($0)" } ?? ""
            switch outcome.result {
            case .complete:
                guard outcome.updated > 0 else { return }
                emit(k.workload, type: "Normal", reason: "InPlaceRolloutCompleted",
                     message: "\(outcome.updated) pod(s) updated in place to \(k.images)")
            case .paused:
                emit(k.workload, type: "Normal", reason: "InPlaceRolloutPaused", message: "paused after \(outcome.updated) pod(s)\(detail)")
            case .failed, .timedOut:
                emit(k.workload, type: "Warning", reason: "InPlaceRolloutFailed", message: "\(outcome.result.rawValue) after \(outcome.updated) pod(s)\(detail)")
            case .conflict:
                emit(k.workload, type: "Warning", reason: "InPlaceRolloutStopped", message: "stopped\(detail)")
            }
        case .workloadWrite, .warning:
            break
        }
    }

    /// A failed rollout's pods are back on the last complete images.
    public func rolledBack(_ ref: WorkloadRef, message: String) {
        guard let k = known(ref) else { return }
        emit(k.workload, type: "Normal", reason: "InPlaceRolledBack", message: message)
    }

    /// Waits for the events in flight, then lets the pool's threads end; later events are dropped.
    public func finish() {
        for ref in state.withLock({ Array($0.held.keys) }) { release(ref) }
        state.withLock { $0.finished = true }
        pool.waitAll()
        pool.close()
    }

    private func known(_ ref: WorkloadRef) -> Known? { state.withLock { $0.known[ref] } }

    private func podSubject(_ k: Known, _ pod: String) -> Subject {
        k.pods[pod] ?? Subject(apiVersion: "v1", kind: "Pod", namespace: k.workload.namespace, name: pod, uid: "", resourceVersion: "")
    }

    /// Queues the event's write on the background lane (none once the recorder has finished).
    private func emit(_ subject: Subject, type: String, reason: String, message: String) {
        let now = clock.rfc3339
        if !state.withLock({ $0.finished }) { write(subject, Self.event(subject, type: type, reason: reason, message: message, now: now, instance: holder)) }
    }

    /// Writes the events kept for a workload.
    private func release(_ ref: WorkloadRef) {
        for h in state.withLock({ $0.held.removeValue(forKey: ref) ?? [] }) {
            write(h.subject, Self.event(h.subject, type: h.type, reason: h.reason, message: h.message, now: h.time, instance: holder))
        }
    }

    private func write(_ subject: Subject, _ body: JSONValue) {
        let cluster = cluster
        let answer = Self.answer
        pool.startAll(background: true, onThreads: !cluster.writesAsynchronously, [{ done in
            cluster.create(ClusterUse.createEvent.resource.path(namespace: subject.namespace), body: body, keeping: answer) { _ in done() }
        }])
    }

    /// Where the process's event name suffixes start (random, once), and how many were taken since.
    private static let suffixBase = UInt64.random(in: 1...UInt64.max)
    private static let suffixesTaken = Atomic<UInt64>(0)

    /// A suffix no other event of this process has (client-go writes the time in nanoseconds; a
    /// random start and a count are unique without a system call per event).
    static func nameSuffix() -> String {
        String(suffixBase &+ suffixesTaken.add(1, ordering: .relaxed).oldValue &* 0x9E37_79B9_7F4A_7C15, radix: 16)
    }

    /// A core/v1 Event as client-go's recorder writes it (`name.<hex>`, count 1, first = last seen).
    static func event(_ subject: Subject, type: String, reason: String, message: String, now: String, instance: String) -> JSONValue {
        let suffix = nameSuffix()
        return .object(JSONObject([
            ("apiVersion", "v1"), ("kind", "Event"),
            ("metadata", .object(JSONObject([("name", .string("\(subject.name).\(suffix)")), ("namespace", .string(subject.namespace))]))),
            ("involvedObject", subject.json), ("reason", .string(reason)), ("message", .string(String(message.prefix(1024)))),
            ("type", .string(type)), ("source", .object(JSONObject([("component", .string(component))]))),
            ("firstTimestamp", .string(now)), ("lastTimestamp", .string(now)), ("count", .int(1)),
            ("reportingComponent", .string(component)), ("reportingInstance", .string(String(instance.prefix(128)))),
            ("action", "Update"),
        ]))
    }
}
