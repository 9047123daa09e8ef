import Foundation
import JSON

/// How the simulated kubelet and controllers behave in a rollout benchmark (seconds).
struct KubeletProfile {
    var kill: Double
    var pull: Double
    var start: Double
    var ready: Double
    var propagation: Double = 0

    /// Issue 3's: restart ~200 ms, pull 100 ms, ready 100 ms, endpoints at once.
    static let fast = KubeletProfile(kill: 0.1, pull: 0.1, start: 0.1, ready: 0.1)
    /// Issue 12's realistic one: kill 500 ms, pull 1 s, start 500 ms, readiness 1 s, endpoint propagation 300 ms.
    static let realistic = KubeletProfile(kill: 0.5, pull: 1, start: 0.5, ready: 1, propagation: 0.3)

    /// The least a pod can take: its endpoint leaves (drain), then the kubelet's steps.
    var perPodMinimum: Double { propagation + kill + pull + start + ready }

    var description: String {
        String(format: "kill %.0f ms, pull %.0f ms, start %.0f ms, ready %.0f ms, endpoint propagation %.0f ms", kill * 1000,
               pull * 1000, start * 1000, ready * 1000, propagation * 1000)
    }

    var json: JSONValue {
        ["kill": .double(kill), "pull": .double(pull), "start": .double(start), "readiness": .double(ready),
         "endpointPropagation": .double(propagation)]
    }
}

/// A Deployment (and its Service) for the benchmarks, as the scenario seeds it and as the rollout applies it.
struct BenchDeployment {
    let name: String
    let replicas: Int

    var labels: JSONValue { ["app": .string(name)] }

    func seeded() -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "labels": labels],
            "spec": ["replicas": .int(replicas), "selector": ["matchLabels": labels], "template": [
                "metadata": ["labels": labels],
                "spec": ["readinessGates": [["conditionType": "InPlaceUpdateReady"]],
                         "containers": [["name": "app", "image": "nginx:1.25", "ports": [["containerPort": 80]]]]],
            ]],
        ]
    }

    func service() -> JSONValue {
        ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
         "spec": ["selector": labels, "ports": [["port": 80, "targetPort": 80]]]]
    }

    func manifest() -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: \(name)
          labels: {app: \(name)}
        spec:
          replicas: \(replicas)
          selector:
            matchLabels: {app: \(name)}
          template:
            metadata:
              labels: {app: \(name)}
            spec:
              readinessGates: [{conditionType: InPlaceUpdateReady}]
              containers:
              - name: app
                image: nginx:1.27
                ports: [{containerPort: 80}]

        """
    }

    /// A scenario of these Deployments (each with its Service) on `nodes` nodes.
    static func scenario(_ deployments: [BenchDeployment], profile: KubeletProfile, nodes: Int = 20) -> JSONValue {
        [
            "namespace": "default", "nodes": .int(nodes),
            "workloads": .array(deployments.map { ["manifest": $0.seeded(), "podConditions": ["InPlaceUpdateReady": "True"]] }),
            "objects": .array(deployments.map { $0.service() }),
            "cluster": ["latencies": profile.json],
        ]
    }
}

/// One `kubectl-inplace rollout -o json` run against a running KubeSim: its events and its cost.
struct RolloutRun {
    let measurement: ChildProcess.Measurement
    let events: RolloutEvents
    let errors: String

    /// Runs `rollout -f manifest` with `flags`; `trace` names the client trace file to write.
    static func run(binary: String, manifest: String, flags: [String], sim: SimProcess, workDir: String, label: String,
                    trace: String? = nil) throws -> RolloutRun {
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": workDir, "KUBECONFIG": sim.kubeconfig]
        if let trace {
            try? FileManager.default.removeItem(atPath: trace)
            env["KUBECTL_INPLACE_TRACE"] = trace
        }
        let out = workDir + "/\(label).jsonl", err = workDir + "/\(label).err"
        let m = ChildProcess.measure([binary, "rollout", "-f", manifest, "--grace-period", "0s", "-o", "json"] + flags,
                                     environment: env, stdoutPath: out, stderrPath: err)
        return RolloutRun(measurement: m, events: try RolloutEvents(file: out),
                          errors: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// Reports a run that did not update every pod; true when it did.
    func check(pods: Int, report: Report, label: String) -> Bool {
        guard measurement.exitCode != 0 || events.done.count != pods else { return true }
        report.problem("\(label): exit \(measurement.exitCode), \(events.done.count) of \(pods) pods updated; "
                       + (events.failures.first ?? String(errors.suffix(600))))
        return false
    }

    func printCost(pods: Int) {
        print(String(format: "client: %.2fs wall, %.2fs CPU (%.2fs per 1,000 pods), %.1f MB peak RSS", measurement.wallSeconds,
                     measurement.cpuSeconds, measurement.cpuSeconds * 1000 / Double(pods), measurement.peakRSSMegabytes))
    }
}

/// A rollout of one Deployment: makespan against the ideal (batches × per-pod minimum), the window
/// breakdown, writes per pod, polling GETs, hand-off latency (from the client's trace) and client cost.
struct RolloutBenchmark {
    let binary: String
    let pods: Int
    let maxUnavailable: Int
    let profile: KubeletProfile
    let workDir: String
    let label: String
    /// Whether the client writes its trace (for the hand-off latency).
    var trace = false
    /// How many times the rollout runs, each against a fresh KubeSim: the client-cost figures are the
    /// runs' median CPU and highest peak RSS (one run's CPU moves by a tenth on this shared machine);
    /// the other figures are the first run's.
    var runs = 1

    func run(report: Report) throws {
        print("\n== \(label): \(pods) pods, max-unavailable \(maxUnavailable), \(profile.description), grace 0 ==")
        var costs: [ChildProcess.Measurement] = []
        for i in 0..<max(1, runs) {
            if runs > 1 { print("-- run \(i + 1) of \(runs)") }
            guard let measured = try runOnce(report: report, figures: i == 0) else { return }
            costs.append(measured)
        }
        let perThousand = costs.map { $0.cpuSeconds * 1000 / Double(pods) }.sorted()
        let peak = costs.map(\.peakRSSMegabytes).max() ?? 0
        if costs.count > 1 {
            print("client CPU per 1,000 pods over \(costs.count) runs: "
                  + costs.map { String(format: "%.2f", $0.cpuSeconds * 1000 / Double(pods)) }.joined(separator: ", ")
                  + String(format: " s (median %.2f s); peak RSS ", perThousand[perThousand.count / 2])
                  + costs.map { String(format: "%.1f", $0.peakRSSMegabytes) }.joined(separator: ", ") + " MB")
        }
        // Writing the trace costs the client CPU a user's rollout does not spend: the client's cost
        // is the untraced run's ("cost" in `all`).
        report.add(Figure("\(label): client CPU per 1,000 pods\(trace ? " (tracing)" : costs.count > 1 ? " (median of \(costs.count))" : "")",
                          perThousand[perThousand.count / 2], atMost: 1, unit: " s",
                          gating: !trace, note: "tracing; the client cost is the untraced run's"))
        report.add(Figure("\(label): client peak RSS\(costs.count > 1 ? " (highest of \(costs.count))" : "")", peak, atMost: 40,
                          format: "%.1f", unit: " MB"))
    }

    /// One run against a fresh KubeSim: its cost, or nil when it did not update every pod (reported).
    /// Reports the makespan, writes, polling and hand-off figures when `figures`.
    private func runOnce(report: Report, figures: Bool) throws -> ChildProcess.Measurement? {
        let deployment = BenchDeployment(name: "bench", replicas: pods)
        let scenarioPath = workDir + "/\(label)-scenario.json"
        try BenchDeployment.scenario([deployment], profile: profile).serialized().write(toFile: scenarioPath, atomically: true, encoding: .utf8)
        let manifestPath = workDir + "/\(label).yaml"
        try deployment.manifest().write(toFile: manifestPath, atomically: true, encoding: .utf8)
        let sim = try SimProcess(arguments: ["--scenario", scenarioPath], workDir: workDir)
        defer { sim.stop() }
        let tracePath = trace ? workDir + "/\(label).trace" : nil
        print("load average before: \(loadAverage())")
        let run = try RolloutRun.run(binary: binary, manifest: manifestPath, flags: ["--max-unavailable", String(maxUnavailable)],
                                     sim: sim, workDir: workDir, label: label, trace: tracePath)
        print("load average after: \(loadAverage())")
        guard run.check(pods: pods, report: report, label: label), let makespan = run.events.makespan,
              let summary = run.events.summary else { return nil }
        let batches = (pods + maxUnavailable - 1) / maxUnavailable
        let ideal = Double(batches) * profile.perPodMinimum
        print(String(format: "pods updated: %d; makespan %.2fs, ideal %d batches x %.2fs = %.2fs", run.events.done.count, makespan,
                     batches, profile.perPodMinimum, ideal))
        let durations = run.events.durationsByStart.map(\.seconds).sorted()
        if let fastest = durations.first {
            print(String(format: "per-pod sequence: fastest %.0f ms, median %.0f ms (kubelet alone: %.0f ms)", fastest * 1000,
                         durations[durations.count / 2] * 1000, profile.perPodMinimum * 1000))
        }
        let windows = run.events.windowExcess(width: maxUnavailable, minimum: profile.perPodMinimum)
        print("median ms over the kubelet's \(Int(profile.perPodMinimum * 1000)) ms, window by window: "
              + windows.map { String(format: "%.0f", $0) }.joined(separator: ", "))
        let target = profile.propagation > 0 ? 1.03 : 1.05
        run.printCost(pods: pods)
        guard figures else { return run.measurement }
        report.add(Figure("\(label): makespan / ideal (load \(loadAverage()))", makespan / ideal, atMost: target, format: "%.3f",
                          gating: false))

        let requests = summary["requests"]?.object ?? JSONObject()
        let patches = requests["PATCH"]?.int ?? 0
        let gets = requests["GET"]?.int ?? 0
        let podWrites = summary["podWrites"]?.int ?? patches
        print("requests: " + requests.members.map { "\($0.value.int ?? 0) \($0.key)" }.joined(separator: ", ")
              + "  (GETs are one-off reads of the workload, not polling: \(gets))")
        report.add(Figure("\(label): writes per pod", Double(podWrites) / Double(max(1, run.events.done.count)), atMost: 4))
        report.add(Figure("\(label): polling GETs", Double(gets), atMost: 3, format: "%.0f"))

        if let tracePath {
            let handOff = try HandOffLatency(traceFile: tracePath)
            print("hand-offs traced: \(handOff.milliseconds.count) (\(handOff.fromWriteResponses) freed by a write's response, "
                  + "\(handOff.unmatched) unmatched); p90 \(String(format: "%.2f", handOff.percentile(0.9))) ms, max "
                  + String(format: "%.2f", handOff.milliseconds.last ?? .infinity) + " ms")
            if handOff.milliseconds.isEmpty { report.problem("\(label): no hand-off found in the client's trace") }
            report.add(Figure("\(label): hand-off latency p50", handOff.percentile(0.5), atMost: 2, unit: " ms"))
            report.add(Figure("\(label): hand-off latency p99", handOff.percentile(0.99), atMost: 10, unit: " ms"))
        }
        return run.measurement
    }
}
