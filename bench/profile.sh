#!/usr/bin/env bash
# Regenerates the startup profiles that composite ReadyToRun publishing reads: src/ServerlessCreds.Host/StartupProfile.mibc
# and bench/EmptyApp/StartupProfile.mibc. Publishes both apps framework-dependent, so that every method they run is
# JIT-compiled and seen, and starts each once under bench/StartupProfile's startup hook against the bench's private
# Azurite and test servers, making the cold-start requests (authenticated list, then health). Run it after changing what
# the handler does while it starts, and commit both files; ~2 min.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

publish src/ServerlessCreds.Host handler-jit
publish bench/EmptyApp empty-jit
dotnet build bench/StartupProfile --configuration Release --artifacts-path "$out/build-profile" -nologo -v quiet
run_bench --phases profile --profile-hook "$out/build-profile/bin/StartupProfile/release/StartupProfile.dll" --out "$out/profile-report"
