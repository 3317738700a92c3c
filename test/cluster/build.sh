#!/usr/bin/env bash
# Builds the local control plane used by integration tests, the demo and benchmarks, from the Go
# module proxy only: kube-apiserver, kube-controller-manager, kube-scheduler and kubectl from
# k8s.io/kubernetes (its staging modules mapped to their published v0.X.Y versions), etcd at the
# version that Kubernetes release expects, and kwok (fake nodes). Binaries land in
#   $OVFLEET_CACHE/k8s-<k8s version>/bin   (OVFLEET_CACHE defaults to ~/.cache/ovfleet)
# with a .done stamp naming every pinned version; a second run with the stamp present does nothing.
set -euo pipefail

K8S_VERSION=v1.37.2
# build/dependencies.yaml and kubeadm's DefaultEtcdVersion of v1.37.2 both name etcd 3.7.0.
ETCD_VERSION=v3.7.0
KWOK_VERSION=v0.8.0

CACHE=${OVFLEET_CACHE:-$HOME/.cache/ovfleet}
DEST=$CACHE/k8s-$K8S_VERSION
BIN=$DEST/bin
STAMP=$DEST/.done
WANT="kubernetes=$K8S_VERSION etcd=$ETCD_VERSION kwok=$KWOK_VERSION"


command -v go >/dev/null || { echo "build.sh: go is not on PATH" >&2; exit 1; }
command -v openssl >/dev/null || { echo "build.sh: openssl is not on PATH (the harness needs it)" >&2; exit 1; }

# kwok's own default behaviour (as kwokctl configures it): nodes initialise Ready and heartbeat through
# leases; pods become Ready, complete, and go away on delete. The Stage files ship in the kwok module.
write_kwok_stages() {
  local kwok_dir
  kwok_dir=$(cd "$DEST/src/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
  local out=$BIN/kwok-stages.yaml
  : >"$out.tmp"
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    { echo '---'; cat "$kwok_dir/kustomize/stage/$f"; } >>"$out.tmp"
  done
  mv "$out.tmp" "$out"
}

export GOMODCACHE=${GOMODCACHE_OVFLEET:-$CACHE/gomod}
export GOCACHE=${GOCACHE_OVFLEET:-$CACHE/go-build}
export GOFLAGS="-mod=mod -buildvcs=false"
export GOTOOLCHAIN=local
export CGO_ENABLED=0
export GOPROXY=${GOPROXY:-https://proxy.golang.org,direct}
JOBS=${OVFLEET_BUILD_JOBS:-2}

if [[ -f $STAMP && "$(cat "$STAMP")" == "$WANT" ]]; then
  [[ -f $BIN/kwok-stages.yaml ]] || write_kwok_stages
  echo ">> control-plane binaries present in $BIN ($WANT)"
  exit 0
fi


start=$(date +%s)
rm -rf "$DEST"
mkdir -p "$BIN" "$DEST/src"
echo ">> building control plane ($WANT) into $BIN with $(go version | cut -d' ' -f3), -p $JOBS"

# ---------------------------------------------------------------- Kubernetes components
K8S_SRC=$DEST/src/kubernetes
mkdir -p "$K8S_SRC"
cd "$K8S_SRC"
cat >go.mod <<EOF
module ovfleet.local/controlplane

go 1.26.0

require k8s.io/kubernetes $K8S_VERSION
EOF
echo 'package tools' >tools.go

# k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with ./staging paths
# that do not exist outside its repository; map each one to the published release of the same tag.
k8s_mod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
[[ -f $k8s_mod ]] || { echo "build.sh: no go.mod for k8s.io/kubernetes@$K8S_VERSION" >&2; exit 1; }
staging_version=v0.${K8S_VERSION#v1.}
mapfile -t staging < <(sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/.*#\1#p' "$k8s_mod")
[[ ${#staging[@]} -gt 10 ]] || { echo "build.sh: found only ${#staging[@]} staging modules in $k8s_mod" >&2; exit 1; }
{
  echo
  echo "replace ("
  for m in "${staging[@]}"; do echo "	$m => $m $staging_version"; done
  echo ")"
} >>go.mod
echo ">> mapped ${#staging[@]} staging modules to $staging_version"

minor=${K8S_VERSION#v1.}
minor=${minor%%.*}
pkg_version=k8s.io/component-base/version
cli_version=k8s.io/client-go/pkg/version
build_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
ldflags="-s -w"
for p in $pkg_version $cli_version; do
  ldflags+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
  ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=$build_date"
done

go get "k8s.io/kubernetes@$K8S_VERSION"
go build -p "$JOBS" -trimpath -ldflags "$ldflags" -o "$BIN/" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kubectl
echo ">> kubernetes components built after $(($(date +%s) - start))s"

# ---------------------------------------------------------------- etcd
# The etcd binary's main package is go.etcd.io/etcd/server/v3 itself; its go.mod replaces sibling
# modules with ../ paths, so it is built from a small module that requires it instead of `go install`.
ETCD_SRC=$DEST/src/etcd
mkdir -p "$ETCD_SRC"
cd "$ETCD_SRC"
cat >go.mod <<EOF
module ovfleet.local/etcd

go 1.26.0
EOF
echo 'package tools' >tools.go
go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" \
  "go.etcd.io/etcd/api/v3@$ETCD_VERSION" "go.etcd.io/etcd/client/pkg/v3@$ETCD_VERSION" \
  "go.etcd.io/etcd/client/v3@$ETCD_VERSION" "go.etcd.io/etcd/pkg/v3@$ETCD_VERSION"
go build -p "$JOBS" -trimpath -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3
echo ">> etcd built after $(($(date +%s) - start))s"

# ---------------------------------------------------------------- kwok
KWOK_SRC=$DEST/src/kwok
mkdir -p "$KWOK_SRC"
cd "$KWOK_SRC"
cat >go.mod <<EOF
module ovfleet.local/kwok

go 1.26.0
EOF
echo 'package tools' >tools.go
go get "sigs.k8s.io/kwok@$KWOK_VERSION"
go build -p "$JOBS" -trimpath \
  -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" \
  -o "$BIN/kwok" sigs.k8s.io/kwok/cmd/kwok
write_kwok_stages
echo ">> kwok built after $(($(date +%s) - start))s"

"$BIN/kube-apiserver" --version
"$BIN/kubectl" version --client
"$BIN/etcd" --version | head -1
"$BIN/kwok" --version 2>/dev/null | head -1 || true

elapsed=$(($(date +%s) - start))
echo "$elapsed" >"$DEST/build-seconds"
echo "$WANT" >"$STAMP"
echo ">> control plane built in ${elapsed}s: $BIN"
