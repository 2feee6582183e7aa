#!/usr/bin/env bash
# Runs the performance bench: publishes the handler and the empty floor app (framework-dependent JIT, and self-contained
# composite ReadyToRun as build-package.sh does), then measures cold start, request cost, the email pipeline, scale and memory against
# a private Azurite and the Key Vault / ACS test servers. Writes bench/results/report.md and report.json.
# Extra arguments go to the bench, e.g. --runs 10 --warmup 200 --requests 100 --requests32 640 --emails 2000 --batch-sizes 1,8,32
# --scale 100,10000,100000 --phases cold,requests,scale.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

out=bench/.out
publish() { # project, name, extra publish arguments...
  local project=$1 name=$2
  shift 2
  dotnet publish "$project" --configuration Release --artifacts-path "$out/build-$name" --output "$out/apps/$name" -nologo -v quiet "$@"
}
publish src/ServerlessCreds.Host handler-jit
publish src/ServerlessCreds.Host handler-r2r --runtime linux-x64 --self-contained -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true
publish bench/EmptyApp empty-jit
publish bench/EmptyApp empty-r2r --runtime linux-x64 --self-contained -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true

dotnet build bench/ServerlessCreds.Bench --configuration Release --artifacts-path "$out/build-bench" -nologo -v quiet
dotnet "$out/build-bench/bin/ServerlessCreds.Bench/release/ServerlessCreds.Bench.dll" --apps "$out/apps" --out bench/results "$@"
