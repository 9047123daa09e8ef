import JSON

/// RFC 7386 JSON merge patch: objects merge recursively, `null` removes a member, anything else
/// (arrays included) replaces.
public enum JSONMergePatch {
    /// The target with the patch applied.
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let p) = patch else { return patch }
        var result: JSONObject
        if case .object(let t) = target { result = t } else { result = JSONObject() }
        for m in p {
            if m.value.isNull {
                result.removeValue(forKey: m.key)
            } else {
                result[m.key] = apply(m.value, to: result[m.key] ?? .null)
            }
        }
        return .object(result)
    }
}
