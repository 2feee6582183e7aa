#!/usr/bin/env bash
# Runs every test: unit, adapter (against Azurite and the Key Vault / ACS test servers) and API tests.
set -euo pipefail
cd "$(dirname "$0")"

# Azurite comes from npm, pinned by package-lock.json; the tests start it themselves on free ports.
if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

dotnet test ServerlessCreds.sln --configuration Release "$@"
