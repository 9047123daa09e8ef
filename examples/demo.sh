#!/usr/bin/env bash
# The README's demo: start the simulated cluster with a sample app, show the plan, roll it out.
# Usage: examples/demo.sh [BIN_DIR]   (default .build/release)
set -euo pipefail
bin=${1:-.build/release}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill "$sim" 2>/dev/null || true; wait "$sim" 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin/kube-sim" --demo --kubeconfig "$work/kubeconfig" --ready-file "$work/ready" >"$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 100); do [ -f "$work/ready" ] && break; sleep 0.1; done
[ -f "$work/ready" ] || { cat "$work/sim.log"; echo "kube-sim did not start" >&2; exit 1; }
export KUBECONFIG="$work/kubeconfig"

echo "\$ kubectl inplace plan -f examples/web.yaml"
"$bin/kubectl-inplace" plan -f "$here/web.yaml"
echo
echo "\$ kubectl inplace rollout -f examples/web.yaml --max-unavailable 2 --grace-period 1s"
"$bin/kubectl-inplace" rollout -f "$here/web.yaml" --max-unavailable 2 --grace-period 1s
echo
echo "\$ kubectl inplace plan -f examples/web.yaml   # again: nothing left to do"
"$bin/kubectl-inplace" plan -f "$here/web.yaml"
echo
kill -INT "$sim" && wait "$sim" 2>/dev/null || true
grep "traffic" "$work/sim.log" || true   # requests sent to Service web during the demo, and how many were dropped
