#!/usr/bin/env bash
# `vercel build` as Vercel would build this checkout, with no Vercel account and no network, then
# scripts/check-vercel-output.ts on what it wrote. .ci/run calls this after its own build step.
#
# Usage: scripts/vercel/build-offline.sh [--work DIR]
#   --work  where the build happens and what is kept for reading: DIR/build.log (vercel build's output)
#           and DIR/output (the Build Output, .vercel/output); default a new temporary directory
#
# It builds in a copy of the tree, so the checkout's .next (which `next start` serves) is left alone and
# no .vercel/ is written into the checkout. The copy is the source without anything .gitignore lists,
# as a Git deployment sees it, plus node_modules as hard links to the checkout's (fast, no disk; a plain
# copy when the work directory is on another file system). A symlink will not do: Turbopack refuses a
# node_modules that resolves outside the project root. .vercel/project.json stands in for `vercel pull`:
# a placeholder project with the Next.js preset and an empty install command (node_modules is there
# already, so nothing is downloaded). Next.js 16 builds for Vercel through its adapter inside
# `next build`, so the app is built again here; an earlier `next build` cannot be reused.
# Exit status: 0 when the output passes the check, 1 when the check fails, 2 when vercel build fails.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work=$2; shift 2 ;;
    *) echo "unknown argument $1"; exit 2 ;;
  esac
done
[ -n "$work" ] || work=$(mktemp -d -t tumiki-vercel.XXXXXX)
mkdir -p "$work"
work=$(cd "$work" && pwd)
copy="$work/project"
rm -rf "$copy" "$work/output"
mkdir -p "$copy/.vercel"

tar -C "$root" -cf - \
  --exclude=./node_modules --exclude=./.next --exclude=./.git --exclude=./.vercel --exclude=./.data \
  --exclude=./server/generated --exclude=./test-results --exclude=./playwright-report \
  --exclude=./bench-results --exclude=./coverage --exclude=./.scratch \
  --exclude=./.env --exclude='./.env.*' --exclude='./*.tsbuildinfo' --exclude=./next-env.d.ts \
  . | tar -C "$copy" -xf - || exit 2
cp -al "$root/node_modules" "$copy/node_modules" 2>/dev/null \
  || { rm -rf "$copy/node_modules" && cp -a "$root/node_modules" "$copy/node_modules"; } || exit 2
settings='{"framework":"nextjs","installCommand":""}'
echo "{\"projectId\":\"_\",\"orgId\":\"_\",\"settings\":$settings}" >"$copy/.vercel/project.json"

started=$(date +%s)
# No --yes: without project settings vercel build would otherwise try `vercel pull`, which needs an account.
(cd "$copy" && VERCEL_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1 NO_UPDATE_NOTIFIER=1 \
  node_modules/.bin/vercel build --prod) >"$work/build.log" 2>&1
built=$?
echo "vercel build: exit $built after $(( $(date +%s) - started ))s (log: $work/build.log)"
if [ $built -ne 0 ]; then
  tail -40 "$work/build.log"
  rm -rf "$copy"
  exit 2
fi

"$root/node_modules/.bin/tsx" "$root/scripts/check-vercel-output.ts" "$copy"
checked=$?
mv "$copy/.vercel/output" "$work/output"
rm -rf "$copy"
[ $checked -eq 0 ] || exit 1
