#!/usr/bin/env bash
# Builds what an operator installs without the source tree, into .artifacts/release/:
#   granary-silo, granary-agent, granary   self-contained single-file linux-x64 executables (no .NET needed on the host)
#   install.sh, uninstall.sh, systemd/     the installer, the units and the env file examples (deploy/)
#   nuget/                                 the SDK packages (Granary.Client, Granary.Grains.Interfaces; scripts/pack-sdk.sh)
#   granary-linux-x64.tar.gz, SHA256SUMS   all of the above in one archive, and checksums
# Usage: scripts/release.sh [--version X.Y.Z] [--framework-dependent]
#   --framework-dependent   single files that need the .NET 10 runtime on the host (smaller; for hosts that have it)
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.1.0
self_contained=true
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version="${2:?--version needs a value, e.g. --version 0.2.0}"; shift 2 ;;
    --framework-dependent) self_contained=false; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

out=.artifacts/release
rm -rf "$out" .artifacts/obj/release
mkdir -p "$out"
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)

publish() { # project, binary name
  local project=$1 name=$2 staging=.artifacts/obj/release/$2
  echo "==> $name (from $project)"
  # IncludeNativeLibrariesForSelfExtract: the few native libraries that are not linked into the host go inside the
  # single file too, so each artifact is one file.
  # Its own obj and bin (--artifacts-path): a restore for linux-x64 must not race a plain build of the same projects.
  dotnet publish "$project" --artifacts-path .artifacts/obj/release-build -c Release -r linux-x64 --self-contained "$self_contained" -nologo -v q \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=None \
    -p:Version="$version" -p:SourceRevisionId="$revision" -o "$staging"
  local built
  built=$(find "$staging" -maxdepth 1 -type f -perm -u+x ! -name '*.so' ! -name '*.dbg' | head -n 1)
  [ -n "$built" ] || { echo "error: dotnet publish $project left no executable in $staging" >&2; exit 1; }
  # Anything else beside it would have to be shipped too; a single file must stand alone.
  local others
  others=$(find "$staging" -maxdepth 1 -type f ! -path "$built" ! -name '*.pdb' ! -name '*.xml' ! -name '*.json' -printf '%f ')
  [ -z "$others" ] || { echo "error: $name is not a single file: beside it are $others" >&2; exit 1; }
  cp "$built" "$out/$name"
  chmod 0755 "$out/$name"
}

publish Silo/Silo.csproj granary-silo
publish NodeAgent/NodeAgent.csproj granary-agent
publish Client/Granary.Cli/Granary.Cli.csproj granary

echo "==> installer, units, env examples"
cp deploy/install.sh deploy/uninstall.sh "$out/"
chmod 0755 "$out/install.sh" "$out/uninstall.sh"
mkdir -p "$out/systemd"
cp deploy/systemd/granary-silo.service deploy/systemd/granary-agent.service \
   deploy/systemd/silo.env.example deploy/systemd/agent.env.example "$out/systemd/"

echo "==> SDK packages"
scripts/pack-sdk.sh --version "$version" --output "$out/nuget"

(cd "$out" && tar -czf granary-linux-x64.tar.gz granary-silo granary-agent granary install.sh uninstall.sh systemd nuget \
  && sha256sum granary-silo granary-agent granary granary-linux-x64.tar.gz nuget/*.nupkg > SHA256SUMS)
rm -rf .artifacts/obj/release
echo "==> $out (version $version, $( [ "$self_contained" = true ] && echo self-contained || echo framework-dependent ))"
ls -l "$out"
