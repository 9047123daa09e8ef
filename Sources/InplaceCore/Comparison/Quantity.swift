import Foundation

/// A Kubernetes resource quantity (`500m`, `0.5`, `1Gi`, `1e3`) reduced to an exact decimal value,
/// so `0.5` and `500m` compare equal as they do after the API server canonicalises them.
public struct Quantity: Sendable, Equatable {
    /// The value in base units.
    public let value: Decimal

    private static let suffixes: [(String, Decimal)] = [
        ("Ki", pow(2, 10)), ("Mi", pow(2, 20)), ("Gi", pow(2, 30)), ("Ti", pow(2, 40)),
        ("Pi", pow(2, 50)), ("Ei", pow(2, 60)),
        ("n", Decimal(sign: .plus, exponent: -9, significand: 1)),
        ("u", Decimal(sign: .plus, exponent: -6, significand: 1)),
        ("m", Decimal(sign: .plus, exponent: -3, significand: 1)),
        ("k", pow(10, 3)), ("M", pow(10, 6)), ("G", pow(10, 9)), ("T", pow(10, 12)),
        ("P", pow(10, 15)), ("E", pow(10, 18)),
    ]

    /// Parses the quantity syntax of k8s.io/apimachinery/pkg/api/resource; nil when malformed.
    public init?(_ text: String) {
        var s = text.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { return nil }
        var multiplier: Decimal = 1
        if let (suffix, m) = Self.suffixes.first(where: { s.hasSuffix($0.0) }) {
            s.removeLast(suffix.count)
            multiplier = m
        } else if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let exp = Int(s[s.index(after: e)...]) else { return nil }
            s = String(s[..<e])
            multiplier = exp >= 0 ? pow(10, exp) : 1 / pow(10, -exp)
        }
        let allowed = Set("0123456789.+-")
        guard !s.isEmpty, s.allSatisfy({ allowed.contains($0) }), let number = Decimal(string: s) else { return nil }
        value = number * multiplier
    }

    /// A quantity from a JSON number (manifests sometimes write `cpu: 1`).
    public init(_ number: Double) { value = Decimal(number) }
}
