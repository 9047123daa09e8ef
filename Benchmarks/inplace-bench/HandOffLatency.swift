import Foundation

/// The hand-off latency from the client's own trace (`KUBECTL_INPLACE_TRACE`): for each pod started
/// in a slot another pod freed, the time from receiving the object that showed the other pod done
/// (its watch event, or the response to a write) to the started pod's first write leaving the client.
struct HandOffLatency {
    /// Milliseconds, one per started pod, sorted.
    var milliseconds: [Double] = []
    /// Hand-offs whose freeing object came from a write's response rather than a watch event.
    var fromWriteResponses = 0
    /// Hand-offs that could not be matched in the trace (a bug in the trace if not 0).
    var unmatched = 0

    init(traceFile: String) throws {
        let text = try String(contentsOfFile: traceFile, encoding: .utf8)
        var received: [String: UInt64] = [:]  // "pod@rv" of pod watch events
        var responses: [String: [UInt64]] = [:]  // pod -> times its write responses arrived
        var sends: [String: [UInt64]] = [:]  // pod -> times writes to it were sent
        var handOffs: [(at: UInt64, freed: [String], started: [String])] = []
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 3, let t = UInt64(f[0]) else { continue }
            switch f[1] {
            case "recv" where f.count >= 6 && f[2].hasSuffix("/pods"):
                let key = "\(f[4])@\(f[5])"
                if received[key] == nil { received[key] = t }
            case "send" where f.count >= 4:
                if let pod = Self.pod(inPath: f[3]) { sends[pod, default: []].append(t) }
            case "done" where f.count >= 4:
                if let pod = Self.pod(inPath: f[3]) { responses[pod, default: []].append(t) }
            case "handoff" where f.count >= 4:
                handOffs.append((t, f[2].split(separator: ",").map(String.init), f[3].split(separator: ",").map(String.init)))
            default:
                break
            }
        }
        for h in handOffs {
            for (j, started) in h.started.enumerated() {
                let freed = h.freed[min(j, h.freed.count - 1)]
                let pod = String(freed.split(separator: "@").first ?? "")
                var from = received[freed]
                if from == nil, let r = responses[pod]?.last(where: { $0 <= h.at }) {
                    from = r
                    fromWriteResponses += 1
                }
                guard let from, let sent = sends[started]?.first(where: { $0 >= h.at }) else {
                    unmatched += 1
                    continue
                }
                milliseconds.append(Double(sent - from) / 1e6)
            }
        }
        milliseconds.sort()
    }

    /// The pod name in a pod API path (`.../pods/NAME` or `.../pods/NAME/status`).
    static func pod(inPath path: Substring) -> String? {
        let parts = path.split(separator: "/")
        guard let i = parts.firstIndex(of: "pods"), i + 1 < parts.count else { return nil }
        return String(parts[i + 1])
    }

    /// The `p` quantile (0...1) in ms.
    func percentile(_ p: Double) -> Double {
        guard !milliseconds.isEmpty else { return .infinity }
        let i = min(milliseconds.count - 1, Int((Double(milliseconds.count) * p).rounded(.up)) - 1)
        return milliseconds[max(0, i)]
    }
}
