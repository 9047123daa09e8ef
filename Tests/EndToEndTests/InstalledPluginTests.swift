import Foundation
import JSON
import KubeSim
import Testing

/// The plugin as a user installs it (`make install-files`, the step `make install` runs after
/// building): found by `kubectl plugin list`, run through `kubectl inplace` with global flags before
/// the command, and completed through the real bash function and kubectl's own plugin completion
/// (`kubectl __complete inplace ...` runs `kubectl_complete-inplace`).
@Suite("Installed plugin: kubectl plugin list, global flags, completion through bash and kubectl")
struct InstalledPluginTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let kubectl = "/usr/bin/kubectl"

    /// A cluster with web (app + sidecar) in default and checkout in shop, and the plugin installed under it.
    final class Installed {
        let c: TestCluster
        let prefix: String
        let env: [String: String]

        init() throws {
            c = try TestCluster(Workloads.scenario([
                Workloads.deployment(replicas: 2),
                Workloads.deployment("checkout", replicas: 1, namespace: "shop"),
            ]))
            prefix = c.dir + "/prefix"
            let make = BinaryRunner(executable: URL(fileURLWithPath: "/usr/bin/make"))
            let r = try make.run(["-s", "-C", InstalledPluginTests.repositoryRoot, "install-files", "PREFIX=\(prefix)",
                                  "BIN=\(c.runner.executable.path)"],
                                 environment: BinaryRunner.baseEnvironment(home: c.dir), workingDirectory: c.dir, timeout: 60)
            guard r.status == 0 else { throw E2EError.failedRun(r) }
            var env = BinaryRunner.baseEnvironment(home: c.dir)
            env["PATH"] = prefix + "/bin:" + (env["PATH"] ?? "")
            env["KUBECONFIG"] = c.kubeconfig
            self.env = env
        }

        func run(_ tool: String, _ args: [String]) throws -> RunResult {
            try BinaryRunner(executable: URL(fileURLWithPath: tool)).run(args, environment: env, workingDirectory: c.dir, timeout: 60)
        }

        /// The candidates the installed bash completion offers for `line` (the cursor at its end).
        func bash(_ line: String) throws -> [String] {
            let script = """
            source \(prefix)/share/bash-completion/completions/kubectl-inplace
            COMP_LINE='\(line)'; COMP_POINT=${#COMP_LINE}
            _kubectl_inplace
            printf '%s\\n' "${COMPREPLY[@]}"
            """
            let r = try run("/bin/bash", ["-c", script])
            #expect(r.status == 0, "\(r)")
            return r.stdout.split(separator: "\n").map(String.init)
        }

        /// What kubectl's plugin completion answers for `kubectl inplace WORDS...`, without the directive line.
        func kubectlComplete(_ words: [String]) throws -> [String] {
            let r = try run(InstalledPluginTests.kubectl, ["__complete", "inplace"] + words)
            #expect(r.status == 0, "\(r)")
            return r.stdout.split(separator: "\n").map(String.init).filter { !$0.hasPrefix(":") }
        }
    }

    @Test("kubectl plugin list shows the plugin, and `kubectl inplace --context C -n N plan -f F` plans")
    func pluginListAndGlobalFlagsFirst() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.kubectl), "the real kubectl is needed at \(Self.kubectl)")
        let i = try Installed()
        defer { i.c.stop() }
        let list = try i.run(Self.kubectl, ["plugin", "list"])
        #expect(list.stdout.contains(i.prefix + "/bin/kubectl-inplace"), "\(list)")
        let manifest = try i.c.writeManifest("checkout.yaml", Workloads.deployment("checkout", replicas: 1, image: "nginx:1.27", namespace: "shop"))
        let context = "kube-sim"
        let plan = try i.run(Self.kubectl, ["inplace", "--context", context, "-n", "shop", "plan", "-f", manifest])
        #expect(plan.status == 0, "\(plan)")
        #expect(plan.stdout.contains("checkout-") && plan.stdout.contains("nginx:1.27"), "\(plan)")
        let wrong = try i.run(Self.kubectl, ["inplace", "--context", "nosuch", "-n", "shop", "plan", "-f", manifest])
        #expect(wrong.status == 2 && wrong.stderr.contains("nosuch"), "the --context before the command is used: \(wrong)")
    }

    @Test("bash completion: flags after flags, --flag=value, names honouring -n, containers after set image")
    func bashCompletion() throws {
        let i = try Installed()
        defer { i.c.stop() }
        #expect(try i.bash("kubectl-inplace pl") == ["plan"])
        #expect(try i.bash("kubectl-inplace plan -f a.yaml --o") == ["--output"])
        #expect(try i.bash("kubectl-inplace rollout --dry-run=cl") == ["client"], "bash replaces only what follows the =")
        #expect(try i.bash("kubectl-inplace plan deploy/") == ["deploy/web"])
        #expect(try i.bash("kubectl-inplace -n shop plan deploy/") == ["deploy/checkout"])
        #expect(try i.bash("kubectl-inplace plan -n ").contains("shop"))
        #expect(try i.bash("kubectl-inplace set image deploy/web ") == ["app=", "sidecar=", "*="])
    }

    @Test("kubectl __complete inplace ...: kubectl's plugin completion reaches the same answers")
    func kubectlPluginCompletion() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.kubectl), "the real kubectl is needed at \(Self.kubectl)")
        let i = try Installed()
        defer { i.c.stop() }
        #expect(try i.kubectlComplete(["plan", "--o"]) == ["--output"])
        #expect(try i.kubectlComplete(["--context", "kube-sim", "-n", "shop", "plan", "deploy/"])
                == ["deploy/checkout"])
        #expect(try i.kubectlComplete(["set", "image", "deploy/web", ""]) == ["app=", "sidecar=", "*="])
        #expect(try i.kubectlComplete(["--context", ""]) == ["kube-sim"])
    }
}
