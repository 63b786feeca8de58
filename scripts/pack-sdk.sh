#!/usr/bin/env bash
# Packs the .NET SDK as NuGet packages: Granary.Client and the contracts it depends on (Granary.Grains.Interfaces),
# each with its README and XML docs, into a folder that serves as a local feed (default .artifacts/nuget).
# Usage: scripts/pack-sdk.sh [--version X.Y.Z] [--output DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.1.0
output=.artifacts/nuget
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version="${2:?--version needs a value, e.g. --version 0.2.0}"; shift 2 ;;
    --output) output="${2:?--output needs a folder}"; shift 2 ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

mkdir -p "$output"
for project in Grains.Interfaces/Grains.Interfaces.csproj Client/Granary.Client/Granary.Client.csproj; do
  echo "==> dotnet pack $project ($version)"
  dotnet pack "$project" -c Release -nologo -v q -p:Version="$version" -o "$output"
done
ls -l "$output"/*.nupkg
