#!/usr/bin/env bash
# Runs the performance bench: publishes the handler and the empty floor app (framework-dependent JIT, and self-contained,
# trimmed, composite ReadyToRun as build-package.sh does, with each app's startup profile), then measures cold start, request
# cost, the email pipeline, scale and memory against a private Azurite and the Key Vault / ACS test servers. Writes
# bench/results/report.md and report.json.
# Extra arguments go to the bench, e.g. --runs 10 --warmup 200 --requests 100 --requests32 640 --emails 2000 --batch-sizes 1,8,32
# --scale 100,10000,100000 --phases cold,requests,scale.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

publish src/ServerlessCreds.Host handler-jit
publish src/ServerlessCreds.Host handler-r2r --runtime linux-x64 --self-contained -p:PublishTrimmed=true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true
publish bench/EmptyApp empty-jit
publish bench/EmptyApp empty-r2r --runtime linux-x64 --self-contained -p:PublishTrimmed=true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true
run_bench --out bench/results "$@"
