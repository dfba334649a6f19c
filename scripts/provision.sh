#!/usr/bin/env bash
# Provisions everything the engine's dev stack and tests need, from the package registries only,
# cached OUTSIDE the clone and reused:
#   - nats-server (Debian package `nats-server`), a Java runtime and Maven (Debian packages);
#   - the Temporal CLI v1.5.1 (embeds the real server, Web UI and SQLite), built with `go install`;
#   - the Java time-skipping test server `io.temporal:temporal-test-server` and its dependencies,
#     fetched by Maven from scripts/test-server/pom.xml;
#   - node_modules via `npm ci` when missing or older than package-lock.json;
#   - schemathesis (pinned, from PyPI with pip) in a Python venv, for the API fuzz test.
# Idempotent; a second run only checks and prints the summary. Works as root without stdin (CI=true):
# missing system packages are installed with apt-get when root (or passwordless sudo), otherwise the
# exact command to run is printed and the script fails.
#
# Cache: ${ADVOCACY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/advocacy-engine}
set -euo pipefail

TEMPORAL_CLI_VERSION=v1.5.1
TEMPORAL_CLI_MODULE=github.com/temporalio/cli/cmd/temporal
SCHEMATHESIS_VERSION=4.32.5

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${ADVOCACY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/advocacy-engine}"
BIN_DIR="$CACHE/bin"
TS_DIR="$CACHE/temporal-test-server"
POM="$ROOT/scripts/test-server/pom.xml"
export DEBIAN_FRONTEND=noninteractive

# ---------------------------------------------------------------------------------------------
# output helpers
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
T0=$(now_ms)
STEP_T0=$T0
fmt_ms() { local ms=$1; printf '%d.%01ds' $((ms / 1000)) $(((ms % 1000) / 100)); }
step() { STEP_T0=$(now_ms); printf '\n[provision] %s\n' "$*"; }
info() { printf '[provision]   %s\n' "$*"; }
done_step() { printf '[provision]   done in %s\n' "$(fmt_ms $(($(now_ms) - STEP_T0)))"; }
fail() {
  printf '\n[provision] ERROR: %s\n' "$*" >&2
  exit 1
}

# ---------------------------------------------------------------------------------------------
# system packages
SUDO=()
can_install=false
if [ "$(id -u)" -eq 0 ]; then
  can_install=true
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
  can_install=true
fi
command -v apt-get >/dev/null 2>&1 || can_install=false
APT_UPDATED=false

apt_install() {
  # apt_install <package...>
  if [ "$can_install" != true ]; then
    fail "missing system package(s): $*
  Install them, e.g. on Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y $*
  then run: bash scripts/provision.sh"
  fi
  if [ "$APT_UPDATED" != true ]; then
    info "apt-get update"
    "${SUDO[@]}" apt-get update -qq </dev/null >/dev/null
    APT_UPDATED=true
  fi
  info "apt-get install -y $*"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" </dev/null >/dev/null
}

apt_has_candidate() {
  local c
  c=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
  [ -n "$c" ] && [ "$c" != "(none)" ]
}

find_nats_server() {
  local p
  for p in "${NATS_SERVER_BIN:-}" "$BIN_DIR/nats-server" "$(command -v nats-server 2>/dev/null || true)" \
    /usr/sbin/nats-server /usr/bin/nats-server /usr/local/bin/nats-server; do
    if [ -n "$p" ] && [ -x "$p" ]; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

find_java() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    echo "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    return 1
  fi
}

printf '[provision] cache: %s\n' "$CACHE"
mkdir -p "$BIN_DIR" "$TS_DIR"

# ---------------------------------------------------------------------------------------------
step "1/5 nats-server (JetStream)"
if ! NATS_SERVER_PATH=$(find_nats_server); then
  apt_install nats-server
  NATS_SERVER_PATH=$(find_nats_server) || fail "nats-server still not found after installing the Debian package"
fi
info "$NATS_SERVER_PATH ($("$NATS_SERVER_PATH" --version 2>&1 | head -n1))"
[ -x /usr/bin/chromium ] || apt_install chromium # headless browser for tests/e2e/dashboard.test.ts
done_step

# ---------------------------------------------------------------------------------------------
step "2/5 Temporal CLI $TEMPORAL_CLI_VERSION (real server + Web UI + SQLite)"
TEMPORAL_PATH="$BIN_DIR/temporal"
TEMPORAL_STAMP="$BIN_DIR/temporal.version"
temporal_ok=false
if [ -x "$TEMPORAL_PATH" ]; then
  if [ -f "$TEMPORAL_STAMP" ] && [ "$(cat "$TEMPORAL_STAMP")" = "$TEMPORAL_CLI_VERSION" ]; then
    temporal_ok=true
  elif command -v go >/dev/null 2>&1 &&
    go version -m "$TEMPORAL_PATH" 2>/dev/null | grep -Eq "^[[:space:]]+mod[[:space:]]+github.com/temporalio/cli[[:space:]]+$TEMPORAL_CLI_VERSION([[:space:]]|$)"; then
    echo "$TEMPORAL_CLI_VERSION" >"$TEMPORAL_STAMP"
    temporal_ok=true
  fi
fi
if [ "$temporal_ok" = true ]; then
  info "cached: $TEMPORAL_PATH"
else
  if ! command -v go >/dev/null 2>&1; then
    fail "Go is needed once to build the Temporal CLI, and 'go' is not on PATH.
  Install Go >= 1.21 (it fetches the newer toolchain the CLI needs as a Go module by itself), e.g. put a
  Go distribution's bin/ directory on PATH, then run: bash scripts/provision.sh"
  fi
  info "building Temporal CLI, first time takes ~4 minutes (up to ~7 on a busy 2-core machine) ($(go version))"
  info "go install $TEMPORAL_CLI_MODULE@$TEMPORAL_CLI_VERSION -> $BIN_DIR"
  build_log="$CACHE/temporal-build.log"
  GOBIN="$BIN_DIR" go install "$TEMPORAL_CLI_MODULE@$TEMPORAL_CLI_VERSION" </dev/null >"$build_log" 2>&1 &
  build_pid=$!
  while kill -0 "$build_pid" 2>/dev/null; do
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
      sleep 1.5
      kill -0 "$build_pid" 2>/dev/null || break
    done
    kill -0 "$build_pid" 2>/dev/null && info "... still building ($(fmt_ms $(($(now_ms) - STEP_T0))))"
  done
  if ! wait "$build_pid"; then
    tail -n 40 "$build_log" >&2 || true
    fail "building the Temporal CLI failed (full log: $build_log)"
  fi
  [ -x "$TEMPORAL_PATH" ] || fail "go install finished but $TEMPORAL_PATH is missing (log: $build_log)"
  echo "$TEMPORAL_CLI_VERSION" >"$TEMPORAL_STAMP"
fi
info "$("$TEMPORAL_PATH" --version 2>&1 | head -n1) [module $TEMPORAL_CLI_VERSION]"
done_step

# ---------------------------------------------------------------------------------------------
step "3/5 Java time-skipping test server (io.temporal:temporal-test-server via Maven)"
if ! JAVA_PATH=$(find_java); then
  if apt_has_candidate openjdk-17-jre-headless || [ "$can_install" != true ]; then
    apt_install openjdk-17-jre-headless
  else
    apt_install default-jre-headless
  fi
  JAVA_PATH=$(find_java) || fail "java still not found after installing a JRE"
fi
info "java: $JAVA_PATH ($("$JAVA_PATH" -version 2>&1 | head -n1))"
LIB_DIR="$TS_DIR/lib"
TS_STAMP="$TS_DIR/pom.sha256"
pom_hash=$(sha256sum "$POM" | awk '{print $1}')
if [ -f "$TS_STAMP" ] && [ "$(cat "$TS_STAMP")" = "$pom_hash" ] && compgen -G "$LIB_DIR/temporal-test-server-*.jar" >/dev/null; then
  info "cached: $LIB_DIR ($(find "$LIB_DIR" -name '*.jar' | wc -l) jars)"
else
  if ! command -v mvn >/dev/null 2>&1; then
    apt_install maven
  fi
  info "mvn dependency:copy-dependencies -> $LIB_DIR"
  rm -rf "$LIB_DIR.tmp"
  mvn_log="$CACHE/temporal-test-server-mvn.log"
  if ! mvn -B -q -ntp -f "$POM" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$LIB_DIR.tmp" </dev/null >"$mvn_log" 2>&1; then
    tail -n 40 "$mvn_log" >&2 || true
    fail "Maven could not fetch the test server (full log: $mvn_log)"
  fi
  rm -rf "$LIB_DIR" "$TS_DIR/app.jsa"
  mv "$LIB_DIR.tmp" "$LIB_DIR"
  echo "$pom_hash" >"$TS_STAMP"
  info "$(find "$LIB_DIR" -name '*.jar' | wc -l) jars"
fi
# A class-data-sharing archive makes the JVM start about twice as fast; the SDK gives the test server
# only 5 seconds to answer. Made once per cache (and per JVM: the launcher ignores a stale one).
CDS="$TS_DIR/app.jsa"
if [ ! -f "$CDS" ]; then
  info "creating class-data-sharing archive for a fast test-server start"
  cds_port=$(( (RANDOM % 20000) + 30000 ))
  "$JAVA_PATH" -XX:ArchiveClassesAtExit="$CDS" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto \
    -cp "$LIB_DIR/*" io.temporal.testserver.TestServer "$cds_port" </dev/null >"$TS_DIR/cds.log" 2>&1 &
  cds_pid=$!
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$cds_port") 2>/dev/null; then break; fi
    kill -0 "$cds_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -TERM "$cds_pid" 2>/dev/null || true
  wait "$cds_pid" 2>/dev/null || true
  if [ -f "$CDS" ]; then info "archive: $CDS"; else info "no archive made (see $TS_DIR/cds.log); the server still works"; fi
fi
LAUNCHER="$ROOT/scripts/temporal-test-server"
[ -x "$LAUNCHER" ] || chmod +x "$LAUNCHER"
done_step

# ---------------------------------------------------------------------------------------------
step "4/5 node_modules (npm ci)"
if [ ! -d "$ROOT/node_modules" ] || [ ! -f "$ROOT/node_modules/.package-lock.json" ] ||
  [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
  command -v npm >/dev/null 2>&1 || fail "npm is missing: install Node.js 20 (>= 20.19) first"
  info "npm ci"
  (cd "$ROOT" && npm ci --no-audit --no-fund </dev/null)
else
  info "up to date"
fi
done_step

# ---------------------------------------------------------------------------------------------
step "5/5 schemathesis $SCHEMATHESIS_VERSION (API fuzzing, Python venv)"
ST_VENV="$CACHE/schemathesis"
SCHEMATHESIS_PATH="$ST_VENV/bin/schemathesis"
schemathesis_version() {
  [ -x "$SCHEMATHESIS_PATH" ] && "$ST_VENV/bin/python" -c \
    'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null
}
if [ "$(schemathesis_version || true)" = "$SCHEMATHESIS_VERSION" ]; then
  info "cached: $SCHEMATHESIS_PATH (schemathesis $SCHEMATHESIS_VERSION)"
else
  # The venv needs `venv` and `ensurepip`; Debian ships them apart from python3, in python3-venv.
  PYTHON_PATH=$(command -v python3 || true)
  if [ -z "$PYTHON_PATH" ] || ! "$PYTHON_PATH" -c 'import venv, ensurepip' 2>/dev/null; then
    apt_install python3-venv
    PYTHON_PATH=/usr/bin/python3
    "$PYTHON_PATH" -c 'import venv, ensurepip' 2>/dev/null || fail "python3 -m venv still unusable after installing python3-venv"
  fi
  info "$PYTHON_PATH -m venv $ST_VENV ($("$PYTHON_PATH" --version 2>&1))"
  rm -rf "$ST_VENV"
  "$PYTHON_PATH" -m venv "$ST_VENV"
  info "pip install schemathesis==$SCHEMATHESIS_VERSION (20 s, up to a minute or more on a busy machine)"
  pip_log="$CACHE/schemathesis-pip.log"
  if ! "$ST_VENV/bin/pip" install --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" </dev/null >"$pip_log" 2>&1; then
    tail -n 40 "$pip_log" >&2 || true
    fail "pip could not install schemathesis $SCHEMATHESIS_VERSION (full log: $pip_log)"
  fi
  [ "$(schemathesis_version || true)" = "$SCHEMATHESIS_VERSION" ] || fail "schemathesis $SCHEMATHESIS_VERSION is not in $ST_VENV after pip install (log: $pip_log)"
  info "$("$SCHEMATHESIS_PATH" --version 2>&1 | head -n1)"
fi
done_step

# ---------------------------------------------------------------------------------------------
printf '\n[provision] ready in %s\n' "$(fmt_ms $(($(now_ms) - T0)))"
printf '[provision]   %-22s %s\n' \
  "temporal CLI" "$TEMPORAL_PATH" \
  "nats-server" "$NATS_SERVER_PATH" \
  "java" "$JAVA_PATH" \
  "test-server launcher" "$LAUNCHER" \
  "test-server jars" "$LIB_DIR" \
  "schemathesis" "$SCHEMATHESIS_PATH" \
  "node" "$(command -v node || echo missing) ($(node --version 2>/dev/null || true))"
