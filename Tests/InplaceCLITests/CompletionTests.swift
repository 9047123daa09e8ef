import Testing
@testable import InplaceCLI
@testable import InplaceCore

/// A cluster and kubeconfig for completion: two contexts, namespaces, and workloads that differ by
/// namespace and context, so a test sees which flags on the line the look-ups honoured.
struct FakeCompletionSource: CompletionSource {
    func workloadNames(_ kind: WorkloadKind, options: GlobalOptions) -> [String]? {
        guard kind == .deployment else { return [] }
        switch (options.connection.context ?? "dev", options.namespace ?? "default") {
        case ("prod", "shop"): return ["checkout", "cart"]
        case (_, "default"): return ["web", "api"]
        default: return []
        }
    }
    func namespaces(options: GlobalOptions) -> [String]? { ["default", "shop"] }
    func contexts(options: GlobalOptions) -> [String] { ["dev", "prod"] }
    func containers(_ kind: WorkloadKind, name: String, options: GlobalOptions) -> [String]? {
        name == "web" ? ["app", "sidecar"] : nil
    }
}

@Suite struct CompletionTests {
    let completer = Completer(commands: CLI.commands, source: FakeCompletionSource())

    func candidates(_ words: String...) -> [String] { completer.complete(words).candidates }

    @Test func commandsFlagsAndTargets() {
        #expect(candidates("pl") == ["plan"])
        #expect(candidates("set", "") == ["image"])
        #expect(candidates("plan", "--max-u") == ["--max-unavailable"])
        #expect(candidates("plan", "--max") == ["--max-unavailable", "--max-surge"])
        #expect(candidates("plan", "-o", "") == ["text", "json", "yaml"])
        #expect(candidates("rollout", "--dry-run=s") == ["--dry-run=server"])
        #expect(candidates("plan", "deployment/w") == ["deployment/web"])
        let types = completer.complete(["plan", "st"])
        #expect(types.candidates == ["statefulset/"])
        #expect(types.directive & Completer.Directive.noSpace.rawValue != 0)
        let files = completer.complete(["plan", "-f", ""])
        #expect(files.directive == Completer.Directive.filterFileExt.rawValue)
        #expect(candidates("completion", "z") == ["zsh"])
    }

    @Test func midLineAfterOtherFlags() {
        #expect(candidates("plan", "-f", "a.yaml", "--o") == ["--output"], "after a flag and its value")
        #expect(candidates("--context", "prod", "plan", "--exit-code", "--max-u") == ["--max-unavailable"])
        #expect(candidates("rollout", "--timeout", "1m", "--on-failure", "") == ["pause", "rollback"])
        #expect(candidates("rollout", "--on-failure=r") == ["--on-failure=rollback"])
        #expect(!candidates("plan", "--exit-code", "--").contains("--exit-code"), "a flag given once is not offered again")
        #expect(candidates("plan", "-f", "a.yaml", "--fil") == ["--filename"], "repeatable flags are offered again")
        #expect(candidates("--n") == ["--namespace", "--no-color"], "global flags before the command")
    }

    @Test func valuesFromTheKubeconfigAndTheCluster() {
        #expect(candidates("--context", "") == ["dev", "prod"])
        #expect(candidates("plan", "--context=p") == ["--context=prod"])
        #expect(candidates("-n", "s") == ["shop"])
        #expect(candidates("status", "--namespace", "") == ["default", "shop"])
    }

    @Test func namesHonourNamespaceAndContextEarlierOnTheLine() {
        #expect(candidates("plan", "deploy/") == ["deploy/web", "deploy/api"])
        #expect(candidates("--context", "prod", "-n", "shop", "plan", "deploy/") == ["deploy/checkout", "deploy/cart"])
        #expect(candidates("plan", "--context=prod", "--namespace=shop", "deploy/c") == ["deploy/checkout", "deploy/cart"])
        #expect(candidates("-n", "shop", "plan", "deploy/").isEmpty, "dev has nothing in shop")
    }

    @Test func containerNamesAfterSetImageTarget() {
        let r = completer.complete(["set", "image", "deploy/web", ""])
        #expect(r.candidates == ["app=", "sidecar=", "*="])
        #expect(r.directive & Completer.Directive.noSpace.rawValue != 0)
        #expect(candidates("set", "image", "deploy/web", "app=nginx:1.27", "s") == ["sidecar="])
        #expect(candidates("set", "image", "-n", "default", "deploy/web", "a") == ["app="])
    }
}
