import Foundation
import InplaceCore
import Synchronization

extension Command {
    /// `controller`: the long-running gate keeper, and `--print-manifest` to install it.
    static let controller = Command(
        name: "controller",
        summary: "Run the gate keeper that makes new gated pods Ready (or print its manifest)",
        description: """
        Run the gate keeper: watch pods and set the condition InPlaceUpdateReady=True on every pod that has
        the InPlaceUpdateReady readiness gate but no such condition yet (pods created by scale-ups, node
        failures and replacements of prepared workloads), so that they become Ready. It never touches a pod
        that an in-place rollout has marked in flight, and never changes a condition that is already set
        (a False set by a rollout stays False) while that rollout is alive.

        A rollout renews its record on the workload; when its holder stops renewing for longer than its lease
        (a CI job killed mid-rollout), the rollout is abandoned: for each of its pods that already runs its
        target images with every container ready, the gate keeper takes the step resume would take and sets
        InPlaceUpdateReady back to True. A pod not yet on its target, or not ready, stays out of service
        until `resume` or `undo`.

        Replicas elect a leader through a coordination.k8s.io/v1 Lease: only the holder writes; a standby
        takes over when the holder stops renewing for the lease duration. On SIGINT or SIGTERM the holder
        stops writing and releases the Lease (clears its holderIdentity) so a standby takes over at once,
        then exits 0. One log line per pod marked goes to stderr.

        It runs in the cluster with the service account configuration, or locally with a kubeconfig.
        --print-manifest prints a ready-to-apply Deployment with least-privilege RBAC (pods get/list/watch,
        pods/status patch, deployments/statefulsets/daemonsets list/watch, leases get/create/update in its namespace).
        """,
        usage: "controller [-A | -n NS | --namespaces NS,NS...] [-l SELECTOR] [flags]",
        examples: [
            ("Install the gate keeper in the cluster", "controller --print-manifest --image registry.example.com/kubectl-inplace:0.1.0 | kubectl apply -f -"),
            ("Run it locally for two namespaces", "controller --namespaces shop,payments"),
            ("Run it with a health endpoint and a short lease", "controller --health-port 8080 --lease-duration 10s"),
        ],
        flags: ControllerOptions.flags
    ) { ctx in
        try ControllerRun(ctx).run()
    }
}

/// The body of `controller`: leader election rounds, the gate keeper, health endpoints, signals.
struct ControllerRun {
    let ctx: CommandContext

    init(_ ctx: CommandContext) { self.ctx = ctx }

    func run() throws -> ExitCode {
        let options = try ControllerOptions(ctx.args, namespaceFlag: ctx.global.namespace, environment: ctx.environment,
                                            command: ctx.commandPath)
        if let extra = ctx.args.positionals.first {
            throw CLIError.usage("unexpected argument \"\(extra)\": controller takes no arguments", command: ctx.commandPath)
        }
        if options.printManifest {
            ctx.terminal.out(ControllerManifest.yaml(image: options.image, namespace: options.installNamespace))
            return .ok
        }
        let session = try ctx.cluster()
        let clock = SystemClock()
        let log = ControllerLog(terminal: ctx.terminal, quiet: ctx.global.quiet, clock: clock)
        let leaseNamespace = options.leaseNamespace ?? session.namespace
        let election = LeaderElection(identity: options.identity, leaseDuration: options.leaseDuration)
        let elector = LeaseElector(cluster: session.cluster, election: election, name: options.leaseName, namespace: leaseNamespace)
        let lease = "\(leaseNamespace)/\(options.leaseName)"
        let keeper = GateKeeper(cluster: session.cluster, scopes: options.scopes,
                                writer: "kubectl-inplace controller \(options.identity)", clock: clock,
                                mayWrite: { elector.isLeader }, onEvent: { log.event($0) }, restoresAbandoned: true)
        let heartbeat = Mutex(clock.monotonic)
        let stalled = max(30, 4 * election.retryPeriod)
        let health = options.healthPort == 0 ? nil : try HealthServer(port: options.healthPort, checks: [
            "/healthz": { heartbeat.withLock { clock.monotonic - $0 } < stalled ? nil : "the leader election loop is stalled" },
            "/readyz": { keeper.isSynced ? nil : "pods not listed yet" },
        ])
        defer { health?.stop() }
        let signals = StopSignal(secondExit: .ok)
        defer { signals.stop() }

        log.line("controller \(options.identity) starting: keeping the \(InPlace.gateConditionType) gates of pods in \(options.scopeDescription); lease \(lease) (\(DurationText.format(options.leaseDuration)))"
                 + (health.map { "; health on :\($0.port)/healthz" } ?? ""))
        keeper.start()
        var leading = false
        var following: String?
        var lastError: String?
        while true {
            let outcome = elector.attempt()
            heartbeat.withLock { $0 = clock.monotonic }
            var pause = election.retryPeriod
            switch outcome {
            case .leading:
                if !leading {
                    log.line("became the leader (lease \(lease)): marking pods")
                    keeper.resync()
                }
                leading = true
                following = nil
                lastError = nil
            case .following(let holder, let expiresIn):
                if leading {
                    log.line("lost the lease to \(holder): standing by", essential: true)
                } else if following != holder {
                    log.line("standing by: \(holder) holds the lease \(lease)")
                }
                leading = false
                following = holder
                lastError = nil
                pause = min(pause, expiresIn + 0.01)
            case .failed(let message):
                if message != lastError { log.line("warning: \(message)", essential: true) }
                lastError = message
                if leading && !elector.isLeader {
                    log.line("stopped marking pods: the lease was not renewed within \(DurationText.format(election.renewDeadline))", essential: true)
                    leading = false
                }
            }
            if signals.wait(pause) { break }
        }
        log.line("received \(signals.name): stopping", essential: true)
        keeper.stop()
        if elector.release() {
            log.line("released the lease \(lease) (holderIdentity cleared: a standby takes over at its next attempt)", essential: true)
        } else {
            log.line("stopped; this replica did not hold the lease \(lease)", essential: true)
        }
        return .ok
    }
}
