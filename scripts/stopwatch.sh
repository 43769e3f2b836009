#!/usr/bin/env bash
# The newcomer's stopwatch: how long from "git clone" to Salesforce contacts fetched with a brokered token in
# the demo app, on this machine, with nothing cached.
#
#   scripts/stopwatch.sh [REPOSITORY]     REPOSITORY: a path or URL to clone (default: this checkout's HEAD)
#
# It clones into a new folder, gives Maven an empty local repository and an empty wrapper home (so Maven itself,
# every plugin, Keycloak and every dependency come from Maven Central), runs ./demo.sh there, then drives headless
# Chromium (Debian's chromium and chromium-driver) through the demo app as the README says: Sign in (as ada, with
# the password demo.sh printed), Connect Salesforce, Allow, Fetch my Salesforce contacts. It
# prints each step's time since the clone started and stops the demo afterwards. The demo's ports (8080, 8089,
# 8090) must be free. Target: first records within 120 s.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SOURCE="${1:-$(cd "$HERE/.." && pwd)}"
APP_URL="http://localhost:8090/"
TARGET_SECONDS=120

die() { echo "stopwatch: $*" >&2; exit 1; }

for tool in git java python3 curl; do
    command -v "$tool" >/dev/null || die "'$tool' is required but not installed"
done
if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "stopwatch: installing Debian's chromium and chromium-driver (apt-get, about a minute; not timed)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
        die "Chromium is missing; install it with: apt-get install chromium chromium-driver"
    fi
fi
for port in 8080 8089 8090; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port is in use (a demo already running? './demo.sh stop'); free it and re-run"
    fi
done

WORK="$(mktemp -d -t conduit-stopwatch-XXXXXX)"
CLONE="$WORK/conduit"
RESULT=1
cleanup() {
    if [[ -x "$CLONE/demo.sh" ]]; then
        "$CLONE/demo.sh" stop >/dev/null 2>&1 || true
    fi
    if [[ $RESULT -eq 0 ]]; then
        rm -rf "$CLONE" "$WORK/m2"
        echo "stopwatch: screenshots of each step in $WORK/screenshots/"
    else
        echo "stopwatch: kept $WORK (demo logs in conduit/.demo/, screenshots in screenshots/)" >&2
    fi
}
trap cleanup EXIT

start=$EPOCHREALTIME
elapsed() { local now=${EPOCHREALTIME/[.,]/} begin=${start/[.,]/}; printf '%5d.%d s' $(( (now - begin) / 1000000 )) $(( (now - begin) / 100000 % 10 )); }
step() { echo "[$(elapsed)] $*"; }

step "cloning $SOURCE"
git -c advice.detachedHead=false clone -q "$SOURCE" "$CLONE"
step "cloned; ./demo.sh with an empty Maven repository ($WORK/m2)"
mkdir -p "$WORK/m2/repository"
(
    cd "$CLONE"
    export MAVEN_USER_HOME="$WORK/m2"
    export MAVEN_ARGS="-Dmaven.repo.local=$WORK/m2/repository"
    : > "$WORK/demo.out"
    ./demo.sh > "$WORK/demo.out" 2>&1 &
    demo=$!
    tail -n +1 -f "$WORK/demo.out" --pid=$demo | while IFS= read -r line; do echo "[$(elapsed)]   demo.sh: $line"; done
    wait $demo
) || die "./demo.sh failed; see $WORK/demo.out and $CLONE/.demo/"
[[ -f "$CLONE/.demo/keycloak.pid" ]] || die "the demo did not start; see $CLONE/.demo/"
# the demo user's generated password, which demo.sh keeps in .demo/ada-password (0600) and prints
STOPWATCH_PASSWORD=$(cat "$CLONE/.demo/ada-password" 2>/dev/null || true)
[[ -n "$STOPWATCH_PASSWORD" ]] || die "demo.sh left no password for ada in $CLONE/.demo/ada-password"
export STOPWATCH_USER=ada STOPWATCH_PASSWORD
curl -sf -o /dev/null "$APP_URL" || die "the demo app does not answer at $APP_URL; see $CLONE/.demo/"
step "demo running; opening $APP_URL in headless Chromium"
if ! python3 "$HERE/stopwatch-browser.py" "$APP_URL" "$WORK/screenshots" | while IFS= read -r line; do step "$line"; done; then
    die "the browser did not get to the records"
fi
total=$(( (${EPOCHREALTIME/[.,]/} - ${start/[.,]/} + 500000) / 1000000 ))
RESULT=0
if (( total <= TARGET_SECONDS )); then
    echo "stopwatch: clone to first Salesforce contacts in ${total} s (target ${TARGET_SECONDS} s)"
else
    echo "stopwatch: clone to first Salesforce contacts in ${total} s, over the ${TARGET_SECONDS} s target"
    RESULT=2
fi
exit $RESULT
