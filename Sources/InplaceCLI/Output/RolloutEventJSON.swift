import InplaceCore
import JSON

/// The `-o json` form of rollout events: one object per line, documented in the README.
public enum RolloutEventJSON {
    /// The machine name of a pod step.
    public static func stepName(_ step: PodStep) -> String {
        switch step {
        case .record: return "record"
        case .gateOff: return "gateOff"
        case .drain: return "drain"
        case .patch: return "patch"
        case .restart: return "restart"
        case .resize: return "resize"
        case .resizing: return "resizing"
        case .gateOn: return "gateOn"
        case .ready: return "ready"
        case .done: return "done"
        case .failed: return "failed"
        }
    }

    /// One event's JSON line (with its newline) but for its time, which comes first: `stamped`
    /// completes it. The reporter builds this outside its lock and stamps it under it, so that the
    /// lines of many workloads' threads stay in time order without all being built in turn.
    public static func untimed(_ event: RolloutEvent) -> String {
        // A pod's steps and its end are most of the lines: written out directly, as `object` would.
        switch event {
        case let .podStep(r, pod, step, elapsed):
            return podLine(r, "podStep", pod, #","step":""#, stepName(step), #"","elapsed":"#, elapsed)
        case let .podDone(r, pod, seconds):
            return podLine(r, "podDone", pod, #","seconds":"#, "", "", seconds)
        default:
            return String(object(event, time: "").serialized().utf8.dropFirst(timePrefix.utf8.count))! + "\n"
        }
    }

    /// An untimed pod line, built in one buffer: its type, workload, namespace and pod, then
    /// `key` + `value` + `more` (literal JSON) and `number` rounded to milliseconds.
    private static func podLine(_ r: WorkloadRef, _ type: StaticString, _ pod: String, _ key: StaticString,
                                _ value: String, _ more: StaticString, _ number: Double) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(128 + pod.utf8.count + r.name.utf8.count)
        func literal(_ s: StaticString) { out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }
        literal(#","type":""#)
        literal(type)
        literal(#"","workload":"#)
        JSONValue.appendQuoted(r.description, to: &out)
        literal(#","namespace":"#)
        JSONValue.appendQuoted(r.namespace, to: &out)
        literal(#","pod":"#)
        JSONValue.appendQuoted(pod, to: &out)
        literal(key)
        out.append(contentsOf: value.utf8)
        literal(more)
        out.append(contentsOf: JSONValue.numberText((number * 1000).rounded() / 1000).utf8)
        literal("}\n")
        return String(decoding: out, as: UTF8.self)
    }

    /// The line of `untimed`, stamped with `time` (an RFC 3339 time: nothing in it needs escaping).
    public static func stamped(_ untimed: String, time: String) -> String {
        var line = #"{"time":""#
        line.reserveCapacity(line.utf8.count + time.utf8.count + 1 + untimed.utf8.count)
        line += time
        line += "\""
        line += untimed
        return line
    }

    /// How `object` begins when its time is empty.
    private static let timePrefix = #"{"time":"""#

    /// One event as a JSON object, stamped with `time` (each key set once, so appended unchecked).
    public static func object(_ event: RolloutEvent, time: String) -> JSONValue {
        var o = JSONObject()
        o.appendUnchecked("time", .string(time))
        func ref(_ r: WorkloadRef) {
            o.appendUnchecked("workload", .string(r.description))
            o.appendUnchecked("namespace", .string(r.namespace))
        }
        switch event {
        case let .started(r, update, keep, hold, maxUnavailable):
            o.appendUnchecked("type", "started")
            ref(r)
            o.appendUnchecked("update", .int(update)); o.appendUnchecked("keep", .int(keep)); o.appendUnchecked("hold", .int(hold))
            o.appendUnchecked("maxUnavailable", .int(maxUnavailable))
        case let .workloadWrite(r, message):
            o.appendUnchecked("type", "workloadWrite")
            ref(r)
            o.appendUnchecked("message", .string(message))
        case let .podStep(r, pod, step, elapsed):
            o.appendUnchecked("type", "podStep")
            ref(r)
            o.appendUnchecked("pod", .string(pod))
            o.appendUnchecked("step", .string(stepName(step)))
            o.appendUnchecked("elapsed", .double((elapsed * 1000).rounded() / 1000))
        case let .podDone(r, pod, seconds):
            o.appendUnchecked("type", "podDone")
            ref(r)
            o.appendUnchecked("pod", .string(pod))
            o.appendUnchecked("seconds", .double((seconds * 1000).rounded() / 1000))
        case let .podFailed(r, pod, reason, message):
            o.appendUnchecked("type", "podFailed")
            ref(r)
            o.appendUnchecked("pod", .string(pod))
            o.appendUnchecked("reason", .string(reason))
            o.appendUnchecked("message", .string(message))
        case let .warning(r, message):
            o.appendUnchecked("type", "warning")
            if let r { ref(r) }
            o.appendUnchecked("message", .string(message))
        case let .finished(r, outcome):
            o.appendUnchecked("type", "finished")
            ref(r)
            o.appendUnchecked("result", .string(outcome.result.rawValue))
            o.appendUnchecked("updated", .int(outcome.updated)); o.appendUnchecked("kept", .int(outcome.kept)); o.appendUnchecked("held", .int(outcome.held))
            o.appendUnchecked("failed", .array(outcome.failed.map { .string($0) }))
            o.appendUnchecked("seconds", .double((outcome.seconds * 1000).rounded() / 1000))
            o.appendUnchecked("podWrites", .int(outcome.podWrites))
            if let m = outcome.message { o.appendUnchecked("message", .string(m)) }
        }
        return .object(o)
    }
}
