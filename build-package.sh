#!/usr/bin/env bash
# Builds the Azure Functions deployment package, <output>/serverlesscreds.zip (default output: artifacts): host.json at
# the root, one folder per function with its function.json, and the handler ServerlessCreds.Host published
# self-contained for linux-x64 with its executable bit, as host.json's defaultExecutablePath names it. Trimmed to the
# code the handler can reach (it builds without trim warnings, which fail the build), then composite ReadyToRun
# precompiles app and framework as one unit, so generic code across the two needs no JIT at start either
# (bench/results/changes.md has the effects).
set -euo pipefail
cd "$(dirname "$0")"

out="$(realpath -m "${1:-artifacts}")"
if ! command -v zip >/dev/null; then
  echo "build-package.sh: needs Info-ZIP's zip, which keeps the executable bit (sudo apt-get install -y zip)." >&2
  exit 1
fi

rm -rf "$out/app" "$out/serverlesscreds.zip"
# A separate artifacts path keeps this Release linux-x64 build out of the projects' own bin/ and obj/ folders.
dotnet publish src/ServerlessCreds.Host --configuration Release --runtime linux-x64 --self-contained \
  -p:PublishTrimmed=true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true --artifacts-path "$out/build" --output "$out/app"

# -X leaves out extra attributes that only make the zip differ between builds; Unix permissions are kept.
(cd "$out/app" && zip -q -r -X "$out/serverlesscreds.zip" .)
echo "Built $out/serverlesscreds.zip"
