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
        """,
        usage: "rbac [--for rollout|plan|prepare|controller] [-n NS] [--service-account NAME]",
        examples: [
            ("The Role a CI job needs to roll out in namespace shop", "rbac --for rollout -n shop | kubectl apply -f -"),
            ("Read-only: what plan needs", "rbac --for plan"),
        ],
        flags: [
            FlagSpec("for", valueName: "rollout|plan|prepare|controller", default: "rollout", help: "The use to grant."),
            FlagSpec("service-account", valueName: "NAME", help: "The ServiceAccount the binding names (default: the role's name)."),
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
        let objects = RBACManifest.objects(for: use, namespace: namespace, serviceAccount: account)
        let scope = use == .controller ? "cluster-wide, its Lease in namespace \(namespace)" : "in namespace \(namespace)"
        ctx.terminal.out("# kubectl-inplace \(Version.current): least-privilege RBAC for `\(ctx.programName) \(use.rawValue)` (\(scope)).\n"
            + "# Apply with: kubectl apply -f -   (the binding names ServiceAccount \(namespace)/\(account): edit the subject to bind another)\n"
            + objects.map { "---\n" + YAML.emit($0) }.joined())
        return .ok
    }
}
