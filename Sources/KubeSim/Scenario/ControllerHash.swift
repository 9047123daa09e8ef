import JSON

/// The hashes controllers put in names and labels: FNV-32a of an object, written as its decimal
/// value mapped onto the name alphabet (rand.SafeEncodeString), like `pod-template-hash` and
/// `controller.kubernetes.io/hash`.
public enum ControllerHash {
    /// FNV-1a, 32 bits.
    public static func fnv32a(_ bytes: [UInt8]) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for b in bytes {
            h ^= UInt32(b)
            h = h &* 16_777_619
        }
        return h
    }

    /// rand.SafeEncodeString: every character mapped onto "bcdfghjklmnpqrstvwxz2456789".
    public static func safeEncode(_ s: String) -> String {
        let alphabet = SimRandom.nameAlphabet
        return String(s.unicodeScalars.map { alphabet[Int($0.value) % alphabet.count] })
    }

    /// The hash string of a JSON value (keys sorted, so equal objects hash equally).
    public static func hash(_ value: JSONValue, collisionCount: Int = 0) -> String {
        var bytes = Array(value.serialized(sortedKeys: true).utf8)
        if collisionCount > 0 { bytes += Array(String(collisionCount).utf8) }
        return safeEncode(String(fnv32a(bytes)))
    }

    /// The hash of a pod template as a Deployment's `pod-template-hash` (the label itself excluded).
    public static func podTemplateHash(_ template: JSONValue, collisionCount: Int = 0) -> String {
        var t = template
        if var labels = t[path: ["metadata", "labels"]]?.object {
            labels.removeValue(forKey: "pod-template-hash")
            t[path: ["metadata", "labels"]] = labels.isEmpty ? nil : .object(labels)
        }
        return hash(t, collisionCount: collisionCount)
    }

    /// A deterministic "sha256:<64 hex>" digest for an image without a digest in the table.
    public static func digest(forImage image: String) -> String {
        var hex = ""
        var seed = Array(image.utf8)
        for i in 0..<8 {
            seed.append(UInt8(i))
            hex += String(fnv32a(seed), radix: 16).leftPadded(to: 8)
        }
        return "sha256:" + hex
    }
}
