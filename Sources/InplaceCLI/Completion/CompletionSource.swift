import InplaceCore

/// What completion looks up outside the command line: the kubeconfig and the cluster, reached with the
/// connection flags already on the line. Best effort: nil (or empty) when they cannot be read.
public protocol CompletionSource {
    /// Names of the workloads of a kind in the line's namespace.
    func workloadNames(_ kind: WorkloadKind, options: GlobalOptions) -> [String]?
    /// The cluster's namespaces.
    func namespaces(options: GlobalOptions) -> [String]?
    /// The kubeconfig's context names.
    func contexts(options: GlobalOptions) -> [String]
    /// The containers (and init containers) of a workload's pod template, by kind and name.
    func containers(_ kind: WorkloadKind, name: String, options: GlobalOptions) -> [String]?
}
