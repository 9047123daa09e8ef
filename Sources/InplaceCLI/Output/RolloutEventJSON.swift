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

    /// One event as a JSON object, stamped with `time`.
    public static func object(_ event: RolloutEvent, time: String) -> JSONValue {
        var o = JSONObject()
        o["time"] = .string(time)
        func ref(_ r: WorkloadRef) {
            o["workload"] = .string(r.description)
            o["namespace"] = .string(r.namespace)
        }
        switch event {
        case let .started(r, update, keep, hold, maxUnavailable):
            o["type"] = "started"
            ref(r)
            o["update"] = .int(update); o["keep"] = .int(keep); o["hold"] = .int(hold)
            o["maxUnavailable"] = .int(maxUnavailable)
        case let .workloadWrite(r, message):
            o["type"] = "workloadWrite"
            ref(r)
            o["message"] = .string(message)
        case let .podStep(r, pod, step, elapsed):
            o["type"] = "podStep"
            ref(r)
            o["pod"] = .string(pod)
            o["step"] = .string(stepName(step))
            o["elapsed"] = .double((elapsed * 1000).rounded() / 1000)
        case let .podDone(r, pod, seconds):
            o["type"] = "podDone"
            ref(r)
            o["pod"] = .string(pod)
            o["seconds"] = .double((seconds * 1000).rounded() / 1000)
        case let .podFailed(r, pod, reason, message):
            o["type"] = "podFailed"
            ref(r)
            o["pod"] = .string(pod)
            o["reason"] = .string(reason)
            o["message"] = .string(message)
        case let .warning(r, message):
            o["type"] = "warning"
            if let r { ref(r) }
            o["message"] = .string(message)
        case let .finished(r, outcome):
            o["type"] = "finished"
            ref(r)
            o["result"] = .string(outcome.result.rawValue)
            o["updated"] = .int(outcome.updated); o["kept"] = .int(outcome.kept); o["held"] = .int(outcome.held)
            o["failed"] = .array(outcome.failed.map { .string($0) })
            o["seconds"] = .double((outcome.seconds * 1000).rounded() / 1000)
            o["podWrites"] = .int(outcome.podWrites)
            if let m = outcome.message { o["message"] = .string(m) }
        }
        return .object(o)
    }
}
