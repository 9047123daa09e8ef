/// The tool's version, stamped at release time.
public enum Version {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
