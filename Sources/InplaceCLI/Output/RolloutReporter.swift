import Foundation
import InplaceCore
import Synchronization

/// Shows rollout events: as JSON lines on stdout (`-o json`), as a live view redrawn in place on a
/// terminal, or as plain timestamped lines (CI logs). Thread-safe.
public final class RolloutReporter: RolloutObserver, Sendable {
    /// How events are shown.
    public enum Mode: Sendable {
        case json, live, plain

        /// JSON when asked; the live view only on a terminal that can move its cursor (not `TERM=dumb`);
        /// plain lines everywhere else.
        public static func decide(json: Bool, stderrIsTTY: Bool, environment: [String: String]) -> Mode {
            if json { return .json }
            return stderrIsTTY && environment["TERM"] != "dumb" ? .live : .plain
        }
    }

    let terminal: any Terminal
    let style: Style
    let mode: Mode
    let quiet: Bool
    let clock: any RolloutClock
    /// What the live view shows and has drawn; every write to the terminal happens under it.
    private let screen = Mutex(Screen())
    /// True while lines are held (set and cleared under `screen`, read without it by `settle`).
    private let holding = Atomic<Bool>(false)

    /// The live view's state, the lines of it on the terminal now, and the timer redrawing it.
    private struct Screen {
        var view = LiveView()
        var drawnLines = 0
        var ticker: DispatchSourceTimer?
        /// JSON or plain lines of pod steps held until the rollout's loop settles (`settle()`).
        var held = ""
    }

    /// Most text held back before it is written anyway.
    static let heldLimit = 64 * 1024

    public init(terminal: any Terminal, style: Style, mode: Mode, quiet: Bool, clock: any RolloutClock = SystemClock()) {
        self.terminal = terminal
        self.style = style
        self.mode = mode
        self.quiet = quiet
        self.clock = clock
    }

    /// Shows `event`. A JSON or plain line is built before the lock is taken and stamped with the
    /// time under it: the threads of many workloads rolled at once wait for each other only that long.
    public func handle(_ event: RolloutEvent) {
        switch mode {
        case .json:
            let untimed = RolloutEventJSON.untimed(event)
            screen.withLock { s in emit(RolloutEventJSON.stamped(untimed, time: clock.rfc3339Millis), for: event, on: &s) }
        case .plain:
            guard let line = plainLine(event) else { return }
            screen.withLock { s in emit("\(clock.rfc3339) \(line)\n", for: event, on: &s) }
        case .live:
            screen.withLock { s in show(event, on: &s) }
        }
    }

    /// Writes the pod steps held back in this pass of the rollout's loop, in one write (no lock is
    /// taken when nothing is held: a thread that held a line sees its own mark).
    public func settle() {
        guard holding.load(ordering: .relaxed) else { return }
        screen.withLock { s in flush(&s) }
    }

    /// Writes the held lines (with the screen locked).
    private func flush(_ s: inout Screen) {
        guard !s.held.isEmpty else { return }
        if mode == .json { terminal.out(s.held) } else { terminal.err(s.held) }
        s.held = ""
        holding.store(false, ordering: .relaxed)
    }

    /// Writes `text` in the JSON or plain mode: a pod's step or its end, which only a rollout's loop
    /// reports and follows with `settle()`, waits for it (one write for a pass's many pods); any
    /// other event goes out at once, after what was held.
    private func emit(_ text: String, for event: RolloutEvent, on s: inout Screen) {
        s.held += text
        holding.store(true, ordering: .relaxed)
        switch event {
        case .podStep, .podDone:
            if s.held.utf8.count >= Self.heldLimit { flush(&s) }
        default:
            flush(&s)
        }
    }

    /// Shows one event in the live view (with the screen locked).
    private func show(_ event: RolloutEvent, on s: inout Screen) {
        s.view.apply(event, now: clock.monotonic)
        switch event {
        case .started, .warning, .podFailed, .finished, .workloadWrite:
            if let line = plainLine(event) { printAbove(line, on: &s) }
        default:
            break
        }
        if case .started = event { startTicker(&s) }
        if case .finished = event, s.view.workloads.allSatisfy(\.finished) { stopTicker(&s) }
        redraw(&s)
    }

    /// Prints a line to stderr as-is (summaries, notes), keeping the live view below it.
    public func note(_ line: String) {
        screen.withLock { s in
            flush(&s)
            if mode == .live { printAbove(line, on: &s); redraw(&s) } else if mode == .plain { terminal.err(line + "\n") }
        }
    }

    func plainLine(_ event: RolloutEvent) -> String? {
        switch event {
        case let .started(r, update, keep, hold, maxUnavailable):
            return "\(r): rolling \(update) pod(s) in place, \(maxUnavailable) at a time (\(keep) up to date, \(hold) held)"
        case let .workloadWrite(r, message):
            return quiet ? nil : "\(r): \(message)"
        case let .podStep(r, pod, step, elapsed):
            return quiet ? nil : "\(r) \(pod): \(step.label) (+\(DurationText.format(elapsed)))"
        case let .podDone(r, pod, seconds):
            return quiet ? nil : "\(r) \(pod): \(style.green("updated")) in \(DurationText.format(seconds))"
        case let .podFailed(r, pod, reason, message):
            return "\(r) \(pod): \(style.red("failed")): \(reason)\(message.isEmpty ? "" : ": \(message)")"
        case let .warning(r, message):
            return "\(style.yellow("warning:")) \(r.map { "\($0): " } ?? "")\(message)"
        case let .finished(r, o):
            let mark = o.result == .complete ? style.green("✔") : style.red("✖")
            var s = "\(mark) \(r): \(o.result.rawValue): \(o.updated) updated, \(o.kept) up to date, \(o.held) held"
            if !o.failed.isEmpty { s += ", \(o.failed.count) failed" }
            s += " in \(DurationText.format(o.seconds))"
            // A failure's message repeats the podFailed lines above it; other endings say why here.
            if let m = o.message, o.result != .complete, o.result != .failed || o.failed.isEmpty { s += " (\(m))" }
            return s
        }
    }

    private func printAbove(_ line: String, on s: inout Screen) {
        clear(&s)
        terminal.err(line + "\n")
    }

    private func clear(_ s: inout Screen) {
        guard s.drawnLines > 0 else { return }
        terminal.err("\u{1B}[\(s.drawnLines)F\u{1B}[J")
        s.drawnLines = 0
    }

    private func redraw(_ s: inout Screen) {
        clear(&s)
        let lines = s.view.render(now: clock.monotonic, style: style, width: terminal.width, height: terminal.height)
        if !lines.isEmpty { terminal.err(lines.joined(separator: "\n") + "\n") }
        s.drawnLines = lines.count
    }

    private func startTicker(_ s: inout Screen) {
        guard s.ticker == nil else { return }
        let t = DispatchSource.makeTimerSource(queue: .global())
        t.schedule(deadline: .now() + 0.25, repeating: 0.25)
        t.setEventHandler { [weak self] in
            guard let self else { return }
            self.screen.withLock { self.redraw(&$0) }
        }
        t.resume()
        s.ticker = t
    }

    private func stopTicker(_ s: inout Screen) {
        s.ticker?.cancel()
        s.ticker = nil
    }
}

/// The state behind the live view: per workload counts and the pods in flight.
struct LiveView {
    struct Workload {
        var ref: WorkloadRef
        var total: Int
        var done = 0
        var failed = 0
        var held: Int
        var startedAt: Double
        /// The window: pods in flight at once.
        var window: Int
        /// Seconds each updated pod took, from leaving service to Ready.
        var podSeconds: [Double] = []
        var inFlight: [String: (step: PodStep, since: Double)] = [:]
        var order: [String] = []
        var finished = false
    }

    var workloads: [Workload] = []

    mutating func apply(_ event: RolloutEvent, now: Double) {
        switch event {
        case let .started(r, update, _, hold, maxUnavailable):
            workloads.append(Workload(ref: r, total: update, held: hold, startedAt: now, window: max(1, maxUnavailable)))
        case let .podStep(r, pod, step, _):
            modify(r) { w in
                if w.inFlight[pod] == nil { w.order.append(pod) }
                w.inFlight[pod] = (step, w.inFlight[pod]?.since ?? now)
            }
        case let .podDone(r, pod, seconds):
            modify(r) { w in w.done += 1; w.podSeconds.append(seconds); w.inFlight[pod] = nil; w.order.removeAll { $0 == pod } }
        case let .podFailed(r, pod, _, _):
            modify(r) { w in w.failed += 1; w.inFlight[pod] = nil; w.order.removeAll { $0 == pod } }
        case let .finished(r, _):
            modify(r) { $0.finished = true }
        default:
            break
        }
    }

    private mutating func modify(_ r: WorkloadRef, _ body: (inout Workload) -> Void) {
        guard let i = workloads.lastIndex(where: { $0.ref == r }) else { return }
        body(&workloads[i])
    }

    /// Time left from the measured per-pod time: the work left in the pods in flight and the pods not
    /// started, shared by the window. Nil until a pod has finished.
    static func remaining(_ w: Workload, now: Double) -> Double? {
        guard !w.podSeconds.isEmpty, w.done < w.total else { return nil }
        let perPod = w.podSeconds.reduce(0, +) / Double(w.podSeconds.count)
        let pending = max(0, w.total - w.done - w.failed - w.inFlight.count)
        let inFlight = w.inFlight.values.map { max(0, perPod - (now - $0.since)) }.reduce(0, +)
        let work = inFlight + Double(pending) * perPod
        return work / Double(min(w.window, max(1, w.inFlight.count + pending)))
    }

    /// The view: one line per workload rolling (bar, counts, time, time left), each followed by its
    /// pods in flight, in at most `height` − 1 lines: workloads first, then as many pods as fit,
    /// shared among the workloads, and a line saying how many more there are.
    func render(now: Double, style: Style, width: Int, height: Int = 24) -> [String] {
        let rolling = workloads.filter { !$0.finished }
        let budget = max(2, height - 1)
        guard rolling.count < budget else {
            let shown = budget - 1
            return rolling.prefix(shown).map { headline($0, now: now, style: style, width: width) }
                + ["… and \(rolling.count - shown) more workloads rolling"]
        }
        let flying = rolling.map { w in w.order.filter { w.inFlight[$0] != nil } }
        let total = flying.map(\.count).reduce(0, +)
        var room = budget - rolling.count
        if total > room { room -= 1 }
        var shown = Array(repeating: 0, count: rolling.count)
        var moved = true
        while room > 0 && moved {
            moved = false
            for i in rolling.indices where room > 0 && shown[i] < min(flying[i].count, 12) {
                shown[i] += 1
                room -= 1
                moved = true
            }
        }
        var lines: [String] = []
        for (i, w) in rolling.enumerated() {
            lines.append(headline(w, now: now, style: style, width: width))
            for pod in flying[i].prefix(shown[i]) {
                guard let s = w.inFlight[pod] else { continue }
                lines.append("  \(pod.padding(30))\(s.step.label.padding(16))\(DurationText.format(now - s.since))")
            }
        }
        let hidden = total - shown.reduce(0, +)
        if hidden > 0 { lines.append("  … and \(hidden) more in flight") }
        return lines
    }

    /// A workload's line: its bar, counts, time and time left, cut to `width`.
    func headline(_ w: Workload, now: Double, style: Style, width: Int) -> String {
        let elapsed = now - w.startedAt
        let pending = max(0, w.total - w.done - w.failed - w.inFlight.count)
        let barWidth = 20
        let filled = w.total > 0 ? barWidth * w.done / w.total : barWidth
        let bar = style.green(String(repeating: "█", count: filled)) + style.dim(String(repeating: "░", count: barWidth - filled))
        var parts = ["\(w.done)/\(w.total) updated", "\(w.inFlight.count) in flight", "\(pending) pending"]
        if w.held > 0 { parts.append("\(w.held) held") }
        parts.append(DurationText.format(elapsed))
        if let left = Self.remaining(w, now: now) { parts.append("~\(DurationText.format(left)) left") }
        let head = "\(style.bold(w.ref.description)) \(bar) "
        while parts.count > 1 && w.ref.description.count + barWidth + 2 + parts.joined(separator: " · ").count > width {
            parts.removeLast()
        }
        return head + parts.joined(separator: " · ")
    }
}
