import Foundation

/// Generates the troff man page `man/kubectl-inplace.1` from the command definitions.
public enum ManPage {
    /// The whole page.
    public static func render(commands: [Command]) -> String {
        var out = """
        .TH KUBECTL-INPLACE 1 "" "kubectl-inplace \(Version.current)" "User Commands"
        .SH NAME
        kubectl-inplace \\- update the containers of running Kubernetes pods in place
        .SH SYNOPSIS
        .B kubectl inplace
        .I COMMAND
        [\\fIflags\\fR]
        .SH DESCRIPTION
        kubectl-inplace changes only the container images of live pods of Deployments, StatefulSets,
        DaemonSets and bare Pods. The kubelet restarts just those containers, on the same node, with the
        same IP and volumes. Each pod leaves service first through the \\fBInPlaceUpdateReady\\fR readiness
        gate, so no request is sent to a restarting container. No pod is deleted or recreated.
        .SH COMMANDS

        """
        for c in commands where !c.hidden {
            out += ".SS \(escape(c.name))\n"
            out += ".B kubectl inplace \(escape(c.usage))\n.PP\n"
            out += paragraphs(c.description)
            let own = c.flags.filter { !$0.hidden }
            if !own.isEmpty {
                out += ".PP\nFlags:\n"
                out += flagList(own)
            }
            for (comment, line) in c.examples {
                out += ".PP\n\(escape(comment)):\n.RS\n.nf\nkubectl inplace \(escape(line))\n.fi\n.RE\n"
            }
        }
        out += ".SH GLOBAL FLAGS\n" + flagList(GlobalOptions.flags.filter { !$0.hidden })
        out += """
        .SH EXIT STATUS
        .TP
        .B 0
        Done (for \\fBplan\\fR: planned; with \\fB\\-\\-exit\\-code\\fR: nothing to do).
        .TP
        .B 1
        The rollout failed: a pod did not come back (image pull, crash loop, pod timeout), or the API server kept failing after the retry budget; with \\fBplan \\-\\-exit\\-code\\fR: updates pending.
        .TP
        .B 2
        Usage, input, configuration or permission error found before the first write; nothing was written to the cluster.
        .TP
        .B 3
        Timed out (\\fB\\-\\-timeout\\fR).
        .TP
        .B 4
        Paused, by \\fBpause\\fR or by SIGINT/SIGTERM; \\fBresume\\fR continues.
        .TP
        .B 5
        Conflict: someone else is rolling this workload, or it changed in a way that makes the plan void.
        .PP
        With several workloads the most severe code wins: 5, then 1, 3, 4, 0.
        .SH UPDATE ORDER
        Pods already not Ready go first (they are out of service anyway). Then the priority rule, if any:
        \\fB\\-\\-priority\\-weight\\fR (weights summed, higher first) or \\fB\\-\\-priority\\-order\\fR (the integer at
        the end of the label's value, larger first), one kind at a time; pods the rule does not rank go last.
        Then, among pods of equal priority, the scatter rule: \\fB\\-\\-scatter\\fR (the pods carrying a label
        spread evenly) or \\fB\\-\\-scatter\\-by\\fR (pods interleaved by a label's values). Ties keep the default
        order: a StatefulSet's highest ordinal first, else by name. With a StatefulSet partition only the
        ordinals at or above it are ordered. \\fBplan\\fR shows this order, the rule and each pod's priority and
        scatter group; the rollout follows it, and its record keeps the rules for \\fBresume\\fR.
        .PP
        Without the flags, the workload's annotations set the rules, with the flags' values (entries joined
        by ;): \\fBinplace.kubectl.io/priority\\-weight\\fR (e.g. 100:track=canary;50:tier=web),
        \\fBinplace.kubectl.io/priority\\-order\\fR, \\fBinplace.kubectl.io/scatter\\fR and
        \\fBinplace.kubectl.io/scatter\\-by\\fR: the \\fB\\-f\\fR manifest's, else the live workload's. A flag
        overrides the annotation of its kind.
        .SH RETRIES AND DEADLINES
        Every request to the API server (writes too: each is safe to repeat) is tried up to 5 times when the
        server answers 429, 500, 502, 503 or 504 or the connection is lost (3 times when it cannot connect),
        waiting 250 ms, 0.5 s, 1 s and 2 s between tries (\\(+-25% jitter, at most 8 s), or what the server's
        Retry\\-After asks (at most 60 s). A request that still fails fails its pod: the rollout stops with
        exit 1 and says what to do next (\\fBresume\\fR once the server is back, or \\fBundo\\fR).
        .PP
        \\fB\\-\\-timeout\\fR bounds the whole command, every workload and a rollback included (0: no limit);
        \\fBresume\\fR and \\fBundo\\fR take their own (default 10m). At the deadline no pod is started and no
        request is retried: what can be recorded is recorded, the pods left out of service are named, and the
        exit code is 3.
        .SH ENVIRONMENT
        .TP
        .B KUBECONFIG
        Colon-separated list of kubeconfig files; the first to define a name wins.
        .TP
        .B NO_COLOR
        When set and not empty, output is never coloured (as with \\fBTERM=dumb\\fR and \\fB\\-\\-no\\-color\\fR).
        .SH SEE ALSO
        .BR kubectl (1)

        """
        return out
    }

    static func flagList(_ flags: [FlagSpec]) -> String {
        flags.map { f in
            let short = f.short.map { "\\fB\\-\($0)\\fR, " } ?? ""
            let value = f.kind == .bool ? "" : " \\fI\(escape(f.valueName))\\fR"
            let def = f.defaultValue.map { " (default \(escape($0)))" } ?? ""
            return ".TP\n\(short)\\fB\\-\\-\(escape(f.name))\\fR\(value)\n\(escape(f.fullHelp))\(def)\n"
        }.joined()
    }

    static func paragraphs(_ text: String) -> String {
        text.components(separatedBy: "\n\n").map { escape($0) + "\n" }.joined(separator: ".PP\n")
    }

    static func escape(_ s: String) -> String {
        var out = s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "-", with: "\\-")
        if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
        return out.replacingOccurrences(of: "\n.", with: "\n\\&.")
    }
}

extension Command {
    /// `__man`: prints the man page (hidden; `make man` writes it to man/).
    static let man = Command(
        name: "__man",
        summary: "Print the man page",
        description: "Print the troff man page generated from the command definitions.",
        usage: "__man",
        usesCluster: false,
        hidden: true
    ) { ctx in
        ctx.terminal.out(ManPage.render(commands: CLI.commands))
        return .ok
    }
}
