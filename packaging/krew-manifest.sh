#!/usr/bin/env bash
# Prints the krew plugin manifest (krew-index's plugins/inplace.yaml) for one release archive.
# Usage: packaging/krew-manifest.sh VERSION OS ARCH ARCHIVE SHA256
set -euo pipefail
version=$1 os=$2 arch=$3 archive=$4 sha=$5
cat <<YAML
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: inplace
spec:
  version: $version
  homepage: https://github.com/kubectl-inplace/kubectl-inplace
  shortDescription: Update running pods' containers in place, with no traffic lost
  description: |
    Rolls new container images onto the running pods of Deployments, StatefulSets and
    DaemonSets in place: same node, same IP, same volumes, no pod recreated. Each pod leaves
    service through the InPlaceUpdateReady readiness gate while its containers restart.
    Commands: plan, rollout, set image, status, pause, resume, undo, prepare, controller.
  caveats: |
    krew does not install the completion helper. For \`kubectl inplace <TAB>\`, put
    kubectl_complete-inplace from the release archive on your PATH next to kubectl-inplace.
  platforms:
  - selector:
      matchLabels:
        os: $os
        arch: $arch
    uri: https://github.com/kubectl-inplace/kubectl-inplace/releases/download/$version/$archive
    sha256: $sha
    bin: kubectl-inplace
    files:
    - from: kubectl-inplace
      to: .
    - from: LICENSE
      to: .
YAML
