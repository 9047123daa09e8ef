/// What a request path addresses, as the API server's RequestInfoFactory parses it.
struct RequestInfo {
    /// The kind of path.
    enum Target {
        /// /version
        case version
        /// /api
        case legacyAPIVersions
        /// /apis
        case groupList
        /// /apis/<group>
        case group(String)
        /// /api/v1 or /apis/<group>/<version>
        case resourceList(group: String, version: String)
        /// A resource path.
        case resource(ResourceType, namespace: String?, name: String?, subresource: String?)
        /// /healthz, /livez, /readyz
        case health
        /// Under /api or /apis but not served.
        case unknownAPI
        /// /openapi/v3
        case openAPIRoot
        /// /openapi/v3/<group-version path>
        case openAPIDocument(group: String, version: String)
        /// Anything else.
        case other
    }

    static func parse(_ path: String) -> Target {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if parts == ["version"] { return .version }
        if parts == ["openapi", "v3"] { return .openAPIRoot }
        if parts.count >= 3, parts[0] == "openapi", parts[1] == "v3" {
            let rest = parts.dropFirst(2).joined(separator: "/")
            if let gv = APIServer.openAPIGroupVersions.first(where: { $0.path == rest }) {
                return .openAPIDocument(group: gv.group, version: gv.version)
            }
            return .other
        }
        if parts.first == "healthz" || parts.first == "livez" || parts.first == "readyz" { return .health }
        guard let prefix = parts.first, prefix == "api" || prefix == "apis" else { return .other }
        parts.removeFirst()
        let group: String
        if prefix == "api" {
            if parts.isEmpty { return .legacyAPIVersions }
            group = ""
        } else {
            if parts.isEmpty { return .groupList }
            group = parts.removeFirst()
            if parts.isEmpty {
                return Resources.groups.contains { $0.name == group } ? .group(group) : .unknownAPI
            }
        }
        let version = parts.removeFirst()
        let groupKnown = group.isEmpty ? version == "v1" : Resources.groups.contains { $0.name == group && $0.version == version }
        guard groupKnown else { return .unknownAPI }
        if parts.isEmpty { return .resourceList(group: group, version: version) }
        var namespace: String?
        if parts[0] == "namespaces" && parts.count >= 3 && parts[2] != "status" && parts[2] != "finalize" {
            namespace = parts[1]
            parts.removeFirst(2)
        }
        let plural = parts.removeFirst()
        guard let resource = Resources.lookup(group: group, version: version, resource: plural) else { return .unknownAPI }
        let name = parts.isEmpty ? nil : parts.removeFirst()
        let sub = parts.isEmpty ? nil : parts.removeFirst()
        if !parts.isEmpty { return .unknownAPI }
        if resource == Resources.namespaces, namespace == nil {
            return .resource(resource, namespace: nil, name: name, subresource: sub)
        }
        if let namespace, !resource.namespaced {
            // /api/v1/namespaces/x/nodes is not a path; /api/v1/namespaces/x/status is the namespace's status.
            _ = namespace
            return .unknownAPI
        }
        if let sub, !resource.subresources.contains(sub) { return .unknownAPI }
        return .resource(resource, namespace: namespace, name: name, subresource: sub)
    }
}
