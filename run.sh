#!/usr/bin/env bash
# Runs the backend locally on embedded defaults: Azurite (started here unless one already listens), the
# development-only local vault and the development-only email outbox. Stop with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if port_open 10002 && port_open 10001; then
  echo "Using the Azurite already listening on 127.0.0.1:10001-10002."
else
  data="${XDG_DATA_HOME:-$HOME/.local/share}/serverlesscreds/azurite"
  mkdir -p "$data"
  node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry --location "$data" &
  azurite_pid=$!
  trap 'kill $azurite_pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 50); do port_open 10002 && port_open 10001 && break; sleep 0.2; done
  echo "Started Azurite (data in $data)."
fi

# Local callers use `dotnet user-jwts` tokens; make sure their signing key exists before the server validates its options.
if dotnet user-jwts key --project src/ServerlessCreds.Host | grep -q "was not found"; then
  dotnet user-jwts key --project src/ServerlessCreds.Host --reset --force >/dev/null
fi

# Emailed one-time links point at this server: its first URL, when several are given.
url="${SERVERLESSCREDS_URL:-http://localhost:5080}"
ASPNETCORE_ENVIRONMENT=Development PublicBaseUrl="${url%%;*}" dotnet run --project src/ServerlessCreds.Host --urls "$url"
