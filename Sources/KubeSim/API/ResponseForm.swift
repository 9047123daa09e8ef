import Foundation
import JSON

/// The form of an answer's objects, negotiated from the Accept header as kube-apiserver negotiates
/// it: the first media range the server can serve wins. `application/json` (or a wildcard) without
/// `as=` is the objects themselves; with `g=meta.k8s.io` and `v=v1` or `v1beta1`, `as=Table` is
/// server-side printing, `as=PartialObjectMetadata` one object's (or each watch event's) metadata
/// alone and `as=PartialObjectMetadataList` a list's, as client-go's metadata client asks for them.
enum ResponseForm: Equatable, Sendable {
    case object
    case table
    case metadata
    case metadataList

    /// The form `req` asks for (the objects themselves when it names nothing the server serves).
    static func of(_ req: HTTPRequest) -> ResponseForm {
        guard let accept = req.headers["Accept"] else { return .object }
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let type = parts.first?.lowercased(), ["application/json", "application/*", "*/*"].contains(type) else { continue }
            var parameters: [String: String] = [:]
            for p in parts.dropFirst() {
                guard let eq = p.firstIndex(of: "=") else { continue }
                parameters[p[..<eq].lowercased()] = String(p[p.index(after: eq)...])
            }
            guard let form = parameters["as"] else { return .object }
            guard parameters["g"] == "meta.k8s.io", parameters["v"] == "v1" || parameters["v"] == "v1beta1" else { continue }
            switch form {
            case "Table": return .table
            case "PartialObjectMetadata": return .metadata
            case "PartialObjectMetadataList": return .metadataList
            default: continue
            }
        }
        return .object
    }

    /// The Content-Type of an answer in this form.
    var contentType: String {
        switch self {
        case .object: return "application/json"
        case .table: return TableConvertor.contentType
        case .metadata: return "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"
        case .metadataList: return "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
        }
    }

    /// One object's metadata as a `PartialObjectMetadata` (all of `metadata`, managedFields too).
    static func partial(_ object: JSONValue) -> JSONValue {
        ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"] ?? .emptyObject]
    }

    /// One object (a GET of it, or a write's answer) in this form; a list form of one object is
    /// refused as kube-apiserver refuses it.
    func single(_ r: ResourceType, _ object: JSONValue) throws(APIError) -> JSONValue {
        switch self {
        case .object: return object
        case .table: return TableConvertor.table(r, [object], resourceVersion: object.metaResourceVersion)
        case .metadata: return Self.partial(object)
        case .metadataList:
            throw APIError.notAcceptable("you requested PartialObjectMetadataList, but the requested object is not a list (*v1.\(r.kind))")
        }
    }
}
