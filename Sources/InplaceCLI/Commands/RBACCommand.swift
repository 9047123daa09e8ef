import InplaceCore
import YAML

extension Command {
    /// `rbac`: the least-privilege Role a use of the tool needs, from the table the code calls by.
    static let rbac = Command(
        name: "rbac",
        summary: "Print the least-privilege Role (and a binding) that a use of kubectl inplace needs",
        description: """
        Print, as YAML ready for `kubectl apply -f -`, the Role and RoleBinding that grant exactly the permissions
        a use needs in a namespace: `rollout` (also set image, resume, undo, pause, status, history), `plan`,
        `prepare`, or `controller` (the gate keeper: a ClusterRole and its binding, and a Role for its Lease).
        The permissions come from the same table the commands check before their first write. The binding's
        subject is a ServiceAccount (--service-account); edit it to bind a user or group instead.

        For plan and rollout it also prints, by default, a ClusterRole granting only `get` and `list` on nodes,
        and its ClusterRoleBinding. Nodes are cluster-scoped, so no Role can grant reading them, yet the kubelet
        version of a pod's node decides whether a native sidecar's image or cpu and memory change in place, and
        --scatter-by reads node labels. The read is printed by default so that the printed RBAC suffices for
        every plan; it reveals node names, labels and versions only. With --node-reads=false it is left out:
        those pods are then blocked (the message names the missing read) and --scatter-by uses the pods' labels;
        nothing else needs it, and the pre-flight check does not ask for it.

        With -A (the workloads of every namespace: `plan -A`, `set image --all -A`) it prints one ClusterRole
        and a ClusterRoleBinding instead of the Role, as `kubectl create clusterrole` would: a RoleBinding
        cannot grant lists across namespaces.
        """,
        usage: "rbac [--for rollout|plan|prepare|controller] [-n NS | -A] [--service-account NAME] [--node-reads=false]",
        examples: [
            ("The Role a CI job needs to roll out in namespace shop", "rbac --for rollout -n shop | kubectl apply -f -"),
            ("Read-only: what plan needs", "rbac --for plan"),
            ("What `plan -A` needs: a ClusterRole", "rbac --for plan -A"),
            ("Only the namespaced Role, without reading nodes", "rbac --for rollout --node-reads=false"),
        ],
        flags: [
            FlagSpec("for", valueName: "rollout|plan|prepare|controller", default: "rollout", help: "The use to grant."),
            FlagSpec("service-account", valueName: "NAME", help: "The ServiceAccount the binding names (default: the role's name)."),
            FlagSpec("node-reads", kind: .bool, default: "true",
                     help: "For plan and rollout, also a ClusterRole reading nodes (kubelet versions, --scatter-by labels)."),
            FlagSpec("all-namespaces", short: "A", kind: .bool, help: "A ClusterRole and ClusterRoleBinding: the workloads of every namespace."),
        ]
    ) { ctx in
        let value = ctx.args.value("for") ?? "rollout"
        guard let use = ClusterUse(rawValue: value) else {
            throw CLIError.usage("invalid argument \"\(value)\" for \"--for\": must be rollout, plan, prepare or controller", command: ctx.commandPath)
        }
        if let extra = ctx.args.positionals.first {
            throw CLIError.usage("unexpected argument \"\(extra)\": rbac takes no arguments", command: ctx.commandPath)
        }
        let namespace = ctx.global.namespace ?? "default"
        let account = ctx.args.value("service-account") ?? (use == .controller ? ControllerManifest.name : "kubectl-inplace-\(use.rawValue)")
        let nodeReads = ctx.args.value("node-reads").map { $0 == "true" } ?? true
        let allNamespaces = ctx.args.bool("all-namespaces")
        let objects = RBACManifest.objects(for: use, namespace: namespace, serviceAccount: account, nodeReads: nodeReads,
                                           allNamespaces: allNamespaces)
        let nodes = nodeReads && !use.clusterPermissions.isEmpty ? ", reading nodes cluster-wide" : ""
        let scope = use == .controller ? "cluster-wide, its Lease in namespace \(namespace)"
            : allNamespaces ? "in every namespace\(nodes)" : "in namespace \(namespace)\(nodes)"
        ctx.terminal.out("# kubectl-inplace \(Version.current): least-privilege RBAC for `\(ctx.programName) \(use.rawValue)` (\(scope)).\n"
            + "# Apply with: kubectl apply -f -   (the binding names ServiceAccount \(namespace)/\(account): edit the subject to bind another)\n"
            + objects.map { "---\n" + YAML.emit($0) }.joined())
        return .ok
    }
}
