import JSON

/// Turns a kubeconfig file's bytes into a JSON document (the CLI passes its YAML parser).
public typealias KubeconfigParser = @Sendable (_ bytes: [UInt8], _ path: String) throws -> JSONValue

/// client-go's loading rules: `--kubeconfig` alone, else the `KUBECONFIG` list, else
/// `~/.kube/config`; files merged with "first definition of a name wins".
public struct KubeconfigLoader: Sendable {
    /// Where variables and files come from.
    public var environment: Environment
    /// How file contents are parsed.
    public var parser: KubeconfigParser

    /// A loader; the default parser accepts JSON kubeconfig files only.
    public init(environment: Environment, parser: @escaping KubeconfigParser = KubeconfigLoader.jsonParser) {
        self.environment = environment
        self.parser = parser
    }

    /// Parses JSON (which is also valid YAML); used when no YAML parser is injected.
    public static let jsonParser: KubeconfigParser = { bytes, _ in try JSONValue(parsing: bytes) }

    /// The files consulted, in precedence order: the explicit path, else the deduplicated
    /// `KUBECONFIG` entries (empty entries dropped), else `$HOME/.kube/config`.
    public func precedence(explicitPath: String?) -> [String] {
        if let explicitPath, !explicitPath.isEmpty { return [explicitPath] }
        if let list = environment.variables["KUBECONFIG"], !list.isEmpty {
            var seen = Set<String>()
            var out: [String] = []
            for entry in list.split(separator: ":", omittingEmptySubsequences: true).map(String.init)
            where seen.insert(entry).inserted {
                out.append(entry)
            }
            return out
        }
        if let home = environment.homeDirectory, !home.isEmpty {
            return [FilePath.join(home, ".kube", "config")]
        }
        return []
    }

    /// Loads and merges the files. A missing `--kubeconfig` file is an error; other missing files
    /// are skipped; a file that cannot be read or parsed is an error naming it.
    public func load(explicitPath: String?) throws(ConfigError) -> Kubeconfig {
        let explicit = explicitPath.flatMap { $0.isEmpty ? nil : $0 }
        var loaded: [Kubeconfig] = []
        for path in precedence(explicitPath: explicit) {
            let bytes: [UInt8]
            do throws(FileReadError) {
                bytes = try environment.readFile(path)
            } catch {
                if error == .notFound {
                    if explicit != nil { throw .kubeconfigNotFound(path: path) }
                    continue
                }
                throw .kubeconfigUnreadable(path: path, reason: error.description)
            }
            loaded.append(try parse(bytes, path: path))
        }
        var merged = Kubeconfig.merged(loaded)
        if loaded.isEmpty { merged.files = [] }
        return merged
    }

    /// Parses one file's bytes; an empty (or blank) file is an empty configuration.
    public func parse(_ bytes: [UInt8], path: String) throws(ConfigError) -> Kubeconfig {
        if bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }) {
            var empty = Kubeconfig()
            empty.files = [path]
            return empty
        }
        let document: JSONValue
        do {
            document = try parser(bytes, path)
        } catch {
            throw .kubeconfigInvalid(path: path, field: nil, reason: "\(error)")
        }
        return try Kubeconfig(document: document, path: path, currentDirectory: environment.currentDirectory)
    }
}
