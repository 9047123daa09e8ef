import JSON

extension APIServer {
    /// Registers a bearer token for `user`, whose requests RBAC then decides.
    public func addUser(token: String, _ user: SimUser) {
        users.withLock { $0[token] = user }
    }

    /// The 403 for a request RBAC does not allow (nil when allowed). Non-resource paths
    /// (discovery, version, OpenAPI, health) and access reviews are open to every authenticated
    /// user, as the bootstrap roles system:discovery, system:public-info-viewer and
    /// system:basic-user grant them.
    func authorizationFailure(_ user: SimUser, _ req: HTTPRequest) -> APIError? {
        guard !user.isSuperUser, case .resource(let r, let namespace, let name, let sub) = RequestInfo.parse(req.path) else { return nil }
        if r == Resources.selfSubjectAccessReviews { return nil }
        let a = AccessAttributes.of(method: req.method, resource: r, namespace: r.namespaced ? namespace : nil, name: name,
                                    subresource: sub, query: req.query)
        guard !RBACAuthorizer(store: store).allows(user, a) else { return nil }
        return APIError(code: 403, reason: "Forbidden", message: a.forbiddenMessage(user), name: a.name.isEmpty ? nil : a.name,
                        group: a.group, kind: a.resource)
    }

    /// POST selfsubjectaccessreviews: whether the caller may do what `spec.resourceAttributes` says.
    func selfSubjectAccessReview(_ body: [UInt8]) throws(APIError) -> JSONValue {
        var review = try decodeObject(body, Resources.selfSubjectAccessReviews)
        guard let attrs = review[path: ["spec", "resourceAttributes"]] else {
            if review[path: ["spec", "nonResourceAttributes"]] != nil {
                review["status"] = ["allowed": true]
                return typed(review, Resources.selfSubjectAccessReviews)
            }
            throw APIError.invalid(Resources.selfSubjectAccessReviews, "", [
                FieldError(.invalid, "spec.resourceAttributes", badValue: "null", "exactly one of nonResourceAttributes or resourceAttributes must be specified"),
            ])
        }
        func s(_ k: String) -> String { attrs[k]?.string ?? "" }
        let a = AccessAttributes(verb: s("verb"), group: s("group"), resource: s("resource"), subresource: s("subresource"),
                                 namespace: s("namespace"), name: s("name"))
        let user = SimUser.current
        let allowed = RBACAuthorizer(store: store).allows(user, a)
        var status: JSONObject = ["allowed": .bool(allowed)]
        if allowed, !user.isSuperUser { status["reason"] = "RBAC: allowed by a role binding" }
        review["status"] = .object(status)
        if review["metadata"] == nil { review["metadata"] = ["creationTimestamp": .null] }
        return typed(review, Resources.selfSubjectAccessReviews)
    }
}
