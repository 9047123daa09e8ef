import Foundation
import JSON

/// Issue 3's benchmark: 1,000 pods, max-unavailable 100, kubelet restart ~200 ms, pull 100 ms,
/// ready 100 ms, grace 0. Makespan against the ideal (batches × per-pod minimum), writes per pod,
/// polling GETs, client CPU and peak RSS.
struct RolloutBenchmark {
    let binary: String
    let pods: Int
    let maxUnavailable: Int
    let workDir: String
    let latencies: (kill: Double, pull: Double, start: Double, ready: Double) = (0.1, 0.1, 0.1, 0.1)

    var perPodMinimum: Double { latencies.kill + latencies.pull + latencies.start + latencies.ready }

    func scenario() -> JSONValue {
        let labels: JSONValue = ["app": "bench"]
        let deployment: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "bench", "labels": labels],
            "spec": ["replicas": .int(pods), "selector": ["matchLabels": labels], "template": [
                "metadata": ["labels": labels],
                "spec": ["readinessGates": [["conditionType": "InPlaceUpdateReady"]],
                         "containers": [["name": "app", "image": "nginx:1.25", "ports": [["containerPort": 80]]]]],
            ]],
        ]
        let service: JSONValue = [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": "bench"],
            "spec": ["selector": labels, "ports": [["port": 80, "targetPort": 80]]],
        ]
        return [
            "namespace": "default", "nodes": 20,
            "workloads": [["manifest": deployment, "podConditions": ["InPlaceUpdateReady": "True"]]],
            "objects": [service],
            "cluster": ["latencies": ["kill": .double(latencies.kill), "pull": .double(latencies.pull),
                                      "start": .double(latencies.start), "readiness": .double(latencies.ready)]],
        ]
    }

    func manifest() -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: bench
          labels: {app: bench}
        spec:
          replicas: \(pods)
          selector:
            matchLabels: {app: bench}
          template:
            metadata:
              labels: {app: bench}
            spec:
              readinessGates: [{conditionType: InPlaceUpdateReady}]
              containers:
              - name: app
                image: nginx:1.27
                ports: [{containerPort: 80}]
        """
    }

    func run() throws -> Bool {
        print("\n== rollout: \(pods) pods, max-unavailable \(maxUnavailable), restart \(Int((latencies.kill + latencies.start) * 1000)) ms, pull \(Int(latencies.pull * 1000)) ms, ready \(Int(latencies.ready * 1000)) ms, grace 0 ==")
        let scenarioPath = workDir + "/rollout-scenario.json"
        try scenario().serialized().write(toFile: scenarioPath, atomically: true, encoding: .utf8)
        let manifestPath = workDir + "/bench.yaml"
        try manifest().write(toFile: manifestPath, atomically: true, encoding: .utf8)
        let sim = try SimProcess(arguments: ["--scenario", scenarioPath], workDir: workDir)
        defer { sim.stop() }
        let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": workDir, "KUBECONFIG": sim.kubeconfig]
        let events = workDir + "/events.jsonl"
        let m = ChildProcess.measure([binary, "rollout", "-f", manifestPath, "--max-unavailable", String(maxUnavailable),
                                      "--grace-period", "0s", "-o", "json"], environment: env, stdoutPath: events,
                                     stderrPath: workDir + "/rollout.err")
        let lines = (try String(contentsOfFile: events, encoding: .utf8)).split(separator: "\n")
        let parsed = lines.compactMap { try? JSONValue(parsing: String($0)) }
        func millis(_ e: JSONValue) -> Double? {
            guard let t = e["time"]?.string, let dot = t.lastIndex(of: ".") else { return nil }
            let whole = String(t[..<dot]) + "Z"
            let ms = Double(t[t.index(after: dot)...].dropLast()) ?? 0
            var tmv = tm()
            let d = whole.split(whereSeparator: { !$0.isNumber }).compactMap { Int32($0) }
            guard d.count >= 6 else { return nil }
            tmv.tm_year = d[0] - 1900; tmv.tm_mon = d[1] - 1; tmv.tm_mday = d[2]
            tmv.tm_hour = d[3]; tmv.tm_min = d[4]; tmv.tm_sec = d[5]
            return Double(timegm(&tmv)) + ms / 1000
        }
        let steps = parsed.filter { $0["type"] == "podStep" }
        let done = parsed.filter { $0["type"] == "podDone" }
        guard let summary = parsed.last(where: { $0["type"] == "summary" }), let first = steps.compactMap(millis).min(),
              let last = done.compactMap(millis).max() else {
            print("rollout produced no summary (exit \(m.exitCode)); see \(workDir)/rollout.err")
            print((try? String(contentsOfFile: workDir + "/rollout.err", encoding: .utf8)) ?? "")
            return false
        }
        let makespan = last - first
        var startOf: [String: Double] = [:]
        for e in steps { if let pod = e["pod"]?.string, let t = millis(e), startOf[pod] == nil { startOf[pod] = t } }
        let durations = done.compactMap { e -> Double? in
            guard let pod = e["pod"]?.string, let s = startOf[pod], let t = millis(e) else { return nil }
            return t - s
        }.sorted()
        let batches = (pods + maxUnavailable - 1) / maxUnavailable
        let ideal = Double(batches) * perPodMinimum
        let requests = summary["requests"]?.object ?? JSONObject()
        let patches = requests["PATCH"]?.int ?? 0
        let gets = requests["GET"]?.int ?? 0
        let podWrites = summary["podWrites"]?.int ?? patches
        let perPod = Double(podWrites) / Double(max(1, done.count))
        print(String(format: "pods updated: %d (exit %d)", done.count, m.exitCode))
        print(String(format: "makespan %.2fs, ideal %d batches x %.2fs = %.2fs, ratio %.3f (target <= 1.05) %@", makespan, batches,
                     perPodMinimum, ideal, makespan / ideal, makespan / ideal <= 1.05 ? "PASS" : "FAIL"))
        if let fastest = durations.first {
            let median = durations[durations.count / 2]
            print(String(format: "per-pod sequence: fastest %.0f ms, median %.0f ms (kubelet alone: %.0f ms); makespan / (batches x fastest) = %.3f",
                         fastest * 1000, median * 1000, perPodMinimum * 1000, makespan / (Double(batches) * fastest)))
        }
        // Where the excess comes from: each window of pods (in start order) and its median time over the kubelet's.
        let byStart = done.compactMap { e -> (Double, Double)? in
            guard let pod = e["pod"]?.string, let s = startOf[pod], let t = millis(e) else { return nil }
            return (s, t - s)
        }.sorted { $0.0 < $1.0 }
        let windows = stride(from: 0, to: byStart.count, by: maxUnavailable).map { i -> String in
            let over = byStart[i..<min(byStart.count, i + maxUnavailable)].map { ($0.1 - perPodMinimum) * 1000 }.sorted()
            return String(format: "%.0f", over[over.count / 2])
        }
        print("median ms over the kubelet's \(Int(perPodMinimum * 1000)) ms, window by window: " + windows.joined(separator: ", "))
        print(String(format: "writes per pod: %.2f (target <= 4) %@  [%d PATCH in all, %d to pods]", perPod,
                     perPod <= 4 ? "PASS" : "FAIL", patches, podWrites))
        print("requests: " + requests.members.map { "\($0.value.int ?? 0) \($0.key)" }.joined(separator: ", ")
              + "  (GETs are one-off reads of the workload, not polling: \(gets))")
        print(String(format: "client: %.2fs wall, %.2fs CPU, %.1f MB peak RSS", m.wallSeconds, m.cpuSeconds, m.peakRSSMegabytes))
        return m.exitCode == 0 && done.count == pods && makespan / ideal <= 1.05 && perPod <= 4 && gets <= 3
    }
}
