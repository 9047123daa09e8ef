// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "kubectl-inplace",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kubectl-inplace", targets: ["kubectl-inplace"]),
        .executable(name: "kube-sim", targets: ["kube-sim"]),
        .library(name: "KubeSim", targets: ["KubeSim"]),
    ],
    targets: [
        // System C libraries, reached through modulemaps and static inline shims.
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]),

        // A JSON value type with a fast parser and serializer: the lingua franca of every layer.
        .target(name: "JSON", linkerSettings: [.linkedLibrary("m")]),
        // `Mutex` annotated for ThreadSanitizer, for every module that locks (one place for the annotation),
        // and `WakeBatch`, which holds the wakes of a burst handed over to waiting threads to its end.
        .target(name: "Locking"),
        // The wire formats every layer shares, implemented once: RFC 3339 times, Go durations, base64.
        .target(name: "KubeFormats"),
        // YAML (libyaml) to JSONValue, the way kubectl (sigs.k8s.io/yaml) converts it.
        .target(name: "YAML", dependencies: ["CYAML", "JSON", "KubeFormats", "Locking"]),
        // Kubernetes client: kubeconfig, auth, libcurl transport, API errors, list/watch.
        .target(name: "KubeClient", dependencies: ["CCurl", "JSON", "KubeFormats", "Locking"]),
        // Planning and the rollout state machine: pure logic over values, side effects behind protocols.
        .target(name: "InplaceCore", dependencies: ["JSON", "KubeFormats", "Locking"]),
        // Argument parsing, one file per command, output rendering; wires the client to the core.
        .target(name: "InplaceCLI", dependencies: ["InplaceCore", "KubeClient", "YAML", "JSON", "KubeFormats", "Locking"]),
        .executableTarget(name: "kubectl-inplace", dependencies: ["InplaceCLI"]),

        // The simulated cluster: API server over HTTP/1.1 on loopback, controllers and a kubelet.
        .target(name: "KubeSim", dependencies: ["JSON", "YAML", "Locking"]),
        .executableTarget(name: "kube-sim", dependencies: ["KubeSim"]),
        // `make bench`: figures for plan and rollout against KubeSim.
        .executableTarget(name: "inplace-bench", dependencies: ["KubeSim", "JSON"], path: "Benchmarks/inplace-bench"),
        // `make fuzz`: libFuzzer entry points for the decoders (built with -DFUZZING); a normal
        // build replays corpus files given as arguments.
        .executableTarget(name: "inplace-fuzz", dependencies: ["YAML", "JSON", "KubeClient"], path: "Fuzz/inplace-fuzz"),

        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "KubeFormatsTests", dependencies: ["KubeFormats"]),
        .testTarget(name: "YAMLTests", dependencies: ["YAML", "JSON"]),
        .testTarget(name: "KubeClientTests", dependencies: ["KubeClient", "KubeSim", "JSON", "Locking"]),
        .testTarget(name: "InplaceCoreTests", dependencies: ["InplaceCore", "JSON", "YAML", "Locking"]),
        .testTarget(name: "InplaceCLITests", dependencies: ["InplaceCLI", "InplaceCore", "JSON"]),
        .testTarget(name: "KubeSimTests", dependencies: ["KubeSim", "JSON"]),
        .testTarget(
            name: "EndToEndTests", dependencies: ["KubeSim", "KubeClient", "JSON", "YAML"],
            resources: [.copy("Golden")]),
    ]
)
