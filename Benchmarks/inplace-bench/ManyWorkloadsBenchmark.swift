import Foundation

/// Many workloads from one directory: `count` Deployments × `replicas` pods, max-unavailable 25%
/// each, against the makespan of one such Deployment rolled alone on the same cluster just before.
struct ManyWorkloadsBenchmark {
    let binary: String
    let count: Int
    let replicas: Int
    let profile: KubeletProfile
    let workDir: String

    func run(report: Report) throws {
        print("\n== many workloads: \(count) Deployments x \(replicas) pods from one directory, max-unavailable 25% each, \(profile.description), grace 0 ==")
        let solo = BenchDeployment(name: "solo", replicas: replicas)
        let apps = (0..<count).map { BenchDeployment(name: String(format: "app-%02d", $0), replicas: replicas) }
        let scenarioPath = workDir + "/many-scenario.json"
        try BenchDeployment.scenario([solo] + apps, profile: profile).serialized()
            .write(toFile: scenarioPath, atomically: true, encoding: .utf8)
        let soloPath = workDir + "/solo.yaml"
        try solo.manifest().write(toFile: soloPath, atomically: true, encoding: .utf8)
        let dir = workDir + "/many"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for app in apps { try app.manifest().write(toFile: "\(dir)/\(app.name).yaml", atomically: true, encoding: .utf8) }
        let sim = try SimProcess(arguments: ["--scenario", scenarioPath], workDir: workDir)
        defer { sim.stop() }

        print("load average before: \(loadAverage())")
        let one = try RolloutRun.run(binary: binary, manifest: soloPath, flags: ["--max-unavailable", "25%"], sim: sim,
                                     workDir: workDir, label: "solo")
        let simBefore = sim.cpuSeconds
        let all = try RolloutRun.run(binary: binary, manifest: dir, flags: ["--max-unavailable", "25%"], sim: sim,
                                     workDir: workDir, label: "many")
        let simCPU = sim.cpuSeconds - simBefore
        print("load average after: \(loadAverage())")
        guard one.check(pods: replicas, report: report, label: "one Deployment"),
              all.check(pods: count * replicas, report: report, label: "\(count) Deployments"),
              let soloSpan = one.events.makespan, let manySpan = all.events.makespan else { return }
        let batches = (replicas + replicas / 4 - 1) / max(1, replicas / 4)
        print(String(format: "one Deployment: makespan %.2fs (ideal %d batches x %.2fs = %.2fs)", soloSpan, batches,
                     profile.perPodMinimum, Double(batches) * profile.perPodMinimum))
        print(String(format: "%d Deployments: makespan %.2fs, %d pods updated", count, manySpan, all.events.done.count))
        let starts = all.events.durationsByStart
        if let first = starts.first?.start {
            // When each Deployment's first pod started, relative to the first of all: overlap, or one after another.
            var firstByWorkload: [String: Double] = [:]
            for (key, t) in all.events.started {
                let w = String(key[..<(key.lastIndex(of: "/") ?? key.endIndex)])
                firstByWorkload[w] = min(firstByWorkload[w] ?? .infinity, t - first)
            }
            let offsets = firstByWorkload.values.sorted()
            print(String(format: "first pod of each Deployment starts after: min %.2fs, median %.2fs, max %.2fs", offsets.first ?? 0,
                         offsets[offsets.count / 2], offsets.last ?? 0))
        }
        // Where the time goes: each batch of every Deployment together, and who used the two cores.
        for (k, b) in all.events.batches(width: max(1, replicas / 4), minimum: profile.perPodMinimum).enumerated() {
            print(String(format: "batch %d of every Deployment: %d pods, median %.0f ms over the kubelet's %.0f ms, last done at %.2fs",
                         k + 1, b.pods, b.medianExcess, profile.perPodMinimum * 1000, b.endsAt))
        }
        print(String(format: "CPU during the %d-Deployment run: client %.2fs, simulator %.2fs, in %.2fs wall on 2 cores (%.0f%% of them)",
                     count, all.measurement.cpuSeconds, simCPU, all.measurement.wallSeconds,
                     100 * (all.measurement.cpuSeconds + simCPU) / (2 * all.measurement.wallSeconds)))
        report.add(Figure("many workloads: makespan / one Deployment's (load \(loadAverage()))", manySpan / soloSpan, atMost: 1.25,
                          format: "%.3f", gating: false))
        all.printCost(pods: count * replicas)
        // Reported against the one-workload budget, as the issue asks for them: 50 plans, preflights and
        // records, and a thread parked per workload, cost more than the pods alone.
        let reported = "reported, against the one-workload budget"
        report.add(Figure("many workloads: client CPU per 1,000 pods",
                          all.measurement.cpuSeconds * 1000 / Double(count * replicas), atMost: 1, unit: " s", gating: false, note: reported))
        report.add(Figure("many workloads: client peak RSS", all.measurement.peakRSSMegabytes, atMost: 40, format: "%.1f", unit: " MB",
                          gating: false, note: reported))
    }
}
