import InplaceCore

/// Splits positional arguments into `TYPE/NAME` (or `TYPE NAME`) workload references and
/// `CONTAINER=IMAGE` pairs, as `kubectl set image` reads them.
public struct TargetParser: Sendable {
    /// The parsed references and image pairs.
    public struct Targets: Sendable {
        public var refs: [WorkloadRef] = []
        public var images: [(container: String, image: String)] = []
    }

    public let namespace: String
    public let command: String

    public init(namespace: String, command: String) {
        self.namespace = namespace
        self.command = command
    }

    /// Parses `args`; `allowImages` false refuses `C=IMG` pairs.
    public func parse(_ args: [String], allowImages: Bool) throws(CLIError) -> Targets {
        var targets = Targets()
        var i = 0
        while i < args.count {
            let arg = args[i]
            i += 1
            if let eq = arg.firstIndex(of: "="), !arg[..<eq].contains("/") {
                guard allowImages else { throw .usage("unexpected argument \"\(arg)\": this command takes no CONTAINER=IMAGE", command: command) }
                let container = String(arg[..<eq])
                let image = String(arg[arg.index(after: eq)...])
                guard !container.isEmpty else { throw .usage("\"\(arg)\": a container name is required before '='", command: command) }
                if let problem = ImageReference.problem(image) {
                    throw .usage("\"\(arg)\": image \"\(image)\": \(problem)", command: command)
                }
                targets.images.append((container, image))
                continue
            }
            let typeName: String, name: String
            if let slash = arg.firstIndex(of: "/") {
                typeName = String(arg[..<slash])
                name = String(arg[arg.index(after: slash)...])
            } else {
                guard i < args.count else {
                    throw .usage("\"\(arg)\": expected TYPE/NAME (e.g. deployment/web) or TYPE NAME", command: command)
                }
                typeName = arg
                name = args[i]
                i += 1
            }
            guard let kind = WorkloadKind(typeName: typeName) else {
                throw .usage("\"\(typeName)\" is not a supported type: use deployment, statefulset, daemonset or pod", command: command)
            }
            guard !name.isEmpty, !name.contains("/") else { throw .usage("\"\(arg)\": the name is missing", command: command) }
            targets.refs.append(WorkloadRef(kind: kind, namespace: namespace, name: name))
        }
        return targets
    }
}
