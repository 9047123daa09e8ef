/// The major and minor numbers of a Kubernetes version string (`v1.33.2`, `1.32`), for the
/// behaviour that depends on the version the simulator plays.
struct ServerVersion: Comparable, Sendable {
    let major: Int
    let minor: Int

    /// Parses `v1.33.2`, `1.33` or `v1.33.0-eks-1`; nil when there are no numbers.
    init?(_ text: String) {
        let t = text.hasPrefix("v") ? text.dropFirst() : Substring(text)
        let parts = t.split(separator: ".")
        guard parts.count >= 2, let major = Int(parts[0]) else { return nil }
        let minorDigits = parts[1].prefix { $0.isNumber }
        guard let minor = Int(minorDigits) else { return nil }
        self.major = major
        self.minor = minor
    }

    init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }

    static func < (a: ServerVersion, b: ServerVersion) -> Bool { (a.major, a.minor) < (b.major, b.minor) }

    /// `pods/resize` is served (InPlacePodVerticalScaling beta, on by default).
    static let podResize = ServerVersion(1, 33)
    /// The kubelet restarts a running native sidecar whose image changed (PR #126525).
    static let sidecarImageRestart = ServerVersion(1, 32)
    /// Memory limit decreases with a `NotRequired` policy are allowed.
    static let memoryLimitDecrease = ServerVersion(1, 34)
}

extension ServerOptions {
    /// True when the version played serves the `pods/resize` subresource.
    public var servesPodResize: Bool { (ServerVersion(kubernetesVersion) ?? ServerVersion(1, 32)) >= .podResize }

    /// True when a resize may not lower a memory limit whose resize policy is `NotRequired`.
    var refusesMemoryLimitDecrease: Bool { (ServerVersion(kubernetesVersion) ?? ServerVersion(1, 32)) < .memoryLimitDecrease }
}
