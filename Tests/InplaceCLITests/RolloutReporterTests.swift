import JSON
import Testing
@testable import InplaceCLI
@testable import InplaceCore

/// The live view's estimate and the choice of output mode.
@Suite struct RolloutReporterTests {
    let web = WorkloadRef(kind: .deployment, namespace: "default", name: "web")

    @Test func remainingTimeComesFromThePerPodTimeAndFallsAtEveryStep() throws {
        // 6 pods, two at a time, each taking 10 s: the rollout ends at t = 30.
        var view = LiveView()
        var estimates: [(Double, Double)] = []
        func at(_ t: Double, _ events: [RolloutEvent]) {
            for e in events { view.apply(e, now: t) }
            if let left = LiveView.remaining(view.workloads[0], now: t) { estimates.append((t, left)) }
        }
        func start(_ pod: String) -> RolloutEvent { .podStep(web, pod: pod, step: .gateOff, elapsed: 0) }
        func done(_ pod: String) -> RolloutEvent { .podDone(web, pod: pod, seconds: 10) }
        at(0, [.started(web, update: 6, keep: 0, hold: 0, maxUnavailable: 2), start("p1"), start("p2")])
        at(5, [])
        at(10, [done("p1"), start("p3"), done("p2"), start("p4")])
        at(12, [])
        at(15, [])
        at(20, [done("p3"), start("p5"), done("p4"), start("p6")])
        at(25, [])
        at(29, [])
        #expect(estimates.map(\.0) == [10, 12, 15, 20, 25, 29], "no estimate before a pod has finished")
        for (t, left) in estimates {
            #expect(abs(left - (30 - t)) < 0.001, "at \(t)s the estimate is \(left)s, the rollout ends at 30s")
        }
    }

    @Test("issue 12: with many workloads the live view shows one line per workload, then the pods in flight that fit, within the terminal's height")
    func liveViewFitsTheTerminal() {
        var view = LiveView()
        let refs = (0..<6).map { WorkloadRef(kind: .deployment, namespace: "default", name: "svc-\($0)") }
        for r in refs {
            view.apply(.started(r, update: 10, keep: 0, hold: 0, maxUnavailable: 4), now: 0)
            for p in 0..<4 { view.apply(.podStep(r, pod: "\(r.name)-p\(p)", step: .gateOff, elapsed: 0), now: 0) }
        }
        let style = Style(enabled: false)
        let lines = view.render(now: 1, style: style, width: 120, height: 15)
        #expect(lines.count <= 14, "\(lines.joined(separator: "\n"))")
        for r in refs { #expect(lines.contains { $0.hasPrefix(r.description + " ") && $0.contains("0/10 updated") }, "a line for \(r)") }
        #expect(lines.filter { $0.hasPrefix("  svc-") }.count == 7, "the pods that fit after the workload lines: \(lines)")
        #expect(lines.last == "  … and 17 more in flight", "\(lines)")
        let tiny = view.render(now: 1, style: style, width: 120, height: 5)
        #expect(tiny.count == 4 && tiny.last == "… and 3 more workloads rolling", "\(tiny)")
    }

    @Test func liveViewOnlyWhereTheTerminalCanMoveItsCursor() {
        #expect(RolloutReporter.Mode.decide(json: false, stderrIsTTY: true, environment: ["TERM": "xterm-256color"]) == .live)
        #expect(RolloutReporter.Mode.decide(json: false, stderrIsTTY: true, environment: ["TERM": "dumb"]) == .plain)
        #expect(RolloutReporter.Mode.decide(json: false, stderrIsTTY: false, environment: [:]) == .plain)
        #expect(RolloutReporter.Mode.decide(json: true, stderrIsTTY: true, environment: [:]) == .json)
    }

    @Test func plainModeWritesNoEscapeCodesOrBlockGlyphs() {
        let t = CapturingTerminal(tty: true)
        let reporter = RolloutReporter(terminal: t, style: Style.decide(isTTY: true, noColorFlag: false, environment: ["TERM": "dumb"]),
                                       mode: .decide(json: false, stderrIsTTY: true, environment: ["TERM": "dumb"]), quiet: false)
        reporter.handle(.started(web, update: 2, keep: 0, hold: 0, maxUnavailable: 1))
        reporter.handle(.podStep(web, pod: "p1", step: .gateOff, elapsed: 0))
        reporter.handle(.podDone(web, pod: "p1", seconds: 1))
        #expect(!t.errors.contains("p1"), "a pass's pod steps wait for the loop to settle")
        reporter.settle()
        #expect(t.errors.contains("p1"))
        #expect(!t.errors.contains("\u{1B}") && !t.errors.contains("█") && !t.errors.contains("░"), "\(t.errors)")
    }

    @Test("12: JSON lines of pod steps are held until the rollout's loop settles and go out in one write, in order; any other event writes what was held first, then itself")
    func podStepsWaitForTheLoopToSettle() {
        let t = CapturingTerminal(tty: false)
        let reporter = RolloutReporter(terminal: t, style: Style.decide(isTTY: false, noColorFlag: true, environment: [:]),
                                       mode: .json, quiet: false)
        reporter.handle(.started(web, update: 2, keep: 0, hold: 0, maxUnavailable: 2))
        #expect(t.output.contains("\"started\""), "a workload's start goes out at once")
        let writes = t.outputWrites
        reporter.handle(.podStep(web, pod: "p1", step: .gateOff, elapsed: 0))
        reporter.handle(.podStep(web, pod: "p2", step: .gateOff, elapsed: 0))
        #expect(t.outputWrites == writes && !t.output.contains("p1"))
        reporter.settle()
        #expect(t.outputWrites == writes + 1, "one write for the pass")
        let lines = t.output.split(separator: "\n")
        #expect(lines.count == 3 && lines[1].contains("p1") && lines[2].contains("p2"))
        reporter.handle(.podDone(web, pod: "p1", seconds: 1))
        reporter.handle(.podFailed(web, pod: "p2", reason: "ImagePullBackOff", message: "no such image"))
        let all = t.output.split(separator: "\n")
        #expect(all.count == 5 && all[3].contains("podDone") && all[4].contains("podFailed"), "\(all)")
        reporter.settle()
        #expect(t.output.split(separator: "\n").count == 5, "nothing left to write")
    }

    @Test("12: a JSON line built outside the reporter's lock and stamped under it is the line of the whole event, for every kind of event")
    func untimedLinesStampedAreWholeLines() throws {
        let time = "2026-12-04T12:00:00.123Z"
        let events: [RolloutEvent] = [
            .started(web, update: 2, keep: 1, hold: 0, maxUnavailable: 2), .workloadWrite(web, "prepared"),
            .podStep(web, pod: "p1", step: .gateOff, elapsed: 0.25), .podDone(web, pod: "p1", seconds: 1.5),
            .podStep(web, pod: "p\"ü\\", step: .ready, elapsed: 2), .podStep(web, pod: "p1", step: .drain, elapsed: 0.0005),
            .podDone(web, pod: "p1", seconds: 12345.67891), .podDone(web, pod: "p1", seconds: 0),
            .podFailed(web, pod: "p2", reason: "ErrImagePull", message: "say \"no\""), .warning(nil, "w"),
            .finished(web, RolloutOutcome(result: .complete, updated: 2)),
        ]
        for event in events {
            let line = RolloutEventJSON.stamped(RolloutEventJSON.untimed(event), time: time)
            #expect(line == RolloutEventJSON.object(event, time: time).serialized() + "\n", "\(event)")
            #expect(try JSONValue(parsing: Array(line.dropLast().utf8))["time"] == .string(time))
        }
    }

    @Test("12: settling with nothing held writes nothing; a line held by one thread goes out at its settle")
    func settleWithNothingHeld() {
        let t = CapturingTerminal(tty: false)
        let reporter = RolloutReporter(terminal: t, style: Style.decide(isTTY: false, noColorFlag: true, environment: [:]),
                                       mode: .json, quiet: false)
        reporter.settle()
        #expect(t.outputWrites == 0)
        reporter.handle(.podStep(web, pod: "p1", step: .gateOff, elapsed: 0))
        reporter.settle()
        reporter.settle()
        #expect(t.outputWrites == 1 && t.output.contains("p1"))
    }
}
