/// An authenticated identity as kube-apiserver's authenticators produce it: a user name and groups.
public struct SimUser: Sendable, Equatable, Hashable {
    /// The user name ("system:serviceaccount:NS:NAME" for service accounts).
    public var name: String
    /// The groups, "system:authenticated" included.
    public var groups: [String]

    /// A user with `groups` plus "system:authenticated".
    public init(name: String, groups: [String] = []) {
        self.name = name
        self.groups = groups.contains("system:authenticated") ? groups : groups + ["system:authenticated"]
    }

    /// The unrestricted identity of test setup (the server's own token, basic credentials, or no
    /// credentials on a server that checks none): a member of system:masters.
    public static let admin = SimUser(name: "kube-sim-admin", groups: ["system:masters"])

    /// The identity of a service account's token, with the groups the token authenticator adds.
    public static func serviceAccount(namespace: String, name: String) -> SimUser {
        SimUser(name: "system:serviceaccount:\(namespace):\(name)",
                groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)"])
    }

    /// True for members of system:masters, whom the API server never asks RBAC about.
    public var isSuperUser: Bool { groups.contains("system:masters") }

    /// The request's user while it is being served.
    @TaskLocal static var current: SimUser = .admin
}
