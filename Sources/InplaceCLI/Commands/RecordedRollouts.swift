import InplaceCore
import JSON

/// Reads the workloads named on the command line and the rollouts recorded on them.
struct RecordedRollouts {
    let ctx: CommandContext
    let session: ClusterSession

    /// The named workloads (TYPE/NAME or TYPE NAME), read from the cluster.
    func workloads(_ args: [String], allowEmpty: Bool = false) throws -> [Workload] {
        let refs = try TargetParser(namespace: session.namespace, command: ctx.commandPath).parse(args, allowImages: false).refs
        if refs.isEmpty && !allowEmpty {
            throw CLIError.usage("name at least one workload as TYPE/NAME (e.g. deployment/web)", command: ctx.commandPath)
        }
        return try refs.map { try session.cluster.workload($0) }
    }

    /// Every Deployment, StatefulSet and DaemonSet of the namespace (or of every namespace) that
    /// carries a rollout record and whose labels match `selector`.
    func allRecorded(allNamespaces: Bool = false, selector: LabelSelector? = nil) throws -> [Workload] {
        var out: [Workload] = []
        for kind in [WorkloadKind.deployment, .statefulSet, .daemonSet] {
            let path = allNamespaces ? kind.allNamespacesPath : kind.collectionPath(namespace: session.namespace)
            for object in try session.cluster.list(path, labelSelector: selector?.queryString)
            where RolloutRecord(workload: object) != nil {
                out.append(Workload(kind: kind, object: object))
            }
        }
        return out
    }

    /// The record of a workload, or a usage error naming what to do.
    func record(of workload: Workload) throws -> RolloutRecord {
        guard let r = RolloutRecord(workload: workload.object) else {
            throw CLIError.input("\(workload.ref) has no rollout recorded by \(ctx.programName) (start one with `\(ctx.programName) rollout`)")
        }
        return r
    }

    /// The live pods of a workload.
    func pods(of workload: Workload) throws -> [Pod] {
        var pods: [Pod] = []
        try PlanBuilder(cluster: session.cluster, options: PlanOptions()).forEachPod(of: workload) { pods.append($0) }
        return pods
    }
}
