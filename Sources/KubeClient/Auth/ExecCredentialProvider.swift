import JSON
import Synchronization

/// Runs an exec credential plugin and caches what it returns until it expires; after a 401 it
/// runs the plugin again (once per set of credentials), as client-go's exec authenticator does.
public final class ExecCredentialProvider: Sendable {
    /// Credentials plus the generation they belong to (to detect concurrent refreshes).
    public struct Issued: Sendable, Equatable {
        /// What the plugin returned.
        public var credentials: ExecCredentials
        /// Increases with every plugin run.
        public var generation: Int
    }

    private struct State {
        var cached: ExecCredentials?
        var generation = 0
        var runs = 0
    }

    /// The plugin configuration.
    public let config: ExecConfig
    private let clusterInfo: JSONValue?
    private let environment: Environment
    private let now: @Sendable () -> Double
    private let state = Mutex(State())

    /// A provider for `config`; `clusterInfo` is sent as `spec.cluster` when the config asks for it;
    /// `now` returns seconds since the epoch (injectable for expiry tests).
    public init(
        config: ExecConfig, clusterInfo: JSONValue? = nil, environment: Environment,
        now: @escaping @Sendable () -> Double = { WallClock.now() }
    ) {
        self.config = config
        self.clusterInfo = clusterInfo
        self.environment = environment
        self.now = now
    }

    /// How many times the plugin has been run.
    public var runCount: Int { state.withLock { $0.runs } }

    /// Cached credentials while they are valid, otherwise fresh ones from the plugin.
    public func credentials() throws(AuthError) -> Issued {
        let result: Result<Issued, AuthError> = state.withLock { s in
            if let cached = s.cached, !isExpired(cached) {
                return .success(Issued(credentials: cached, generation: s.generation))
            }
            return refreshLocked(&s)
        }
        return try result.get()
    }

    /// The cached credentials while they are valid, without waiting: nil when the plugin must run
    /// (nothing cached, or expired) or another thread holds the provider (it may be running it).
    public func cachedCredentials() -> Issued? {
        state.withLockIfAvailable { s -> Issued? in
            guard let cached = s.cached, !isExpired(cached) else { return nil }
            return Issued(credentials: cached, generation: s.generation)
        } ?? nil
    }

    /// Called after the server answered 401 to a request made with `used`: runs the plugin again
    /// unless another request already did. Returns the new credentials, or nil when the plugin
    /// was not re-run or failed (the caller then reports the 401).
    public func refresh(after used: Issued) -> Issued? {
        state.withLock { s in
            if s.generation != used.generation, let cached = s.cached {
                return Issued(credentials: cached, generation: s.generation)
            }
            return try? refreshLocked(&s).get()
        }
    }

    private func isExpired(_ c: ExecCredentials) -> Bool {
        guard let exp = c.expiration else { return false }
        return now() > exp
    }

    /// Whether the plugin gets the terminal, per interactiveMode and whether stdin is a terminal.
    func interactive() throws(AuthError) -> Bool {
        switch config.effectiveInteractiveMode ?? .never {
        case .never: return false
        case .ifAvailable: return environment.stdinIsTerminal
        case .always:
            if !environment.stdinIsTerminal { throw .pluginNeedsTerminal(command: config.command) }
            return true
        }
    }

    /// The child's environment: the caller's, then the config's `env`, then KUBERNETES_EXEC_INFO
    /// (later entries replace earlier ones with the same name).
    func childEnvironment(interactive: Bool) -> [(String, String)] {
        var order: [String] = []
        var values: [String: String] = [:]
        func set(_ k: String, _ v: String) {
            if values[k] == nil { order.append(k) }
            values[k] = v
        }
        for k in environment.variables.keys.sorted() { set(k, environment.variables[k]!) }
        for v in config.env { set(v.name, v.value) }
        let info = ExecCredentialCodec.execInfo(
            apiVersion: config.apiVersion, interactive: interactive,
            cluster: config.provideClusterInfo ? (clusterInfo ?? .emptyObject) : nil)
        set("KUBERNETES_EXEC_INFO", info.serialized())
        return order.map { ($0, values[$0]!) }
    }

    private func refreshLocked(_ s: inout State) -> Result<Issued, AuthError> {
        let interactive: Bool
        do { interactive = try self.interactive() } catch { return .failure(error) }
        guard let executable = ExecPluginRunner.lookPath(config.command, path: environment.variables["PATH"]) else {
            return .failure(.pluginNotFound(command: config.command, installHint: config.installHint))
        }
        s.runs += 1
        let run = ExecPluginRunner.run(
            executable: executable, arguments: config.args,
            environment: childEnvironment(interactive: interactive), passStdin: interactive)
        let output: ProcessOutput
        switch run {
        case .failure(let f):
            return .failure(.pluginLaunchFailed(command: config.command, reason: f.text))
        case .success(let o):
            output = o
        }
        if output.exceededLimit {
            return .failure(.pluginOutputInvalid(
                command: config.command,
                detail: "it wrote more than \(ExecPluginRunner.defaultOutputLimit) bytes and was stopped"))
        }
        if output.exitCode != 0 {
            return .failure(.pluginFailed(
                command: config.command, exitCode: output.exitCode, signal: output.signal,
                stderr: Self.summarize(output.stderr)))
        }
        switch ExecCredentialCodec.decodeOutput(output.stdout, apiVersion: config.apiVersion) {
        case .failure(let f):
            return .failure(.pluginOutputInvalid(command: config.command, detail: f.detail))
        case .success(let creds):
            s.cached = creds
            s.generation += 1
            return .success(Issued(credentials: creds, generation: s.generation))
        }
    }

    /// Plugin stderr for an error message: trimmed, at most 2 KiB.
    static func summarize(_ bytes: [UInt8]) -> String {
        var text = String(decoding: bytes.prefix(2048), as: UTF8.self).trimmingSpaces()
        if bytes.count > 2048 { text += " …" }
        return text
    }
}
