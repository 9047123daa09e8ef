import Foundation
import KubeSim

/// kube-sim: a simulated Kubernetes API server for demos and tests.
let usage = """
    usage: kube-sim [--scenario FILE | --demo | --bulk N] [--port N] [--kubeconfig OUT] [--page-size N] [--token T]
                    [--ready-file PATH] [--no-cluster]

    Starts a simulated Kubernetes cluster on 127.0.0.1 (an API server with a scheduler, kubelets and
    controllers), seeds it, writes a kubeconfig and serves until SIGINT or SIGTERM.

      --scenario FILE   seed from a scenario file (JSON or YAML)
      --demo            seed the sample app (Deployment web, StatefulSet db, DaemonSet agent)
      --bulk N          seed one Deployment "bulk" of N pods (benchmarks)
      --port N          listen on port N (default: a free port)
      --kubeconfig OUT  where to write the kubeconfig (default: ./kube-sim.kubeconfig)
      --page-size N     the most items one list page may hold
      --token T         require this bearer token
      --ready-file PATH create this file once the server is serving
      --no-cluster      serve the API only (no kubelet, scheduler or controllers)
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("kube-sim: \(message)\n".utf8))
    exit(2)
}

var args = Array(CommandLine.arguments.dropFirst())
var scenarioPath: String?
var demo = false
var port: UInt16 = 0
var kubeconfigPath = "kube-sim.kubeconfig"
var pageSize: Int?
var token: String?
var bulk: Int?
var readyFile: String?
var noCluster = false
while !args.isEmpty {
    let a = args.removeFirst()
    func value() -> String {
        guard !args.isEmpty else { fail("\(a) needs a value") }
        return args.removeFirst()
    }
    switch a {
    case "--scenario": scenarioPath = value()
    case "--demo": demo = true
    case "--port":
        guard let p = UInt16(value()) else { fail("--port needs a number from 0 to 65535") }
        port = p
    case "--kubeconfig": kubeconfigPath = value()
    case "--page-size":
        guard let n = Int(value()), n > 0 else { fail("--page-size needs a positive number") }
        pageSize = n
    case "--token": token = value()
    case "--bulk":
        guard let n = Int(value()), n > 0 else { fail("--bulk needs a positive number") }
        bulk = n
    case "--ready-file": readyFile = value()
    case "--no-cluster": noCluster = true
    case "-h", "--help":
        print(usage)
        exit(0)
    default: fail("unknown argument \(a)\n\(usage)")
    }
}
if [demo, scenarioPath != nil, bulk != nil].filter({ $0 }).count > 1 { fail("use only one of --scenario, --demo and --bulk") }

var scenario: Scenario
do {
    if let scenarioPath {
        scenario = try Scenario.load(path: scenarioPath)
    } else if demo {
        scenario = Scenario.demo
    } else if let bulk {
        scenario = Scenario.bulk(replicas: bulk)
    } else {
        scenario = Scenario()
    }
} catch {
    fail(error.description.replacingOccurrences(of: "kube-sim: ", with: ""))
}
scenario.server.port = port
if let pageSize { scenario.server.pageSizeCap = pageSize }
if let token { scenario.server.bearerToken = token }
if noCluster { scenario.cluster.enabled = false }

signal(SIGPIPE, SIG_IGN)
signal(SIGINT, SIG_IGN)
signal(SIGTERM, SIG_IGN)
let server: KubeSimServer
do {
    server = try KubeSimServer(scenario: scenario)
    try server.writeKubeconfig(to: kubeconfigPath)
} catch {
    fail(error.description.replacingOccurrences(of: "kube-sim: ", with: ""))
}
FileHandle.standardOutput.write(Data("kube-sim: serving on \(server.url), kubeconfig \(kubeconfigPath)\n".utf8))
if let readyFile {
    guard FileManager.default.createFile(atPath: readyFile, contents: Data("\(server.url)\n".utf8)) else {
        server.stop()
        fail("cannot write \(readyFile)")
    }
}

let done = DispatchSemaphore(value: 0)
let sources = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
    let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
    s.setEventHandler { done.signal() }
    s.resume()
    return s
}
done.wait()
for t in scenario.cluster.traffic where server.cluster.isRunning {
    let c = server.cluster.traffic(service: t.service, namespace: t.namespace)
    print("kube-sim: traffic to service \(t.namespace)/\(t.service): \(c.sent) sent, \(c.served) served, \(c.dropped) dropped, \(c.unroutable) without a ready endpoint")
}
server.stop()
print("kube-sim: stopped")
_ = sources
