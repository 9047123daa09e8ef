import JSON

/// Hides credentials in traced requests and responses: `Authorization` values, tokens,
/// passwords, private keys and `*-data` key material, Secret data — in headers and in bodies,
/// whether JSON or not.
public enum Redactor {
    /// What replaces a secret value.
    public static let mask = "<masked>"

    /// A header value safe to print.
    public static func headerValue(name: String, value: String) -> String {
        switch name.lowercased() {
        case "authorization", "proxy-authorization":
            if let space = value.firstIndex(of: " ") { return "\(value[..<space]) \(mask)" }
            return mask
        case "cookie", "set-cookie", "x-auth-token", "x-remote-user-token":
            return mask
        default:
            return scrubText(value)
        }
    }

    /// True for object keys whose string values are secrets.
    public static func isSensitiveKey(_ key: String) -> Bool {
        let k = key.lowercased()
        return k.contains("token") || k.contains("password") || k.contains("passwd")
            || k == "secret" || k == "clientsecret" || k == "client-secret" || k == "client_secret"
            || k.hasSuffix("keydata") || k.hasSuffix("key-data") || k.hasSuffix("-data") || k == "authorization"
            || k == "privatekey" || k == "private-key"
    }

    /// A copy of `value` with secret strings masked. Objects of kind Secret (or the items of a
    /// SecretList) also lose their `data`/`stringData` values and last-applied annotation.
    public static func redact(_ value: JSONValue) -> JSONValue {
        redact(value, secretItems: false)
    }

    private static func redact(_ value: JSONValue, secretItems: Bool) -> JSONValue {
        switch value {
        case .array(let items):
            return .array(items.map { redact($0, secretItems: secretItems) })
        case .object(let o):
            let kind = o["kind"]?.string
            let isSecret = kind == "Secret" || (secretItems && kind == nil)
            var out = JSONObject()
            for m in o {
                if isSensitiveKey(m.key), m.value.string != nil {
                    out.appendUnchecked(m.key, .string(mask))
                } else if isSecret && (m.key == "data" || m.key == "stringData"), case .object(let d) = m.value {
                    var masked = JSONObject()
                    for e in d { masked.appendUnchecked(e.key, .string(mask)) }
                    out.appendUnchecked(m.key, .object(masked))
                } else if isSecret && m.key == "metadata" {
                    var meta = redact(m.value, secretItems: false)
                    if meta[path: ["annotations", "kubectl.kubernetes.io/last-applied-configuration"]] != nil {
                        meta[path: ["annotations", "kubectl.kubernetes.io/last-applied-configuration"]] = .string(mask)
                    }
                    out.appendUnchecked(m.key, meta)
                } else if m.key == "items" && kind == "SecretList" {
                    out.appendUnchecked(m.key, redact(m.value, secretItems: true))
                } else {
                    out.appendUnchecked(m.key, redact(m.value, secretItems: false))
                }
            }
            return .object(out)
        case .string(let s):
            return .string(scrubText(s))
        default:
            return value
        }
    }

    /// A body safe to print: JSON is parsed and redacted before it is cut to `limit` bytes;
    /// anything else is scrubbed as text.
    public static func body(_ bytes: [UInt8], limit: Int = 10240) -> String {
        if bytes.isEmpty { return "" }
        var text: String
        if let doc = try? JSONValue(parsing: bytes) {
            text = redact(doc).serialized()
        } else {
            text = scrubText(String(decoding: bytes, as: UTF8.self))
        }
        let utf8 = Array(text.utf8)
        if utf8.count > limit {
            text = String(decoding: utf8.prefix(limit), as: UTF8.self) + " ... [truncated \(utf8.count - limit) bytes]"
        }
        return text
    }

    private static let valueTerminators: Set<Character> = [" ", "\t", "\r", "\n", "\r\n", ",", ";", "&", "}", "]", "\"", "'"]

    private static let textKeys = ["token", "password", "passwd", "secret", "key-data", "keydata", "authorization"]

    /// Masks `Bearer`/`Basic` credentials, PEM private keys and `key: value` / `key=value`
    /// pairs with sensitive keys in free text.
    public static func scrubText(_ text: String) -> String {
        var chars = Array(text)
        let lower = Array(text.lowercased())
        guard lower.count == chars.count else { return mask }
        var out: [Character] = []
        out.reserveCapacity(chars.count)
        var i = 0
        func matches(_ word: String, at j: Int) -> Bool {
            let w = Array(word)
            guard j + w.count <= lower.count else { return false }
            for k in 0..<w.count where lower[j + k] != w[k] { return false }
            return true
        }
        func maskValue(from start: Int) -> Int {
            var j = start
            while j < chars.count, chars[j] == " " || chars[j] == "\t" { out.append(chars[j]); j += 1 }
            var quote: Character? = nil
            if j < chars.count, chars[j] == "\"" || chars[j] == "'" { quote = chars[j]; out.append(chars[j]); j += 1 }
            for scheme in ["bearer ", "basic "] where matches(scheme, at: j) {
                out.append(contentsOf: chars[j..<(j + scheme.count)])
                j += scheme.count
                break
            }
            var k = j
            if let quote {
                while k < chars.count, chars[k] != quote {
                    if chars[k] == "\\" { k += 1 }
                    k += 1
                }
            } else {
                while k < chars.count, !valueTerminators.contains(chars[k]) { k += 1 }
            }
            if k > j { out.append(contentsOf: mask) }
            return min(k, chars.count)
        }
        while i < chars.count {
            if matches("-----begin", at: i), let end = findPEMEnd(lower, from: i) {
                out.append(contentsOf: "-----BEGIN \(mask)-----")
                i = end
                continue
            }
            if matches("bearer ", at: i) || matches("basic ", at: i) {
                let n = matches("bearer ", at: i) ? 7 : 6
                out.append(contentsOf: chars[i..<(i + n)])
                i = maskValue(from: i + n)
                continue
            }
            var handled = false
            for key in textKeys where matches(key, at: i) {
                var j = i + key.count
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "-" { j += 1 }
                var k = j
                if k < chars.count, chars[k] == "\"" || chars[k] == "'" { k += 1 }
                while k < chars.count, chars[k] == " " { k += 1 }
                if k < chars.count, chars[k] == ":" || chars[k] == "=" {
                    out.append(contentsOf: chars[i...k])
                    i = maskValue(from: k + 1)
                    handled = true
                }
                break
            }
            if handled { continue }
            out.append(chars[i])
            i += 1
        }
        chars = out
        return String(chars)
    }

    private static func findPEMEnd(_ lower: [Character], from start: Int) -> Int? {
        let marker = Array("-----end")
        var i = start + 10
        while i + marker.count <= lower.count {
            if Array(lower[i..<(i + marker.count)]) == marker {
                var j = i + marker.count
                var dashes = 0
                while j < lower.count, dashes < 5 {
                    if lower[j] == "-" { dashes += 1 }
                    j += 1
                }
                return j
            }
            i += 1
        }
        return nil
    }
}
