#!/usr/bin/env bash
# The SDK as a user gets it: packs Granary.Client and Granary.Grains.Interfaces with a version of their own, builds
# samples/ListNodesAndWatchPods from those packages (samples/nuget.config: the local feed), starts a dev silo on free
# loopback ports, registers a node and creates two pods with kubectl, and checks that the sample lists the node and
# sees both pods through its watch. Exits non-zero, saying which step failed, otherwise.
# Usage: scripts/sdk-sample.sh   (needs dotnet and kubectl; builds the silo if it is not built)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

work=$(mktemp -d /tmp/granary-sdk-sample.XXXXXX)
silo_pid=""
sample_pid=""
cleanup() {
  [ -n "$sample_pid" ] && kill "$sample_pid" 2>/dev/null || true
  if [ -n "$silo_pid" ]; then kill "$silo_pid" 2>/dev/null || true; wait "$silo_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "sdk-sample: FAILED: $*" >&2; for f in "$work"/*.log; do echo "--- $f" >&2; tail -n 40 "$f" >&2; done; exit 1; }
# wait_for FILE PATTERN SECONDS WHAT: a deadline on a line appearing, never a fixed sleep.
wait_for() {
  local deadline=$((SECONDS + $3))
  until grep -q -- "$2" "$1" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || fail "$4: no \"$2\" in $1 within $3 s"
    sleep 0.2
  done
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# A version no earlier run used, so NuGet's global cache cannot hand back an older build of the same number.
version="0.1.0-local.$(date +%s)"
echo "==> packing the SDK $version"
scripts/pack-sdk.sh --version "$version" --output .artifacts/nuget > "$work/pack.log" 2>&1 || fail "dotnet pack"
unzip -l ".artifacts/nuget/Granary.Client.$version.nupkg" > "$work/contents.log"
for entry in README.md lib/net10.0/Granary.Client.dll lib/net10.0/Granary.Client.xml; do
  grep -q " $entry\$" "$work/contents.log" || fail "Granary.Client.$version.nupkg has no $entry"
done
unzip -p ".artifacts/nuget/Granary.Client.$version.nupkg" Granary.Client.nuspec | grep -q "id=\"Granary.Grains.Interfaces\" version=\"$version\"" \
  || fail "Granary.Client.$version.nupkg does not depend on Granary.Grains.Interfaces $version"

echo "==> building samples/ListNodesAndWatchPods against the package"
dotnet build samples/ListNodesAndWatchPods -nologo -v q -p:GranarySdkVersion="$version" -o "$work/sample" > "$work/sample-build.log" 2>&1 \
  || fail "building the sample"
grep -q "Granary.Client/$version" samples/ListNodesAndWatchPods/obj/project.assets.json || fail "the sample did not restore Granary.Client $version"
[ ! -e samples/ListNodesAndWatchPods/obj/project.assets.json ] || ! grep -q '"type": "project"' samples/ListNodesAndWatchPods/obj/project.assets.json \
  || fail "the sample references a project, not the package"

echo "==> starting a dev silo"
[ -f Silo/bin/Debug/net10.0/Granary.Silo.dll ] || dotnet build Silo/Silo.csproj -nologo -v q > "$work/silo-build.log" 2>&1 || fail "building the silo"
silo_port=$(free_port); gateway_port=$(free_port); api_port=$(free_port)
dotnet Silo/bin/Debug/net10.0/Granary.Silo.dll --embedded-agent false --silo-port "$silo_port" --gateway-port "$gateway_port" \
  --api-port "$api_port" --kubeconfig "$work/kubeconfig" --cluster-id sdk-sample --node-monitor-grace-period 1h > "$work/silo.log" 2>&1 &
silo_pid=$!
wait_for "$work/silo.log" "Silo ready" 120 "starting the dev silo"
wait_for "$work/silo.log" "Now listening on" 60 "starting the dev silo's API"
k() { kubectl --kubeconfig "$work/kubeconfig" "$@"; }
k apply -f - > /dev/null <<YAML || fail "kubectl apply of node sample-node"
apiVersion: v1
kind: Node
metadata: {name: sample-node}
YAML
pod() { printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: default}\nspec:\n  nodeName: sample-node\n  containers: [{name: c, image: busybox}]\n' "$1"; }
pod sample-pod-1 | k apply -f - > /dev/null || fail "kubectl apply of pod sample-pod-1"

echo "==> running the sample (from the package) against the silo's gateway"
GRANARY_GATEWAY=127.0.0.1:$gateway_port GRANARY_CLUSTER_ID=sdk-sample dotnet "$work/sample/ListNodesAndWatchPods.dll" --max-events 2 \
  > "$work/sample.log" 2>&1 &
sample_pid=$!
wait_for "$work/sample.log" "ADDED pod default/sample-pod-1" 60 "the sample's watch listing the first pod"
pod sample-pod-2 | k apply -f - > /dev/null || fail "kubectl apply of pod sample-pod-2"
wait_for "$work/sample.log" "ADDED pod default/sample-pod-2" 60 "the sample's watch seeing the second pod"
wait "$sample_pid" || fail "the sample exited with $?"
sample_pid=""
grep -q "^NODE sample-node " "$work/sample.log" || fail "the sample did not list node sample-node"
cat "$work/sample.log"
echo "sdk-sample: OK (Granary.Client $version from .artifacts/nuget)"
