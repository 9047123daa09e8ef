#!/usr/bin/env bash
# Packs a release archive of kubectl-inplace, its sha256 and the krew plugin manifest generated from it.
# Usage: packaging/dist.sh BINARY OUT_DIR
#   BINARY   the kubectl-inplace executable to ship (make dist builds it with --static-swift-stdlib)
#   OUT_DIR  where kubectl-inplace_vVERSION_OS_ARCH.tar.gz, its .sha256 and plugins/inplace.yaml go
set -euo pipefail
binary=$1
out=$2
root=$(cd "$(dirname "$0")/.." && pwd)
version=v$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' "$root/Sources/InplaceCLI/Entry/Version.swift")
os=$(uname -s | tr '[:upper:]' '[:lower:]')
case $(uname -m) in
    x86_64) arch=amd64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) arch=$(uname -m) ;;
esac
name=kubectl-inplace_${version}_${os}_${arch}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/completions" "$stage/man" "$out/plugins"
install -m 755 "$binary" "$stage/kubectl-inplace"
install -m 755 "$root/completions/kubectl_complete-inplace" "$stage/kubectl_complete-inplace"
install -m 644 "$root"/completions/kubectl-inplace.{bash,zsh,fish} "$stage/completions/"
install -m 644 "$root/man/kubectl-inplace.1" "$stage/man/"
install -m 644 "$root/LICENSE" "$root/README.md" "$stage/"

# Reproducible: sorted names, fixed owner and time, gzip without a timestamp.
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$stage" -cf - . | gzip -9n > "$out/$name.tar.gz"
sha=$(sha256sum "$out/$name.tar.gz" | cut -d' ' -f1)
echo "$sha  $name.tar.gz" > "$out/$name.tar.gz.sha256"
"$root/packaging/krew-manifest.sh" "$version" "$os" "$arch" "$name.tar.gz" "$sha" > "$out/plugins/inplace.yaml"
echo "$out/$name.tar.gz"
