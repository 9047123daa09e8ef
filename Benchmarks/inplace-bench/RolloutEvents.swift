import Foundation
import JSON

/// A rollout's `-o json` event lines, reduced to what the benchmarks measure.
struct RolloutEvents {
    /// Per pod (workload/pod): when its first step was reported and when it was done (epoch seconds).
    var started: [String: Double] = [:]
    var done: [String: Double] = [:]
    var summary: JSONValue?
    var failures: [String] = []

    init(file: String) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        for line in text.split(separator: "\n") {
            guard let e = try? JSONValue(parsing: String(line)) else { continue }
            let key = (e["workload"]?.string ?? "") + "/" + (e["pod"]?.string ?? "")
            switch e["type"]?.string {
            case "podStep":
                if started[key] == nil, let t = Self.seconds(e["time"]) { started[key] = t }
            case "podDone":
                if let t = Self.seconds(e["time"]) { done[key] = t }
            case "podFailed":
                failures.append("\(key): \(e["reason"]?.string ?? "") \(e["message"]?.string ?? "")")
            case "summary":
                summary = e
            default:
                break
            }
        }
    }

    /// From the first pod's first step to the last pod done.
    var makespan: Double? {
        guard let first = started.values.min(), let last = done.values.max() else { return nil }
        return last - first
    }

    /// Each pod's time from its first step to done, in start order.
    var durationsByStart: [(start: Double, seconds: Double)] {
        done.compactMap { key, t in started[key].map { ($0, t - $0) } }.sorted { $0.start < $1.start }
    }

    /// The median time over `minimum` of each window of `width` pods (in start order), in ms.
    func windowExcess(width: Int, minimum: Double) -> [Double] {
        let byStart = durationsByStart
        return stride(from: 0, to: byStart.count, by: max(1, width)).map { i in
            let over = byStart[i..<min(byStart.count, i + width)].map { ($0.seconds - minimum) * 1000 }.sorted()
            return over[over.count / 2]
        }
    }

    /// Each workload's pods in start order, cut into batches of `width`: for the k-th batch of every
    /// workload together, how many pods, the median time over `minimum` (ms), and when its last pod
    /// was done (seconds after the first pod of all started).
    func batches(width: Int, minimum: Double) -> [(pods: Int, medianExcess: Double, endsAt: Double)] {
        guard let first = started.values.min() else { return [] }
        var byWorkload: [String: [(start: Double, done: Double)]] = [:]
        for (key, t) in done {
            guard let s = started[key] else { continue }
            byWorkload[String(key[..<(key.lastIndex(of: "/") ?? key.endIndex)]), default: []].append((s, t))
        }
        var batches: [[(start: Double, done: Double)]] = []
        for pods in byWorkload.values {
            for (i, pod) in pods.sorted(by: { $0.start < $1.start }).enumerated() {
                let k = i / max(1, width)
                if batches.count <= k { batches.append([]) }
                batches[k].append(pod)
            }
        }
        return batches.map { b in
            let over = b.map { ($0.done - $0.start - minimum) * 1000 }.sorted()
            return (b.count, over[over.count / 2], (b.map(\.done).max() ?? first) - first)
        }
    }

    /// An RFC 3339 time with fractional seconds as epoch seconds.
    static func seconds(_ value: JSONValue?) -> Double? {
        guard let t = value?.string, let dot = t.lastIndex(of: ".") else { return nil }
        let fraction = Double("0" + t[dot...].dropLast()) ?? 0
        let d = t[..<dot].split(whereSeparator: { !$0.isNumber }).compactMap { Int32($0) }
        guard d.count >= 6 else { return nil }
        var tmv = tm()
        tmv.tm_year = d[0] - 1900; tmv.tm_mon = d[1] - 1; tmv.tm_mday = d[2]
        tmv.tm_hour = d[3]; tmv.tm_min = d[4]; tmv.tm_sec = d[5]
        return Double(timegm(&tmv)) + fraction
    }
}
