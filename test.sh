#!/usr/bin/env bash
# Runs every test: unit, adapter (against Azurite and the Key Vault / ACS test servers) and API tests.
set -euo pipefail
cd "$(dirname "$0")"

# Azurite comes from npm, pinned by package-lock.json; the tests start it themselves on free ports.
if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

# The browser tests drive Debian's Chromium through Playwright; Playwright's own browser download is never used.
# The package test runs build-package.sh, which zips with Info-ZIP's zip.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v zip >/dev/null || missing+=(zip)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: the tests need Debian's ${missing[*]}; install (sudo apt-get install -y ${missing[*]}) or run as root." >&2
    exit 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

dotnet test ServerlessCreds.sln --configuration Release "$@"
