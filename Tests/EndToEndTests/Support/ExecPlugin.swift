import Foundation
import JSON

/// A client-go credential plugin as a small shell script in the test's directory: it records
/// `KUBERNETES_EXEC_INFO` and each run, and prints an ExecCredential carrying `token`.
struct ExecPlugin {
    /// The directory holding the script (put it on PATH to call it by name).
    let binDirectory: String
    /// The script's file name.
    let name: String
    /// Where the last run wrote its `KUBERNETES_EXEC_INFO`.
    let infoFile: String
    /// One line per run.
    let runsFile: String

    /// The script's absolute path.
    var path: String { binDirectory + "/" + name }

    /// Writes the script for `apiVersion` returning `token`.
    init(in cluster: TestCluster, name: String = "e2e-credential-plugin", apiVersion: String, token: String) throws {
        binDirectory = cluster.dir + "/bin"
        self.name = name
        infoFile = cluster.dir + "/exec-info.json"
        runsFile = cluster.dir + "/exec-runs"
        let credential: JSONValue = ["apiVersion": .string(apiVersion), "kind": "ExecCredential", "status": ["token": .string(token)]]
        let script = """
            #!/bin/sh
            printf '%s' "$KUBERNETES_EXEC_INFO" > '\(infoFile)'
            echo "run $*" >> '\(runsFile)'
            cat <<'CREDENTIAL'
            \(credential.serialized())
            CREDENTIAL

            """
        try cluster.write("bin/\(name)", script, mode: 0o755)
    }

    /// The `exec` member of a kubeconfig user running this plugin (by `command`, a name or a path).
    func userExec(apiVersion: String, command: String, provideClusterInfo: Bool = false) -> JSONValue {
        var exec: JSONObject = [
            "apiVersion": .string(apiVersion), "command": .string(command), "args": ["get-token", "--cluster", "e2e"],
            "env": [["name": "E2E_PLUGIN_ENV", "value": "from-kubeconfig"]],
            "provideClusterInfo": .bool(provideClusterInfo),
        ]
        if apiVersion.hasSuffix("/v1") { exec["interactiveMode"] = "Never" }
        return ["exec": .object(exec)]
    }

    /// The parsed `KUBERNETES_EXEC_INFO` of the last run (nil when the plugin never ran).
    func lastExecInfo() throws -> JSONValue? {
        guard FileManager.default.fileExists(atPath: infoFile) else { return nil }
        return try JSONValue(parsing: try String(contentsOfFile: infoFile, encoding: .utf8))
    }

    /// How many times the plugin ran.
    func runs() -> [String] {
        ((try? String(contentsOfFile: runsFile, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
