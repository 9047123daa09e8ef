import InplaceCore

/// The controller's log on stderr: one timestamped line per event, one per pod it marks.
struct ControllerLog: Sendable {
    let terminal: any Terminal
    /// With `--quiet` only marked pods, warnings and errors are logged.
    let quiet: Bool
    let clock: any RolloutClock

    /// Writes `<time> <message>`.
    func line(_ message: String, essential: Bool = false) {
        guard essential || !quiet else { return }
        terminal.err("\(clock.rfc3339) \(message)\n")
    }

    /// Logs a gate keeper event.
    func event(_ event: GateKeeperEvent) {
        switch event {
        case let .marked(namespace, name, at):
            terminal.err("\(at) marked pod \(namespace)/\(name) \(InPlace.gateConditionType)=True\n")
        case let .restored(namespace, name, rollout, at):
            terminal.err("\(at) restored pod \(namespace)/\(name) \(InPlace.gateConditionType)=True: rollout \(rollout) was abandoned and the pod runs its target images, ready\n")
        case let .retrying(namespace, name, reason, delay):
            line("warning: pod \(namespace)/\(name): \(reason); retrying in \(DurationText.format(delay))", essential: true)
        case let .refused(namespace, name, reason):
            line("warning: pod \(namespace)/\(name): the API server refused the condition: \(reason)", essential: true)
        case let .watchFailed(path, reason, delay):
            line("warning: watch of \(path) failed: \(reason); watching again in \(DurationText.format(delay))", essential: true)
        case let .synced(path, pods, pending):
            line("listed \(pods) pod(s) of \(path); \(pending) need \(InPlace.gateConditionType)")
        }
    }
}
