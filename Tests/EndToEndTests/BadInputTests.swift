import Foundation
import JSON
import KubeSim
import Testing

/// Acceptance item 3: bad input exits 2 with one `error:` line naming file:line(:col) or the field,
/// and nothing reaches the cluster: KubeSim's request log stays empty (no write, and for input
/// errors found before connecting, no request at all).
@Suite("Bad input: exit 2, a located error, zero requests")
struct BadInputTests {
    /// A bad manifest file and the substrings its error message must contain.
    struct BadFile: Sendable, CustomTestStringConvertible {
        let label: String
        let file: String
        let bytes: [UInt8]
        let expected: [String]
        var testDescription: String { label }

        init(_ label: String, _ file: String, _ text: String, expect expected: [String]) {
            self.init(label, file, Array(text.utf8), expect: expected)
        }

        init(_ label: String, _ file: String, _ bytes: [UInt8], expect expected: [String]) {
            self.label = label
            self.file = file
            self.bytes = bytes
            self.expected = expected
        }
    }

    static let header = "apiVersion: apps/v1\nkind: Deployment\n"

    static let files: [BadFile] = [
        BadFile("tab-indented YAML", "tab.yaml", header + "metadata:\n\tname: web\n", expect: ["tab.yaml:4:1:"]),
        BadFile("unclosed quote", "quote.yaml", header + "metadata:\n  name: \"web\nspec: {}\n",
                expect: ["quote.yaml:", "quoted scalar", "line 4, column 9"]),
        BadFile("duplicate keys", "dup.yaml", header + "metadata:\n  name: web\n  name: api\n",
                expect: ["dup.yaml:5:3:", "\"name\"", "line 4"]),
        BadFile("binary garbage", "garbage.yaml", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0xFF, 0xFE, 0x00, 0x01],
                expect: ["garbage.yaml:1:"]),
        BadFile("empty file", "empty.yaml", "", expect: ["empty.yaml", "empty"]),
        BadFile("only comments", "comments.yaml", "# nothing here\n---\n# still nothing\n", expect: ["comments.yaml"]),
        BadFile("missing metadata.name", "noname.yaml",
                header + "metadata:\n  labels: {app: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    spec:\n      containers: [{name: app, image: nginx:1.27}]\n",
                expect: ["noname.yaml:", "metadata.name"]),
        BadFile("unknown apiVersion for a known kind", "beta.yaml",
                "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers: [{name: app, image: nginx:1.27}]\n",
                expect: ["beta.yaml:1:13:", "apps/v1beta1", "Deployment"]),
        BadFile("no supported workload at all", "svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n",
                expect: ["svc.yaml", "no Deployment, StatefulSet, DaemonSet or Pod"]),
    ]

    /// Asserts the contract for bad input: exit 2, an `error:` line with every expected part, no
    /// data on stdout, and an empty request log.
    static func expectRejected(_ r: RunResult, _ expected: [String], cluster c: TestCluster,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 2, "\(r)", sourceLocation: sourceLocation)
        let errorLine = r.stderr.split(separator: "\n").first { $0.hasPrefix("error: ") }.map(String.init)
        #expect(errorLine != nil, "an error: line on stderr: \(r.stderr)", sourceLocation: sourceLocation)
        for part in expected {
            #expect(r.stderr.contains(part), "stderr names \(part): \(r.stderr)", sourceLocation: sourceLocation)
        }
        #expect(r.stdout.isEmpty, "nothing on stdout: \(r.stdout)", sourceLocation: sourceLocation)
        #expect(c.server.requestLog.writes.isEmpty, "no write reached the cluster", sourceLocation: sourceLocation)
        let seen = c.server.requestLog.entries.map { "\($0.method) \($0.path)" }
        #expect(seen.isEmpty, "no request at all: \(seen)", sourceLocation: sourceLocation)
    }

    @Test("A bad manifest file", arguments: files)
    func badFile(_ bad: BadFile) throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 2)]))
        defer { c.stop() }
        try c.write(bad.file, bad.bytes)
        let r = try c.run(["plan", "-f", bad.file])
        Self.expectRejected(r, bad.expected, cluster: c)
    }

    @Test("A bad manifest on standard input is located as <stdin>:line:col")
    func badStdin() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 2)]))
        defer { c.stop() }
        let r = try c.run(["plan", "-f", "-"], stdin: Array((Self.header + "metadata:\n  name: web\n  name: api\n").utf8))
        Self.expectRejected(r, ["<stdin>:5:3:"], cluster: c)
    }

    @Test("A bad document after a good one still rejects the whole input before any request")
    func badSecondFile() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 2)]))
        defer { c.stop() }
        try c.writeManifest("manifests/a-good.yaml", Workloads.deployment(replicas: 2, image: "nginx:1.27"))
        try c.write("manifests/b-bad.yaml", Self.header + "metadata:\n\tname: api\n")
        let r = try c.run(["plan", "-f", "manifests"])
        Self.expectRejected(r, ["b-bad.yaml:4:1:"], cluster: c)
    }

    @Test("A directory with no manifests")
    func emptyDirectory() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 2)]))
        defer { c.stop() }
        try c.write("docs/README.md", "# not a manifest\n")
        try c.write("docs/notes.txt", "kind: Deployment\n")
        let r = try c.run(["plan", "-f", "docs"])
        Self.expectRejected(r, ["docs", "no manifest"], cluster: c)
        let missing = try c.run(["plan", "-f", "does-not-exist.yaml"])
        Self.expectRejected(missing, ["does-not-exist.yaml"], cluster: c)
    }

    @Test("A missing kubeconfig (--kubeconfig /nope)")
    func missingKubeconfig() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 2)]))
        defer { c.stop() }
        let r = try c.run(["plan", "deployment/web", "app=nginx:1.27", "--kubeconfig", "/nope"])
        Self.expectRejected(r, ["/nope"], cluster: c)
        let viaEnv = try c.run(["plan", "deployment/web", "app=nginx:1.27"], kubeconfig: "/nope/kubeconfig")
        #expect(viaEnv.status == 2, "KUBECONFIG naming only missing files leaves no configuration: \(viaEnv)")
        #expect(viaEnv.stderr.hasPrefix("error: ") || viaEnv.stderr.contains("\nerror: "), "\(viaEnv)")
        #expect(c.server.requestLog.entries.isEmpty)
    }

    @Test("A context that does not exist (--context nope)")
    func missingContext() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 2)]))
        defer { c.stop() }
        let r = try c.run(["plan", "deployment/web", "app=nginx:1.27", "--context", "nope"])
        Self.expectRejected(r, ["context \"nope\""], cluster: c)
    }

    @Test("An exec credential plugin that is not installed: the message shows its installHint")
    func execPluginNotInstalled() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 2)]))
        defer { c.stop() }
        let hint = "not-installed-xyz is part of the XYZ SDK: see https://example.invalid/xyz#install"
        let config: JSONValue = [
            "apiVersion": "v1", "kind": "Config", "current-context": "e2e",
            "clusters": [["name": "e2e", "cluster": ["server": .string("https://127.0.0.1:\(c.server.port)"), "insecure-skip-tls-verify": true]]],
            "users": [[
                "name": "e2e",
                "user": ["exec": [
                    "apiVersion": "client.authentication.k8s.io/v1", "command": "not-installed-xyz", "args": ["token"],
                    "installHint": .string(hint), "interactiveMode": "Never",
                ]],
            ]],
            "contexts": [["name": "e2e", "context": ["cluster": "e2e", "user": "e2e"]]],
        ]
        let kubeconfig = try c.writeManifest("exec-kubeconfig", config)
        let r = try c.run(["plan", "deployment/web", "app=nginx:1.27"], kubeconfig: kubeconfig)
        Self.expectRejected(r, ["not-installed-xyz", hint], cluster: c)
    }

    @Test("Usage errors: an unknown flag, a bad --max-unavailable, -f together with TYPE/NAME")
    func usageErrors() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 2)]))
        defer { c.stop() }
        let file = try c.writeManifest("web.yaml", Workloads.deployment(replicas: 2, image: "nginx:1.27"))
        Self.expectRejected(try c.run(["plan", "-f", file, "--no-such-flag"]), ["--no-such-flag"], cluster: c)
        Self.expectRejected(try c.run(["plan", "-f", file, "--max-unavailable", "-3"]), ["max-unavailable"], cluster: c)
        Self.expectRejected(try c.run(["plan", "-f", file, "deployment/web", "app=nginx:1.27"]), ["-f"], cluster: c)
    }
}
