import Foundation
import InplaceCore
import KubeFormats

/// The flags of `controller`.
public struct ControllerOptions: Sendable, Equatable {
    /// Which namespaces' pods the gate keeper watches.
    public enum Namespaces: Sendable, Equatable {
        case all
        case only([String])
    }

    public var namespaces: Namespaces = .all
    /// A label selector restricting the pods (`-l`).
    public var selector: String?
    /// The port of `/healthz` and `/readyz`; 0 serves none.
    public var healthPort: Int = 0
    public var leaseName = "kubectl-inplace-controller"
    /// The Lease's namespace; nil means the current namespace.
    public var leaseNamespace: String?
    /// Seconds.
    public var leaseDuration: Double = 15
    public var identity: String
    public var printManifest = false
    public var image = ControllerManifest.defaultImage
    public var installNamespace = ControllerManifest.defaultNamespace

    /// The default identity: `POD_NAME` in a cluster, else `host_pid`.
    public static func defaultIdentity(environment: [String: String]) -> String {
        if let pod = environment["POD_NAME"], !pod.isEmpty { return pod }
        return "\(ProcessInfo.processInfo.hostName)_\(ProcessInfo.processInfo.processIdentifier)"
    }

    public init(identity: String) { self.identity = identity }

    /// The flags, for parsing and help (`-n/--namespace` is the global flag).
    public static let flags: [FlagSpec] = [
        FlagSpec("all-namespaces", short: "A", kind: .bool, help: "Keep the gates of pods in every namespace (the default)."),
        FlagSpec("namespaces", valueName: "NS,NS...", help: "Keep the gates of pods in these namespaces only."),
        FlagSpec("selector", short: "l", valueName: "SELECTOR", help: "Only pods matching this label selector (e.g. app=web,tier!=db)."),
        FlagSpec("health-port", valueName: "N", default: "0", help: "Serve /healthz and /readyz over HTTP on this port; 0 serves nothing."),
        FlagSpec("lease-name", valueName: "NAME", default: "kubectl-inplace-controller",
                 help: "The coordination.k8s.io Lease used for leader election."),
        FlagSpec("lease-namespace", valueName: "NS", help: "The Lease's namespace (default: the current namespace)."),
        FlagSpec("lease-duration", valueName: "DUR", default: "15s",
                 help: "How long a leader's lease lasts without renewal; a standby takes over after it."),
        FlagSpec("identity", valueName: "ID", help: "This replica's holder identity (default: $POD_NAME, else host_pid)."),
        FlagSpec("print-manifest", kind: .bool,
                 help: "Print the controller's Deployment and least-privilege RBAC as YAML, and exit."),
        FlagSpec("image", valueName: "IMAGE", default: ControllerManifest.defaultImage,
                 help: "With --print-manifest: the image that runs kubectl-inplace."),
        FlagSpec("install-namespace", valueName: "NS", default: ControllerManifest.defaultNamespace,
                 help: "With --print-manifest: the namespace the controller is installed in."),
    ]

    /// Reads the flags; `namespaceFlag` is the global `-n`, if given.
    public init(_ args: ParsedArguments, namespaceFlag: String?, environment: [String: String], command: String) throws(CLIError) {
        func fail(_ message: String) -> CLIError { .usage(message, command: command) }
        self.init(identity: Self.defaultIdentity(environment: environment))
        let list = args.value("namespaces").map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        let given = [args.bool("all-namespaces") ? "-A/--all-namespaces" : nil, namespaceFlag == nil ? nil : "-n/--namespace",
                     list == nil ? nil : "--namespaces"].compactMap { $0 }
        if given.count > 1 { throw fail("give only one of \(given.joined(separator: ", "))") }
        if let list {
            guard !list.isEmpty else { throw fail("--namespaces needs at least one namespace") }
            namespaces = .only(list)
        } else if let namespaceFlag {
            namespaces = .only([namespaceFlag])
        }
        if let s = args.value("selector") {
            guard !s.isEmpty else { throw fail("--selector must not be empty") }
            selector = s
        }
        if let v = args.value("health-port") {
            guard let p = Int(v), (0...65535).contains(p) else { throw fail("invalid argument \"\(v)\" for \"--health-port\": use a port number, or 0 for none") }
            healthPort = p
        }
        if let v = args.value("lease-name") {
            guard !v.isEmpty else { throw fail("--lease-name must not be empty") }
            leaseName = v
        }
        if let v = args.value("lease-namespace") {
            guard !v.isEmpty else { throw fail("--lease-namespace must not be empty") }
            leaseNamespace = v
        }
        if let v = args.value("lease-duration") {
            guard let s = GoDuration.seconds(v), s >= 1 else {
                throw fail("invalid argument \"\(v)\" for \"--lease-duration\": use a duration of at least 1s, such as 15s")
            }
            leaseDuration = s
        }
        if let v = args.value("identity") {
            guard !v.isEmpty else { throw fail("--identity must not be empty") }
            identity = v
        }
        printManifest = args.bool("print-manifest")
        if let v = args.value("image") {
            if let problem = ImageReference.problem(v) { throw fail("--image \"\(v)\": \(problem)") }
            image = v
        }
        if let v = args.value("install-namespace") {
            guard !v.isEmpty else { throw fail("--install-namespace must not be empty") }
            installNamespace = v
        }
        if !printManifest && (args.has("image") || args.has("install-namespace")) {
            throw fail("--image and --install-namespace only go with --print-manifest")
        }
    }

    /// The pod collections to watch.
    public var scopes: [GateKeeperScope] {
        switch namespaces {
        case .all: return [.allNamespaces(labelSelector: selector)]
        case .only(let list): return list.map { .namespace($0, labelSelector: selector) }
        }
    }

    /// `all namespaces` or `namespaces a, b`, for the start-up line.
    public var scopeDescription: String {
        let where_: String
        switch namespaces {
        case .all: where_ = "all namespaces"
        case .only(let list): where_ = (list.count == 1 ? "namespace " : "namespaces ") + list.joined(separator: ", ")
        }
        return where_ + (selector.map { " matching \($0)" } ?? "")
    }
}
