import Foundation

/// One measured figure against its target, printed as it is measured and again in the summary.
struct Figure {
    enum Bound { case atMost, atLeast }

    let name: String
    let value: Double
    let target: Double
    let bound: Bound
    let format: String
    let unit: String
    /// True when the figure counts for "all targets met" (a makespan on a shared machine is reported,
    /// and explained when missed; so are the 50-workload profile's client figures).
    let gating: Bool
    /// Why a figure that does not count is reported (printed before it in the summary).
    let note: String

    init(_ name: String, _ value: Double, atMost target: Double, format: String = "%.2f", unit: String = "", gating: Bool = true,
         note: String = "shared-machine makespan") {
        self.name = name
        self.value = value
        self.target = target
        self.bound = .atMost
        self.format = format
        self.unit = unit
        self.gating = gating
        self.note = note
    }

    var passed: Bool { bound == .atMost ? value <= target : value >= target }

    var line: String {
        let v = String(format: format, value) + unit
        let t = String(format: format, target) + unit
        return "\(name): \(v) (target \(bound == .atMost ? "<=" : ">=") \(t)) \(passed ? "PASS" : "FAIL")"
    }
}

/// The figures of one `inplace-bench` run.
final class Report {
    private(set) var figures: [Figure] = []
    private(set) var problems: [String] = []

    /// Records and prints a figure.
    func add(_ figure: Figure) {
        figures.append(figure)
        print(figure.line)
    }

    /// Records something that makes the run's figures invalid (a rollout that did not complete).
    func problem(_ text: String) {
        problems.append(text)
        print("PROBLEM: \(text)")
    }

    /// Prints every figure again, and whether all gating targets were met.
    func summary() -> Bool {
        print("\n== summary ==")
        for f in figures { print((f.gating ? "" : "(\(f.note)) ") + f.line) }
        for p in problems { print("PROBLEM: \(p)") }
        let ok = problems.isEmpty && figures.allSatisfy { $0.passed || !$0.gating }
        let missed = figures.filter { !$0.gating && !$0.passed }.count
        print(ok ? "all targets met" + (missed > 0 ? "; \(missed) reported figure(s) over their target (see the window breakdowns)" : "")
                 : "some targets missed")
        return ok
    }
}

/// The load on the machine (`/proc/loadavg`), printed with every makespan: makespans are only
/// comparable on a quiet machine.
func loadAverage() -> String {
    let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}
