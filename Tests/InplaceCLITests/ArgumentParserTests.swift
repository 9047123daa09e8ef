import Testing
@testable import InplaceCLI
@testable import InplaceCore
import KubeFormats

@Suite struct ArgumentParserTests {
    let parser = ArgumentParser(flags: Command.plan.allFlags, command: "kubectl inplace plan")

    @Test func pflagSpellings() throws {
        let a = try parser.parse(["-f", "a.yaml", "--filename=b.yaml", "-fc.yaml", "-n=prod", "--max-unavailable", "25%",
                                  "--exit-code", "--no-color=false", "deploy/x", "-v6"])
        #expect(a.all("filename") == ["a.yaml", "b.yaml", "c.yaml"])
        #expect(a.value("namespace") == "prod")
        #expect(a.value("max-unavailable") == "25%")
        #expect(a.bool("exit-code"))
        #expect(!a.bool("no-color"))
        #expect(a.positionals == ["deploy/x"])
        #expect(a.value("v") == "6")
    }

    @Test func doubleDashEndsFlags() throws {
        let a = try parser.parse(["--", "-f", "x"])
        #expect(a.positionals == ["-f", "x"])
        #expect(a.all("filename").isEmpty)
    }

    @Test func errors() {
        #expect(throws: CLIError.usage("unknown flag: --nope", command: "kubectl inplace plan")) { try parser.parse(["--nope"]) }
        #expect(throws: CLIError.usage("flag needs an argument: --namespace", command: "kubectl inplace plan")) {
            try parser.parse(["--namespace"])
        }
        #expect(throws: CLIError.self) { try parser.parse(["--exit-code=maybe"]) }
        #expect(throws: CLIError.self) { try parser.parse(["-Z"]) }
    }

    @Test func rolloutOptionsValidate() throws {
        let parser = ArgumentParser(flags: Command.rollout.allFlags, command: "kubectl inplace rollout")
        let ok = try RolloutOptions(parser.parse(["--partition", "50%", "--grace-period", "1m30s", "--dry-run=server", "-o", "yaml"]),
                                    command: "c", formats: [.text, .json, .yaml])
        #expect(ok.plan.partition == .percent(50))
        #expect(ok.gracePeriod == 90)
        #expect(ok.dryRun == .server)
        #expect(ok.output == .yaml)
        #expect(throws: CLIError.self) { try RolloutOptions(parser.parse(["--max-unavailable", "0"]), command: "c") }
        #expect(throws: CLIError.self) { try RolloutOptions(parser.parse(["--grace-period", "soon"]), command: "c") }
        #expect(throws: CLIError.self) { try RolloutOptions(parser.parse(["-o", "yaml"]), command: "c") }
    }

    @Test func durationsForPeople() {
        #expect(DurationText.format(0.85) == "850ms")
        #expect(DurationText.format(125) == "2m05s")
    }
}

@Suite struct TargetParserTests {
    let parser = TargetParser(namespace: "prod", command: "c")

    @Test func referencesAndImages() throws {
        let t = try parser.parse(["deploy/web", "sts", "db", "app=registry.example.com:5000/team/app:1.2", "*=busybox"], allowImages: true)
        #expect(t.refs == [WorkloadRef(kind: .deployment, namespace: "prod", name: "web"),
                           WorkloadRef(kind: .statefulSet, namespace: "prod", name: "db")])
        #expect(t.images.map(\.container) == ["app", "*"])
        #expect(t.images.map(\.image) == ["registry.example.com:5000/team/app:1.2", "busybox"])
    }

    @Test func refusals() {
        #expect(throws: CLIError.self) { try parser.parse(["cronjob/x"], allowImages: true) }
        #expect(throws: CLIError.self) { try parser.parse(["deploy/web", "app=Nginx:1"], allowImages: true) }
        #expect(throws: CLIError.self) { try parser.parse(["deploy/web", "app=nginx:1"], allowImages: false) }
        #expect(throws: CLIError.self) { try parser.parse(["deploy/"], allowImages: true) }
    }

    @Test func imageReferences() {
        #expect(ImageReference.problem("nginx") == nil)
        #expect(ImageReference.problem("localhost:5000/a/b:c-1.2") == nil)
        #expect(ImageReference.problem("ghcr.io/org/app@sha256:" + String(repeating: "a", count: 64)) == nil)
        #expect(ImageReference.problem("Nginx") != nil)
        #expect(ImageReference.problem("nginx:") != nil)
        #expect(ImageReference.problem("nginx latest") != nil)
        #expect(ImageReference.problem("") != nil)
    }
}

@Suite struct EntryTests {
    @Test func programNameFromArgv0() {
        #expect(CLI.programName("/usr/local/bin/kubectl-inplace") == "kubectl inplace")
        #expect(CLI.programName("kubectl-in_place") == "kubectl in-place")
        #expect(CLI.programName("./inplace") == "inplace")
    }

    @Test func unknownCommandExits2() {
        let r = runCLI(["frobnicate"])
        #expect(r.code == 2)
        #expect(r.err.contains("unknown command \"frobnicate\""))
    }

    @Test func inputErrorsExit2BeforeConnecting() {
        let r = runCLI(["plan", "-f", "-"], stdin: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: 'oops\n",
                       env: ["KUBECONFIG": "/nonexistent"])
        #expect(r.code == 2)
        #expect(r.err.hasPrefix("error: <stdin>:5:1: found unexpected end of stream"))
        #expect(r.err.contains("quoted scalar started at line 4"))
    }

    @Test func colourFollowsTheRules() {
        #expect(Style.decide(isTTY: true, noColorFlag: false, environment: [:]).enabled)
        #expect(!Style.decide(isTTY: false, noColorFlag: false, environment: [:]).enabled)
        #expect(!Style.decide(isTTY: true, noColorFlag: true, environment: [:]).enabled)
        #expect(!Style.decide(isTTY: true, noColorFlag: false, environment: ["NO_COLOR": "1"]).enabled)
        #expect(!Style.decide(isTTY: true, noColorFlag: false, environment: ["TERM": "dumb"]).enabled)
    }
}

/// The rollout option table against what a record keeps: every recorded flag comes back from the
/// record as it was given, and the record keeps nothing the table does not know.
@Suite struct RolloutOptionTableTests {
    @Test func everyRecordedFlagRoundTripsThroughTheRecord() throws {
        let parser = ArgumentParser(flags: Command.rollout.allFlags, command: "c")
        let given = try RolloutOptions(parser.parse(["--max-unavailable", "3", "--partition", "1", "--allow-missing-gate",
                                                     "--grace-period", "1.25s", "--pod-timeout", "1m30s", "--on-failure", "rollback",
                                                     "--timeout", "7s"]), command: "c")
        let plan = WorkloadPlan(ref: WorkloadRef(kind: .deployment, namespace: "d", name: "w"), pods: [],
                                maxUnavailable: 3, partition: 1)
        let recorded = given.settings.recordedOptions(plan: plan)
        let keys = Set(RolloutOptions.table.compactMap(\.recordKey))
        #expect(Set(recorded.keys) == keys, "the record keeps exactly the table's keys")
        let back = RolloutOptions.recorded(recorded)
        #expect(back.plan.maxUnavailable == .count(3) && back.plan.partition == .count(1) && back.plan.allowMissingGate)
        #expect(back.plan.priority == nil && back.plan.scatter == nil)
        #expect(back.gracePeriod == 1.25 && back.podTimeout == 90 && back.onFailure == .rollback)
        #expect(back.timeout == RolloutOptions().timeout, "--timeout is never inherited")
    }

    @Test func resumeFlagsOverrideTheRecordAndNothingElse() throws {
        let parser = ArgumentParser(flags: Command.resume.allFlags, command: "c")
        let args = try parser.parse(["--grace-period", "0", "--timeout", "0"])
        var recorded = RolloutOptions()
        recorded.gracePeriod = 3
        recorded.podTimeout = 42
        let o = recorded.overridden(by: try RolloutOptions(args, command: "c"), args: args)
        #expect(o.gracePeriod == 0 && o.podTimeout == 42 && o.timeout == 0)
    }

    @Test func priorityAndScatterRoundTripAndResumeFlagsReplaceTheirKind() throws {
        let parser = ArgumentParser(flags: Command.rollout.allFlags, command: "c")
        let given = try RolloutOptions(parser.parse(["--priority-weight", "50:track=canary", "--priority-weight", "30:tier in (a,b)",
                                                     "--scatter-by", "topology.kubernetes.io/zone"]), command: "c")
        #expect(given.plan.priority == .weights([PriorityWeight(weight: 50, selector: "track=canary"),
                                                 PriorityWeight(weight: 30, selector: "tier in (a,b)")]))
        var plan = WorkloadPlan(ref: WorkloadRef(kind: .deployment, namespace: "d", name: "w"), pods: [], maxUnavailable: 1)
        plan.order = UpdateOrder(priority: given.plan.priority, scatter: given.plan.scatter)
        let back = RolloutOptions.recorded(given.settings.recordedOptions(plan: plan))
        #expect(back.plan.priority == given.plan.priority && back.plan.scatter == .by("topology.kubernetes.io/zone"))
        let resume = ArgumentParser(flags: Command.resume.allFlags, command: "c")
        let args = try resume.parse(["--priority-order", "rank", "--scatter", "a=b"])
        let o = back.overridden(by: try RolloutOptions(args, command: "c"), args: args)
        #expect(o.plan.priority == .orderKeys(["rank"]) && o.plan.scatter == .terms([ScatterTerm(key: "a", value: "b")]))
        #expect(throws: CLIError.self) {
            try RolloutOptions(parser.parse(["--priority-weight", "5:a=b", "--priority-order", "rank"]), command: "c")
        }
    }

    @Test func zeroIsExplainedInHelp() {
        let help = HelpFormatter.help(for: .rollout, programName: "kubectl inplace")
        #expect(help.contains("0: no limit."), "\(help)")
    }
}
