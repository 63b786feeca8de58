#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs the real parts the tests use
# (redis-server, docker.io, busybox-static) when missing, builds, and runs every test project. The tests start their
# own private instances on free loopback ports; nothing here starts a system service.
set -euo pipefail
cd "$(dirname "$0")/.."

need_packages=()
command -v redis-server >/dev/null 2>&1 || need_packages+=(redis-server)
# The runtime tests start a private dockerd (never the system one) and import a busybox image built from busybox-static.
[ -x /usr/sbin/dockerd ] || need_packages+=(docker.io)
[ -x /bin/busybox ] || need_packages+=(busybox-static)
# The pull-secret tests push to a private registry on 127.0.0.1 with htpasswd authentication.
[ -x /usr/bin/docker-registry ] || need_packages+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need_packages+=(apache2-utils)
[ -x /usr/sbin/nft ] || need_packages+=(nftables)

if [ ${#need_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" != "0" ]; then
    echo "error: missing ${need_packages[*]}; run as root so they can be installed with apt-get, or install them yourself" >&2
    exit 1
  fi
  # policy-rc.d (exit 101) stops package scripts from starting system services (a default redis or dockerd).
  if [ ! -x /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
  fi
  echo "==> installing ${need_packages[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
fi

for tool in redis-server dockerd busybox docker-registry htpasswd nft; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: $tool is still missing after install" >&2; exit 1; }
done

echo "==> building"
dotnet build Orleans.sln -c Release -nologo -clp:ErrorsOnly

echo "==> testing"
results=.artifacts/test-results
rm -rf "$results"
status=0
dotnet test Orleans.sln -c Release --no-build -nologo --results-directory "$results" \
  --logger "console;verbosity=normal" --logger trx "$@" || status=$?

# One closing line over all test projects, from the TRX files.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); failed_n=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  total=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); executed=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + p)); failed=$((failed + failed_n)); skipped=$((skipped + total - executed))
done
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ]; then
  echo "error: no test ran" >&2
  exit 1
fi
exit $status
