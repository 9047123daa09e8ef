import JSON

/// kube-apiserver's RBAC authorizer over the stored Roles, ClusterRoles, RoleBindings and
/// ClusterRoleBindings (plugin/pkg/auth/authorizer/rbac and pkg/apis/rbac/v1 helpers): a request is
/// allowed when a rule of a role bound to the user (by name, group or service account) matches its
/// verb, group, resource (`*`, `resource`, `resource/subresource` or `*/subresource`) and name.
struct RBACAuthorizer {
    let store: ObjectStore

    /// True when some binding that applies to `user` grants `a`.
    func allows(_ user: SimUser, _ a: AccessAttributes) -> Bool {
        if user.isSuperUser { return true }
        for binding in store.list(Resources.clusterRoleBindings).items where Self.applies(binding, to: user, bindingNamespace: "") {
            if rules(of: binding, bindingNamespace: "").contains(where: { Self.rule($0, allows: a) }) { return true }
        }
        guard !a.namespace.isEmpty else { return false }
        for binding in store.list(Resources.roleBindings, namespace: a.namespace).items
        where Self.applies(binding, to: user, bindingNamespace: a.namespace) {
            if rules(of: binding, bindingNamespace: a.namespace).contains(where: { Self.rule($0, allows: a) }) { return true }
        }
        return false
    }

    /// The rules of the role a binding refers to (none when that role does not exist).
    func rules(of binding: JSONValue, bindingNamespace: String) -> [JSONValue] {
        guard let name = binding[path: ["roleRef", "name"]]?.string else { return [] }
        let role: JSONValue?
        switch binding[path: ["roleRef", "kind"]]?.string {
        case "ClusterRole": role = store.get(Resources.clusterRoles, name: name)
        case "Role" where !bindingNamespace.isEmpty: role = store.get(Resources.roles, namespace: bindingNamespace, name: name)
        default: role = nil
        }
        return role?["rules"]?.array ?? []
    }

    /// appliesTo: a subject names the user, one of its groups, or its service account.
    static func applies(_ binding: JSONValue, to user: SimUser, bindingNamespace: String) -> Bool {
        (binding["subjects"]?.array ?? []).contains { s in
            let name = s["name"]?.string ?? ""
            switch s["kind"]?.string {
            case "User": return name == user.name
            case "Group": return user.groups.contains(name)
            case "ServiceAccount":
                let ns = s["namespace"]?.string ?? bindingNamespace
                return !ns.isEmpty && user.name == "system:serviceaccount:\(ns):\(name)"
            default: return false
            }
        }
    }

    /// RuleAllows: verb, API group, resource and resource name all match.
    static func rule(_ rule: JSONValue, allows a: AccessAttributes) -> Bool {
        func strings(_ key: String) -> [String] { (rule[key]?.array ?? []).compactMap(\.string) }
        let verbs = strings("verbs")
        guard verbs.contains("*") || verbs.contains(a.verb) else { return false }
        guard a.isResourceRequest else { return false }
        let groups = strings("apiGroups")
        guard groups.contains("*") || groups.contains(a.group) else { return false }
        let combined = a.combinedResource
        let resourceMatches = strings("resources").contains { r in
            r == "*" || r == combined || (!a.subresource.isEmpty && r == "*/\(a.subresource)")
        }
        guard resourceMatches else { return false }
        let names = strings("resourceNames")
        return names.isEmpty || names.contains(a.name)
    }
}
