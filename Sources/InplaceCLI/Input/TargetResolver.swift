import InplaceCore

/// Turns `-f` manifests and `TYPE/NAME [C=IMG...]` arguments into desired workloads, reading and
/// checking every input before the cluster is contacted.
public struct TargetResolver {
    /// The flags commands that take targets accept.
    public static let flags: [FlagSpec] = [
        FlagSpec("filename", short: "f", kind: .repeated, valueName: "PATH",
                 help: "A manifest file, a directory of them, or - for stdin: its pod templates are the desired state."),
        FlagSpec("recursive", short: "R", kind: .bool, help: "Read directories given with -f recursively."),
    ]

    /// Inputs read before connecting: manifest documents and parsed reference arguments.
    public struct Inputs {
        public var documents: [ManifestDocument]
        public var positionals: [String]
        public var inputName: String
    }

    let ctx: CommandContext

    public init(_ ctx: CommandContext) { self.ctx = ctx }

    /// Reads `-f` inputs and checks TYPE/NAME arguments (no cluster access); fails on bad input with exit 2.
    /// `images` says whether the command takes `CONTAINER=IMAGE` pairs.
    public func readInputs(images: Bool = true) throws -> Inputs {
        let files = ctx.args.all("filename")
        let positionals = ctx.args.positionals
        let what = images ? "TYPE/NAME CONTAINER=IMAGE..." : "TYPE/NAME..."
        if !files.isEmpty && !positionals.isEmpty {
            throw CLIError.usage("give either -f FILE or \(what), not both", command: ctx.commandPath)
        }
        if files.isEmpty && positionals.isEmpty {
            throw CLIError.usage("nothing to do: give -f FILE or \(what)", command: ctx.commandPath)
        }
        _ = try TargetParser(namespace: "default", command: ctx.commandPath).parse(positionals, allowImages: images)
        let reader = ManifestReader(recursive: ctx.args.bool("recursive"), stdin: { [terminal = ctx.terminal] in
            terminal.readStandardInput()
        })
        let documents = try reader.read(files)
        return Inputs(documents: documents, positionals: positionals, inputName: files.joined(separator: ", "))
    }

    /// Resolves inputs into the workloads they name (manifests or TYPE/NAME), without images, once each.
    public func resolveRefs(_ inputs: Inputs, session: ClusterSession) throws -> [WorkloadRef] {
        var refs: [WorkloadRef]
        if !inputs.documents.isEmpty {
            let result = try ManifestDecoder.decode(inputs.documents, namespace: session.namespace,
                                                    namespaceFromFlag: session.namespaceFromFlag, inputName: inputs.inputName)
            for w in result.warnings { ctx.warn(w) }
            refs = result.workloads.map(\.ref)
        } else {
            refs = try TargetParser(namespace: session.namespace, command: ctx.commandPath).parse(inputs.positionals, allowImages: false).refs
        }
        var unique: [WorkloadRef] = []
        for r in refs where !unique.contains(r) { unique.append(r) }
        return unique
    }

    /// Resolves inputs against the session's namespace into desired workloads.
    public func resolve(_ inputs: Inputs, session: ClusterSession) throws -> [DesiredWorkload] {
        if !inputs.documents.isEmpty {
            let result = try ManifestDecoder.decode(inputs.documents, namespace: session.namespace,
                                                    namespaceFromFlag: session.namespaceFromFlag, inputName: inputs.inputName)
            for w in result.warnings { ctx.warn(w) }
            return result.workloads
        }
        let targets = try TargetParser(namespace: session.namespace, command: ctx.commandPath)
            .parse(inputs.positionals, allowImages: true)
        guard !targets.refs.isEmpty else {
            throw CLIError.usage("no workload given: name one as TYPE/NAME (e.g. deployment/web)", command: ctx.commandPath)
        }
        guard !targets.images.isEmpty else {
            throw CLIError.usage("no images given: add CONTAINER=IMAGE pairs (or *=IMAGE for every container)", command: ctx.commandPath)
        }
        return targets.refs.map { DesiredWorkload(ref: $0, source: .images(targets.images)) }
    }
}
