# Sourced by run.sh and profile.sh, from the repository root: Azurite's npm package, publishing an app, and the bench.
out=bench/.out

if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

publish() { # project, name, extra publish arguments...
  local project=$1 name=$2
  shift 2
  dotnet publish "$project" --configuration Release --artifacts-path "$out/build-$name" --output "$out/apps/$name" -nologo -v quiet "$@"
}

run_bench() { # bench arguments...
  dotnet build bench/ServerlessCreds.Bench --configuration Release --artifacts-path "$out/build-bench" -nologo -v quiet
  dotnet "$out/build-bench/bin/ServerlessCreds.Bench/release/ServerlessCreds.Bench.dll" --apps "$out/apps" "$@"
}
