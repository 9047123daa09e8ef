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
            return podLine(r, "podStep", pod) + #","step":""# + stepName(step) + #"","elapsed":"#
                + JSONValue.numberText((elapsed * 1000).rounded() / 1000) + "}\n"
        case let .podDone(r, pod, seconds):
            return podLine(r, "podDone", pod) + #","seconds":"# + JSONValue.numberText((seconds * 1000).rounded() / 1000) + "}\n"
        default:
            return String(object(event, time: "").serialized().utf8.dropFirst(timePrefix.utf8.count))! + "\n"
        }
    }

    /// The start of an untimed pod line: its type, workload, namespace and pod.
    private static func podLine(_ r: WorkloadRef, _ type: String, _ pod: String) -> String {
        #","type":""# + type + #"","workload":"# + JSONValue.quote(r.description) + #","namespace":"#
            + JSONValue.quote(r.namespace) + #","pod":"# + JSONValue.quote(pod)
    }

    /// The line of `untimed`, stamped with `time` (an RFC 3339 time: nothing in it needs escaping).
    public static func stamped(_ untimed: String, time: String) -> String {
        #"{"time":""# + time + "\"" + untimed
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
