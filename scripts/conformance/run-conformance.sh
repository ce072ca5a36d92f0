#!/usr/bin/env bash
# The MCP conformance suite through Tumiki, for both protocol revisions (2025-11-25 and 2026-07-28): a
# gateway must lose no scenario that its backend passes. For each revision it seeds a fresh user with an
# instance bundling only the conformance reference server and an API key for it
# (seed-conformance-instance.ts), then runs the shared runner (../shared/conformance/run.sh beside the
# project, see its README), which starts the reference server and a forwarder adding the key, runs the
# suite directly and through the instance, stops both and prints `conformance <rev>: … lost <n>`.
# .ci/run calls this after the Playwright step; it also works against any running app.
#
# Usage: scripts/conformance/run-conformance.sh --app-url URL [--work DIR] [--requirements REV]... [--runner PATH]
#   --app-url       base URL of the running app, e.g. http://localhost:3300
#   --work          where each revision's logs go (DIR/<rev>/, DIR/<rev>.log, DIR/<rev>.seed.log) and
#                   DIR/summary.txt, the final lines; default a new temporary directory, kept for reading
#   --requirements  only this revision (repeatable); default both
#   --runner        the shared runner; default $CONFORMANCE_RUNNER, else shared/conformance/run.sh beside
#                   the project, else beside the repository it was cloned from (a clone made elsewhere
#                   for a clean run still finds the harness of the checkout it came from)
# The app must run with OUTBOUND_ALLOWED_PRIVATE_HOSTS containing localhost:3390 and
# MCP_ALLOWED_ORIGINS=http://127.0.0.1:3391 (the runner's REF_PORT and FWD_PORT; set those variables to
# use other ports, and allow those instead). This process needs the app's DATABASE_URL, ENCRYPTION_KEY
# and AUTH_SECRET (in the environment or .env): the seed writes rows as the app would. The embedded
# database is refused: PGlite serves one process at a time, and the app is running (seed it with the app
# stopped, then pass run.sh the printed URL and key).
# Prints the runner's differences and, last, one `conformance …` line per revision (also in
# DIR/summary.txt), a failed or unrunnable revision saying so on its line.
# Exit status: 0 when no revision lost anything, 1 when one lost a scenario, 2 when one could not run,
# 3 when no runner was found (the harness is not on this machine: nothing was run, nothing was judged).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
app_url="" work="" runner="" revisions=()
while [ $# -gt 0 ]; do
  case "$1" in
    --app-url) app_url=${2%/}; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --requirements) revisions+=("$2"); shift 2 ;;
    --runner) runner=$2; shift 2 ;;
    *) echo "unknown argument $1"; exit 2 ;;
  esac
done
[ -n "$app_url" ] || { echo "--app-url is required (the running app's base URL)"; exit 2; }
[ ${#revisions[@]} -gt 0 ] || revisions=(2025-11-25 2026-07-28)
work=${work:-$(mktemp -d -t tumiki-conformance.XXXXXX)}
mkdir -p "$work" || exit 2
: >"$work/summary.txt"
REF_PORT=${REF_PORT:-3390}
FWD_PORT=${FWD_PORT:-3391}
export REF_PORT FWD_PORT

summarize() { echo "$1" >>"$work/summary.txt"; }
# Every revision still gets its line, so a summary never silently shows fewer than were asked for.
cannot_run_any() {
  echo "$1"
  for rev in "${revisions[@]}"; do summarize "conformance $rev: could not run ($2)"; done
  echo
  cat "$work/summary.txt"
  exit 2
}

# The runner is test equipment kept outside the project, in shared/ beside the checkout.
find_runner() {
  local origin
  [ -n "${CONFORMANCE_RUNNER:-}" ] && { echo "$CONFORMANCE_RUNNER"; return; }
  [ -f "$root/../shared/conformance/run.sh" ] && { echo "$root/../shared/conformance/run.sh"; return; }
  origin=$(git -C "$root" remote get-url origin 2>/dev/null)
  if [ -n "$origin" ] && [ -d "$origin" ] && [ -f "$origin/../shared/conformance/run.sh" ]; then
    echo "$(cd "$origin/.." && pwd)/shared/conformance/run.sh"
  fi
}
if [ -z "$runner" ]; then
  runner=$(find_runner)
  if [ -z "$runner" ]; then
    echo "the MCP conformance runner was not found: set CONFORMANCE_RUNNER or pass --runner (it is expected"
    echo "in shared/conformance/ beside the project checkout, or beside the repository this one was cloned from)"
    for rev in "${revisions[@]}"; do summarize "conformance $rev: not run (no runner found)"; done
    exit 3
  fi
fi
[ -f "$runner" ] || cannot_run_any "the MCP conformance runner is missing: $runner" "no runner at $runner"
if [ -z "${DATABASE_URL:-}" ] && ! grep -qs '^DATABASE_URL=.' "$root/.env"; then
  cannot_run_any "DATABASE_URL is not set: the seed would open the embedded database, which the running app \
holds (PGlite serves one process at a time)" "no DATABASE_URL"
fi
curl -fs -o /dev/null --max-time 10 "$app_url/api/health" \
  || cannot_run_any "the app does not answer at $app_url/api/health" "no app at $app_url"

# Any listener, IPv4 or IPv6: the reference server is reached as localhost, which may be either.
is_listening() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ] || (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

runner_pid=""
stop_runner() {
  # The runner stops its reference server and forwarder on TERM (its EXIT trap).
  if [ -n "$runner_pid" ] && kill -0 "$runner_pid" 2>/dev/null; then
    kill -TERM "$runner_pid" 2>/dev/null
    wait "$runner_pid" 2>/dev/null
  fi
}
trap stop_runner EXIT
trap 'echo "interrupted"; exit 2' INT TERM

worst=0
note_status() { [ "$1" -gt "$worst" ] && worst=$1; }

for rev in "${revisions[@]}"; do
  out="$work/$rev"
  echo "--- conformance $rev (logs: $out)"
  started=$(date +%s)
  busy=""
  for port in "$REF_PORT" "$FWD_PORT"; do is_listening "$port" && busy="$busy $port"; done
  if [ -n "$busy" ]; then
    echo "port(s)$busy already in use: another conformance run, or a leftover reference server or forwarder"
    ss -Hltnp "( sport = :$REF_PORT or sport = :$FWD_PORT )" 2>/dev/null
    summarize "conformance $rev: could not run (port$busy in use)"
    note_status 2
    continue
  fi

  (cd "$root" && node_modules/.bin/tsx scripts/conformance/seed-conformance-instance.ts \
    --app-url "$app_url" --backend-url "http://localhost:$REF_PORT/mcp") >"$work/$rev.seed.json" 2>"$work/$rev.seed.log"
  seed_rc=$?
  seeded=$(node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n");
    const seed = JSON.parse(lines.at(-1));
    if (!seed.mcpUrl || !seed.apiKey) process.exit(1);
    console.log(`${seed.mcpUrl} ${seed.apiKey}`);' "$work/$rev.seed.json" 2>/dev/null)
  if [ $seed_rc -ne 0 ] || [ -z "$seeded" ]; then
    cat "$work/$rev.seed.log"
    summarize "conformance $rev: could not run (seeding the instance failed, exit $seed_rc)"
    note_status 2
    continue
  fi
  read -r mcp_url api_key <<<"$seeded"
  echo "instance $mcp_url"

  bash "$runner" --requirements "$rev" --gateway "$mcp_url" --token "$api_key" --out "$out" >"$work/$rev.log" 2>&1 &
  runner_pid=$!
  wait "$runner_pid"
  rc=$?
  runner_pid=""
  took=$(( $(date +%s) - started ))
  grep -v '^conformance ' "$work/$rev.log"
  line=$(grep '^conformance ' "$work/$rev.log" | tail -1)

  # The runner counts as lost only scenarios that ran on both sides; a gateway run cut short (its
  # 900 s timeout, a crash) would leave scenarios out and look clean. Count those too.
  missing=0
  if [ -s "$out/direct.scenarios" ] && [ -f "$out/gateway.scenarios" ]; then
    missing=$(join -a1 "$out/direct.scenarios" "$out/gateway.scenarios" | awk 'NF==2 && $2=="✓"' | wc -l)
  fi

  # Whatever happened, the runner must have stopped its reference server and forwarder.
  for _ in $(seq 1 10); do is_listening "$REF_PORT" || is_listening "$FWD_PORT" || break; sleep 1; done
  leftover=""
  for port in "$REF_PORT" "$FWD_PORT"; do is_listening "$port" && leftover="$leftover $port"; done

  if [ -z "$line" ]; then
    tail -20 "$work/$rev.log"
    summarize "conformance $rev: could not run (runner exit $rc, no summary line) in ${took}s  logs: $out"
    note_status 2
  else
    if [ $rc -eq 1 ]; then note_status 1; elif [ $rc -ne 0 ]; then note_status 2; fi
    if [ "$missing" -gt 0 ]; then
      echo "conformance $rev: $missing scenario(s) passed directly but never ran through the gateway"
      line="$line  missing $missing"
      note_status 1
    fi
    summarize "$line  took ${took}s"
  fi
  if [ $rc -ne 0 ] || [ "$missing" -gt 0 ]; then
    if [ -f "$out/gateway.scenarios" ]; then
      echo "--- failed checks of each scenario lost through the gateway"
      node "$root/scripts/conformance/explain-lost-scenarios.mjs" "$out"
    fi
    echo "--- tail of the suite's log through the gateway ($out/gateway.log)"
    tail -15 "$out/gateway.log" 2>/dev/null || echo "(none)"
    if [ -s "$out/forwarder.log" ]; then
      echo "--- the forwarder's log ($out/forwarder.log)"
      tail -15 "$out/forwarder.log"
    fi
  fi
  if [ -n "$leftover" ]; then
    echo "still listening after the runner finished on port(s)$leftover:"
    ss -Hltnp "( sport = :$REF_PORT or sport = :$FWD_PORT )" 2>/dev/null
    note_status 2
  fi
done

echo
cat "$work/summary.txt"
exit $worst
