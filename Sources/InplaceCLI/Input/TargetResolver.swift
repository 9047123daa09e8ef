import InplaceCore
import JSON

/// Turns `-f` manifests and `TYPE/NAME [C=IMG...]` arguments into desired workloads, reading and
/// checking every input before the cluster is contacted.
public struct TargetResolver {
    /// The flags commands that take targets accept.
    public static let flags: [FlagSpec] = [
        FlagSpec("filename", short: "f", kind: .repeated, valueName: "PATH",
                 help: "A manifest file, a directory of them, an http(s) URL, or - for stdin: its pod templates are the desired state."),
        FlagSpec("recursive", short: "R", kind: .bool, help: "Read directories given with -f recursively."),
        selectorFlag,
    ]

    /// `-l`: workloads by label, as kubectl selects objects.
    public static let selectorFlag = FlagSpec("selector", short: "l", valueName: "SELECTOR",
        help: "Workloads whose labels match (e.g. app=web,tier!=db); with -f, the manifest's objects that match.")

    /// `--all` and `-A`: the workloads that have the named containers, in a namespace or in all.
    public static let containerSearchFlags: [FlagSpec] = [
        FlagSpec("all", kind: .bool,
                 help: "Every workload of the namespace that has a container (or native sidecar) named in the CONTAINER=IMAGE pairs; only those containers change."),
        FlagSpec("all-namespaces", short: "A", kind: .bool, help: "With --all or -l: the workloads of every namespace."),
    ]

    /// Inputs read before connecting: manifest documents and parsed reference arguments.
    public struct Inputs {
        public var documents: [ManifestDocument]
        /// TYPE/NAME and CONTAINER=IMAGE arguments (with `-l`: the image pairs only).
        public var positionals: [String]
        public var inputName: String
        /// `-l`, when given.
        public var selector: LabelSelector? = nil
        /// With `-l` or `--all`: the kinds named by bare TYPE arguments (every workload kind when none).
        public var kinds: [WorkloadKind] = []
        /// `--all`: every workload with a container named in the image pairs.
        public var all = false
        /// `-A`: in every namespace.
        public var allNamespaces = false
    }

    let ctx: CommandContext

    public init(_ ctx: CommandContext) { self.ctx = ctx }

    /// Reads `-f` inputs and checks TYPE/NAME arguments (no cluster access); fails on bad input with exit 2.
    /// `images` says whether the command takes `CONTAINER=IMAGE` pairs.
    public func readInputs(images: Bool = true) throws -> Inputs {
        let files = ctx.args.all("filename")
        var positionals = ctx.args.positionals
        let selector = try selector()
        var kinds: [WorkloadKind] = []
        let what = images ? "TYPE/NAME CONTAINER=IMAGE..." : "TYPE/NAME..."
        let all = ctx.args.bool("all"), allNamespaces = ctx.args.bool("all-namespaces")
        if allNamespaces && !all && selector == nil {
            throw CLIError.usage("-A/--all-namespaces needs --all or -l: a workload cannot be named across namespaces", command: ctx.commandPath)
        }
        if all {
            guard selector == nil else { throw CLIError.usage("cannot set --all and --selector at the same time", command: ctx.commandPath) }
            guard files.isEmpty else { throw CLIError.usage("give either -f FILE or --all with CONTAINER=IMAGE pairs, not both", command: ctx.commandPath) }
            kinds = positionals.filter { !$0.contains("/") && !$0.contains("=") }.compactMap(WorkloadKind.init(typeName:))
            positionals.removeAll { !$0.contains("/") && !$0.contains("=") && WorkloadKind(typeName: $0) != nil }
            if positionals.contains(where: { !$0.contains("=") || $0.split(separator: "=")[0].contains("/") }) {
                throw CLIError.usage("name cannot be provided with --all: it selects every workload with the named containers", command: ctx.commandPath)
            }
            let names = positionals.map { String($0.split(separator: "=", maxSplits: 1).first ?? "") }
            if names.isEmpty {
                throw CLIError.usage("--all needs CONTAINER=IMAGE pairs: it selects the workloads that have those containers", command: ctx.commandPath)
            }
            if names.contains("*") {
                throw CLIError.usage("--all selects workloads by container name: name the container (CONTAINER=IMAGE), not *", command: ctx.commandPath)
            }
        } else if let selector {
            guard files.isEmpty || positionals.isEmpty else {
                throw CLIError.usage("give either -f FILE or CONTAINER=IMAGE pairs with -l, not both", command: ctx.commandPath)
            }
            kinds = positionals.filter { !$0.contains("/") && !$0.contains("=") }.compactMap(WorkloadKind.init(typeName:))
            positionals.removeAll { !$0.contains("/") && !$0.contains("=") && WorkloadKind(typeName: $0) != nil }
            if positionals.contains(where: { !$0.contains("=") || $0.split(separator: "=")[0].contains("/") }) {
                throw CLIError.usage("name cannot be provided when a selector is specified", command: ctx.commandPath)
            }
        } else if !files.isEmpty && !positionals.isEmpty {
            throw CLIError.usage("give either -f FILE or \(what), not both", command: ctx.commandPath)
        } else if files.isEmpty && positionals.isEmpty {
            throw CLIError.usage("nothing to do: give -f FILE, \(what) or -l SELECTOR", command: ctx.commandPath)
        }
        _ = try TargetParser(namespace: "default", command: ctx.commandPath).parse(positionals, allowImages: images)
        let reader = ManifestReader(recursive: ctx.args.bool("recursive"), stdin: { [terminal = ctx.terminal] in
            terminal.readStandardInput()
        })
        var documents = try reader.read(files)
        if let selector {
            documents = documents.filter { selector.matches($0.value[path: ["metadata", "labels"]]?.stringMap ?? [:]) }
            if !files.isEmpty && documents.isEmpty {
                throw CLIError.input("no object in \(files.joined(separator: ", ")) matches -l \(ctx.args.value("selector") ?? "")")
            }
        }
        return Inputs(documents: documents, positionals: positionals, inputName: files.joined(separator: ", "),
                      selector: selector, kinds: kinds, all: all, allNamespaces: allNamespaces)
    }

    /// `-l`, parsed; a usage error when it is not a selector.
    func selector() throws -> LabelSelector? {
        guard let text = ctx.args.value("selector") else { return nil }
        guard let selector = LabelSelector(parsing: text) else {
            throw CLIError.usage("invalid argument \"\(text)\" for \"-l, --selector\": not a label selector (e.g. app=web,tier!=db)",
                                 command: ctx.commandPath)
        }
        return selector
    }

    /// With `-l` and no manifest: the workloads of the namespace whose labels match, by kind.
    func selected(_ inputs: Inputs, session: ClusterSession) throws -> [WorkloadRef]? {
        guard let selector = inputs.selector, inputs.documents.isEmpty else { return nil }
        let kinds = inputs.kinds.isEmpty ? [WorkloadKind.deployment, .statefulSet, .daemonSet] : inputs.kinds
        var refs: [WorkloadRef] = []
        for kind in kinds {
            refs += try Self.list(kind, inputs: inputs, session: session, labelSelector: selector.queryString).map(\.ref)
        }
        guard !refs.isEmpty else {
            throw CLIError.input("no \(kinds.map(\.typeName).joined(separator: ", ")) \(Self.scope(inputs, session)) matches -l \(ctx.args.value("selector") ?? "")")
        }
        return refs
    }

    /// The workloads of `kind` in the session's namespace (every namespace with `-A`), sorted by
    /// namespace and name, with their objects.
    static func list(_ kind: WorkloadKind, inputs: Inputs, session: ClusterSession,
                     labelSelector: String?) throws -> [(ref: WorkloadRef, object: JSONValue)] {
        let path = inputs.allNamespaces ? kind.allNamespacesPath : kind.collectionPath(namespace: session.namespace)
        return try session.cluster.list(path, labelSelector: labelSelector).map { object in
            let namespace = object[path: ["metadata", "namespace"]]?.string ?? session.namespace
            return (WorkloadRef(kind: kind, namespace: namespace, name: object[path: ["metadata", "name"]]?.string ?? ""), object)
        }.sorted { ($0.ref.namespace, $0.ref.name) < ($1.ref.namespace, $1.ref.name) }
    }

    /// `in namespace "x"` or `in any namespace`, for messages.
    static func scope(_ inputs: Inputs, _ session: ClusterSession) -> String {
        inputs.allNamespaces ? "in any namespace" : "in namespace \"\(session.namespace)\""
    }

    /// With `--all`: every workload whose pod template has a container (or init container) named in
    /// `images`, each with the pairs of the containers it has; the others are left alone.
    func withContainers(_ inputs: Inputs, images: [(container: String, image: String)],
                        session: ClusterSession) throws -> [DesiredWorkload] {
        let kinds = inputs.kinds.isEmpty ? [WorkloadKind.deployment, .statefulSet, .daemonSet] : inputs.kinds
        var out: [DesiredWorkload] = []
        for kind in kinds {
            for (ref, object) in try Self.list(kind, inputs: inputs, session: session, labelSelector: nil) {
                let spec = Workload(kind: kind, object: object).template["spec"]
                let names = Set(((spec?["containers"]?.array ?? []) + (spec?["initContainers"]?.array ?? [])).compactMap { $0["name"]?.string })
                let pairs = images.filter { names.contains($0.container) }
                if !pairs.isEmpty { out.append(DesiredWorkload(ref: ref, source: .images(pairs))) }
            }
        }
        guard !out.isEmpty else {
            let containers = images.map(\.container).joined(separator: ", ")
            throw CLIError.input("no \(kinds.map(\.typeName).joined(separator: ", ")) \(Self.scope(inputs, session)) has a container named \(containers)")
        }
        return out
    }

    /// Resolves inputs into the workloads they name (manifests or TYPE/NAME), without images, once each.
    public func resolveRefs(_ inputs: Inputs, session: ClusterSession) throws -> [WorkloadRef] {
        var refs: [WorkloadRef]
        if let selected = try selected(inputs, session: session) {
            refs = selected
        } else if !inputs.documents.isEmpty {
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
        var targets = try TargetParser(namespace: session.namespace, command: ctx.commandPath)
            .parse(inputs.positionals, allowImages: true)
        if inputs.all { return try withContainers(inputs, images: targets.images, session: session) }
        if let selected = try selected(inputs, session: session) { targets.refs = selected }
        guard !targets.refs.isEmpty else {
            throw CLIError.usage("no workload given: name one as TYPE/NAME (e.g. deployment/web)", command: ctx.commandPath)
        }
        guard !targets.images.isEmpty else {
            throw CLIError.usage("no images given: add CONTAINER=IMAGE pairs (or *=IMAGE for every container)", command: ctx.commandPath)
        }
        return targets.refs.map { DesiredWorkload(ref: $0, source: .images(targets.images)) }
    }
}
