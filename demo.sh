#!/usr/bin/env bash
# Conduit demo: Keycloak 26.7.3 + Conduit providers + demo realm + provider sandbox.
#
#   ./demo.sh              build, start everything, print where to click
#   ./demo.sh --no-build   same, without running the Maven build
#   ./demo.sh stop         stop the demo app, the sandbox and Keycloak started by this script
#   ./demo.sh token <salesforce|hubspot|google> [acme]
#                          print (and run) a shell one-liner that gets ada's upstream token
#                          (with acme: the Acme organization's connection, served to ada as a member)
#
# Everything lives in .demo/ (gitignored). Provider client secrets are generated
# on every start and are never printed.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

KC_VERSION="26.7.3"
# Other ports, when these are taken: CONDUIT_DEMO_KEYCLOAK_PORT, CONDUIT_DEMO_SANDBOX_PORT, CONDUIT_DEMO_APP_PORT
KC_PORT=${CONDUIT_DEMO_KEYCLOAK_PORT:-8080}
SANDBOX_PORT=${CONDUIT_DEMO_SANDBOX_PORT:-8089}
APP_PORT=${CONDUIT_DEMO_APP_PORT:-8090}
REALM="conduit-demo"
# Where the demo keeps everything (Keycloak copy, logs, vault, secrets): .demo/, or CONDUIT_DEMO_DIR
DEMO="${CONDUIT_DEMO_DIR:-$ROOT/.demo}"
KC_HOME="$DEMO/keycloak"
VAULT="$DEMO/vault"
KC_DIST="$ROOT/integration-tests/target/keycloak-$KC_VERSION"
KC_PID="$DEMO/keycloak.pid"
SANDBOX_PID="$DEMO/sandbox.pid"
APP_PID="$DEMO/demo-app.pid"
KC_URL="http://localhost:$KC_PORT"
APP_URL="http://localhost:$APP_PORT"
# 0600 files the demo app and the token one-liner read (never printed, never on a command line)
INTERNAL_SECRET_FILE="$DEMO/internal-app-secret"
ADA_PASSWORD_FILE="$DEMO/ada-password"
# 0600: what an admin would be handed for the Acme organization's server connections (a private key, a consumer
# secret, a Google JSON key file, a HubSpot private app token), written by the sandbox, uploaded to the vault
SERVER_CONNECTIONS_FILE="$DEMO/server-connections.json"
# a demo-only public client with the password grant, so ada can get a Keycloak token from the shell
CLI_CLIENT="conduit-demo-cli"

on_error() {
    local rc=$? line=$1
    echo "demo.sh: failed (exit $rc) at line $line: $BASH_COMMAND" >&2
    echo "demo.sh: logs are in $DEMO/; run './demo.sh stop' to stop anything already started" >&2
    exit "$rc"
}
trap 'on_error $LINENO' ERR

die() {
    echo "demo.sh: $*" >&2
    exit 1
}

# Stops the process named in a pid file (and only that process and its children).
stop_pid_file() {
    local file=$1 name=$2 pid
    if [[ ! -f "$file" ]]; then
        echo "$name: not running (no pid file)"
        return 0
    fi
    pid=$(cat "$file")
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        echo "Stopping $name (pid $pid)"
        # kc.sh runs java as a child; stop children first, then the process itself.
        pkill -TERM -P "$pid" 2>/dev/null || true
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 60); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then
            pkill -KILL -P "$pid" 2>/dev/null || true
            kill -KILL "$pid" 2>/dev/null || true
        fi
    else
        echo "$name: not running (stale pid file)"
    fi
    rm -f "$file"
}

stop_all() {
    stop_pid_file "$APP_PID" "Demo app"
    stop_pid_file "$KC_PID" "Keycloak"
    stop_pid_file "$SANDBOX_PID" "Provider sandbox"
}

# Waits up to $4 seconds until the command after it succeeds, while the process in pid file $2 lives; when it
# exits or the time is up, shows the last lines of its log ($3), stops everything and exits.
wait_ready() {
    local name=$1 pid_file=$2 log=$3 seconds=$4 deadline
    shift 4
    deadline=$((SECONDS + seconds))
    until "$@"; do
        if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
            echo "$name exited; last lines of $log:" >&2
        elif (( SECONDS >= deadline )); then
            echo "$name did not come up within $seconds s; last lines of $log:" >&2
        else
            sleep 0.5
            continue
        fi
        tail -n 60 "$log" >&2
        stop_all
        exit 1
    done
}

answers_200() {
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)" == 200 ]]
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

random_secret() {
    python3 -c 'import secrets; print(secrets.token_urlsafe(24))'
}

# The one-liner of './demo.sh token <provider>': ada's Keycloak token (password grant on the demo-only CLI
# client, password read from its file), exchanged by the internal app (secret read from its file) for the
# upstream token (RFC 8693). No secret is on a command line or printed; the exchange's answer is.
token_one_liner() {
    local provider=$1 organization=${2:-} endpoint="$KC_URL/realms/$REALM/protocol/openid-connect/token"
    printf '%s' "curl -sS $endpoint -d grant_type=password -d client_id=$CLI_CLIENT -d username=ada" \
        " --data-urlencode password@$ADA_PASSWORD_FILE" \
        " | python3 -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)[\"access_token\"])'" \
        " | curl -sS $endpoint -d client_id=conduit-internal-app --data-urlencode client_secret@$INTERNAL_SECRET_FILE" \
        " -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange" \
        " -d subject_token_type=urn:ietf:params:oauth:token-type:access_token --data-urlencode subject_token@-" \
        " -d audience=$provider${organization:+ -d organization=$organization} | python3 -m json.tool"
}

token_command() {
    local provider=${1:-} organization=${2:-} line answer whose="ada's"
    case "$provider" in
        salesforce|salesforce-sync|hubspot|google) ;;
        *) die "usage: ./demo.sh token <salesforce|hubspot|google|salesforce-sync> [acme]" ;;
    esac
    case "$organization" in
        "") ;;
        acme) whose="the Acme organization's (ada is a member)" ;;
        *) die "usage: ./demo.sh token <provider> [acme]: the demo's organization is acme" ;;
    esac
    if [[ ! -f "$KC_PID" ]] || ! kill -0 "$(cat "$KC_PID")" 2>/dev/null \
        || [[ ! -f "$INTERNAL_SECRET_FILE" || ! -f "$ADA_PASSWORD_FILE" ]]; then
        die "the demo is not running; start it with ./demo.sh"
    fi
    # the running demo's addresses (it may run on other ports)
    [[ -f "$DEMO/addresses" ]] && source "$DEMO/addresses"
    curl -sf -o /dev/null "$KC_URL/realms/$REALM" || die "Keycloak does not answer at $KC_URL; is the demo running?"
    line=$(token_one_liner "$provider" "$organization")
    echo "$whose $provider token from the shell (Keycloak token for ada, then the internal app's RFC 8693 exchange):"
    echo
    echo "  $line"
    echo
    echo "Running it:"
    answer=$(bash -c "$line" 2>&1) || true
    echo "$answer"
    if grep -q '"conduit_error": "not_connected"' <<<"$answer"; then
        echo
        echo "ada has not connected $provider yet: open $APP_URL, sign in as ada and click Connect next to $provider; then run this again."
    elif grep -q '"conduit_error": "reconnect_required"' <<<"$answer"; then
        echo
        echo "ada's $provider connection needs her again: open $APP_URL and click Reconnect; then run this again."
    fi
}

BUILD=1
case "${1:-}" in
    stop)
        trap - ERR
        stop_all
        exit 0
        ;;
    token)
        trap - ERR
        token_command "${2:-}" "${3:-}"
        exit 0
        ;;
    --no-build) BUILD=0 ;;
    "") ;;
    -h|--help)
        sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) die "unknown argument '$1' (use: ./demo.sh [--no-build] | ./demo.sh stop | ./demo.sh token <provider> [acme])" ;;
esac

for tool in java curl python3; do
    command -v "$tool" >/dev/null || die "'$tool' is required but not installed"
done

# Refuse to start twice; the pid files are the only processes we ever manage.
for f in "$KC_PID" "$SANDBOX_PID" "$APP_PID"; do
    if [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null; then
        die "the demo is already running (pid $(cat "$f")); run './demo.sh stop' first"
    fi
    rm -f "$f"
done
for port in "$KC_PORT" "$SANDBOX_PORT" "$APP_PORT"; do
    port_in_use "$port" && die "port $port is already in use; free it and re-run (or see CONDUIT_DEMO_*_PORT in demo.sh)"
done

# 1. Build
if [[ $BUILD -eq 1 ]]; then
    if [[ -x ./mvnw ]]; then
        MVN=./mvnw
    elif command -v mvn >/dev/null; then
        MVN=mvn
    else
        die "neither ./mvnw nor mvn found; build the project yourself and re-run with --no-build"
    fi
    echo "Building ($MVN -B -q install -DskipTests): the first run downloads Maven, the dependencies and Keycloak (a few minutes) ..."
    build_start=$SECONDS
    "$MVN" -B -q install -DskipTests
    echo "Built in $((SECONDS - build_start)) s."
fi

JARS=(
    "conduit-api/target/conduit-api.jar"
    "spi-provider-brokers/target/conduit-brokers.jar"
    "token-vault/target/conduit-token-vault.jar"
    "spi-token-exchange/target/conduit-token-exchange.jar"
    "connections-console/target/conduit-connections-console.jar"
    "themes/target/conduit-themes.jar"
)
for jar in "${JARS[@]}" provider-sandbox/target/conduit-provider-sandbox.jar demo-app/target/conduit-demo-app.jar; do
    [[ -f "$jar" ]] || die "$jar is missing; build first (./mvnw -B install -DskipTests)"
done

# 2. Working directory
mkdir -p "$DEMO"
if [[ ! -x "$KC_HOME/bin/kc.sh" ]]; then
    [[ -x "$KC_DIST/bin/kc.sh" ]] || die "Keycloak distribution not found at $KC_DIST; run the build first"
    echo "Copying Keycloak $KC_VERSION to .demo/keycloak (first run only) ..."
    copy_start=$SECONDS
    rm -rf "$KC_HOME"
    cp -r "$KC_DIST" "$KC_HOME"
    echo "Copied in $((SECONDS - copy_start)) s."
fi
mkdir -p "$KC_HOME/providers" "$KC_HOME/data/import"
# exactly one copy of each Conduit jar (the copied distribution may carry the test build's versioned ones)
rm -f "$KC_HOME/providers/"*.jar
cp "${JARS[@]}" "$KC_HOME/providers/"
# the realm file names the default ports (sandbox endpoints, redirect URIs)
sed -e "s#http://localhost:8080#$KC_URL#g" -e "s#http://localhost:8089#http://localhost:$SANDBOX_PORT#g" \
    -e "s#http://localhost:8090#$APP_URL#g" realm-exports/conduit-demo-realm.json > "$KC_HOME/data/import/conduit-demo-realm.json"
# Fresh database on every start so the realm is re-imported from the file.
rm -rf "$KC_HOME/data/h2"

umask 077
rm -rf "$VAULT"
mkdir -p "$VAULT"
SF_SECRET=$(random_secret)
HS_SECRET=$(random_secret)
GO_SECRET=$(random_secret)
ADMIN_PW=$(random_secret)
# the token vault's key-encryption key (AES-256), kept outside the database
VAULT_KEY=$(python3 -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())')
ADA_PW=$(random_secret)
printf '%s' "$SF_SECRET" > "$VAULT/${REALM}_salesforce-client-secret"
printf '%s' "$HS_SECRET" > "$VAULT/${REALM}_hubspot-client-secret"
printf '%s' "$GO_SECRET" > "$VAULT/${REALM}_google-client-secret"

SF_SECRET="$SF_SECRET" HS_SECRET="$HS_SECRET" GO_SECRET="$GO_SECRET" \
KC_URL="$KC_URL" REALM="$REALM" python3 - > "$DEMO/clients.json" <<'EOF'
import json, os
base = f"{os.environ['KC_URL']}/realms/{os.environ['REALM']}/broker"
clients = [
    ("SALESFORCE", "conduit-demo-salesforce", os.environ["SF_SECRET"], ["salesforce", "salesforce-sync"]),
    ("HUBSPOT", "conduit-demo-hubspot", os.environ["HS_SECRET"], ["hubspot"]),
    ("GOOGLE", "conduit-demo-google.apps.sandbox", os.environ["GO_SECRET"], ["google"]),
]
print(json.dumps([
    {"provider": p, "clientId": c, "clientSecret": s, "redirectUris": [f"{base}/{alias}/endpoint" for alias in aliases]}
    for p, c, s, aliases in clients
], indent=2))
EOF
unset SF_SECRET HS_SECRET GO_SECRET
umask 022

printf 'KC_URL=%q\nAPP_URL=%q\n' "$KC_URL" "$APP_URL" > "$DEMO/addresses"

# 3. Provider sandbox
SANDBOX_CP="provider-sandbox/target/conduit-provider-sandbox.jar:provider-sandbox/target/lib/*"
echo "Starting provider sandbox on port $SANDBOX_PORT (log: .demo/sandbox.log) ..."
nohup java -cp "$SANDBOX_CP" \
    dev.conduit.sandbox.SandboxMain "$SANDBOX_PORT" "$DEMO/clients.json" "$SERVER_CONNECTIONS_FILE" \
    > "$DEMO/sandbox.log" 2>&1 < /dev/null &
echo $! > "$SANDBOX_PID"

# 4. Keycloak
echo "Starting Keycloak $KC_VERSION on port $KC_PORT (log: .demo/keycloak.log) ..."
kc_start=$SECONDS
KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PW" \
    nohup "$KC_HOME/bin/kc.sh" start-dev --http-port="$KC_PORT" --import-realm \
        --spi-connections-http-client--default--establish-connection-timeout-millis=5000 \
        --spi-connections-http-client--default--socket-timeout-millis=10000 \
        --spi-conduit-vault--keys="demo1:$VAULT_KEY" \
        --spi-conduit-vault--active-key=demo1 \
        --spi-realm-restapi-extension--conduit-console--provision-master-client=true \
    --vault=file --vault-dir="$VAULT" \
        --features=identity-brokering-api:v2 \
    > "$DEMO/keycloak.log" 2>&1 < /dev/null &
echo $! > "$KC_PID"

# Sandbox readiness
wait_ready "Provider sandbox" "$SANDBOX_PID" "$DEMO/sandbox.log" 30 \
    grep -qs "Provider sandbox listening" "$DEMO/sandbox.log"

# 5. Wait for Keycloak and the realm
echo "Waiting for Keycloak and the $REALM realm (start-dev first builds Keycloak with the Conduit jars: about a minute, up to 5) ..."
wait_ready Keycloak "$KC_PID" "$DEMO/keycloak.log" 300 \
    answers_200 "$KC_URL/realms/$REALM/.well-known/openid-configuration"
echo "Keycloak ready in $((SECONDS - kc_start)) s."

# 6. Password for ada
TOKEN=$(curl -sf "$KC_URL/realms/master/protocol/openid-connect/token" \
    --data-urlencode grant_type=password --data-urlencode client_id=admin-cli \
    --data-urlencode username=admin --data-urlencode "password=$ADMIN_PW" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
ADA_ID=$(curl -sf -H "Authorization: Bearer $TOKEN" \
    "$KC_URL/admin/realms/$REALM/users?exact=true&username=ada" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
ADA_PW="$ADA_PW" python3 -c 'import json, os; print(json.dumps({"type": "password", "value": os.environ["ADA_PW"], "temporary": False}))' \
    | curl -sf -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        --data-binary @- "$KC_URL/admin/realms/$REALM/users/$ADA_ID/reset-password"

# 7. The demo app: the internal app's secret (Keycloak generated it at import) into a 0600 file, and the
#    demo-only CLI client for './demo.sh token' (password grant; in this running demo only, not in the realm file)
umask 077
INTERNAL_ID=$(curl -sf -H "Authorization: Bearer $TOKEN" \
    "$KC_URL/admin/realms/$REALM/clients?clientId=conduit-internal-app" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
curl -sf -H "Authorization: Bearer $TOKEN" "$KC_URL/admin/realms/$REALM/clients/$INTERNAL_ID/client-secret" \
    | python3 -c 'import json, sys; sys.stdout.write(json.load(sys.stdin)["value"])' > "$INTERNAL_SECRET_FILE"
printf '%s' "$ADA_PW" > "$ADA_PASSWORD_FILE"
umask 022
CLI_CLIENT="$CLI_CLIENT" python3 - <<'EOF' | curl -sf -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary @- "$KC_URL/admin/realms/$REALM/clients"
import json, os
print(json.dumps({
    "clientId": os.environ["CLI_CLIENT"], "name": "Demo only: ada's token from the shell (./demo.sh token)",
    "publicClient": True, "standardFlowEnabled": False, "directAccessGrantsEnabled": True,
    "defaultClientScopes": ["basic", "profile", "email", "roles", "crm.contacts.read", "calendar.read"],
    "protocolMappers": [{"name": "audience: conduit-internal-app", "protocol": "openid-connect",
        "protocolMapper": "oidc-audience-mapper", "config": {"included.client.audience": "conduit-internal-app",
        "id.token.claim": "false", "access.token.claim": "true", "introspection.token.claim": "true"}}],
}))
EOF
# 8. The Acme organization: ada is a member; its four server connections (issue 15), made through the vault's admin
#    API with what the sandbox's apps handed over (a vault row cannot be in a realm export), then minted once each.
#    Only statuses and the vault's words are printed: they never repeat a secret.
TOKEN="$TOKEN" KC_URL="$KC_URL" REALM="$REALM" ADA_ID="$ADA_ID" FILE="$SERVER_CONNECTIONS_FILE" python3 - <<'EOF'
import json, os, urllib.error, urllib.request
admin = f"{os.environ['KC_URL']}/admin/realms/{os.environ['REALM']}"
def call(method, path, body=None):
    request = urllib.request.Request(admin + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + os.environ["TOKEN"], "Content-Type": "application/json",
                 "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            text = answer.read().decode()
            return answer.status, json.loads(text) if text else None
    except urllib.error.HTTPError as refused:
        text = refused.read().decode()
        try:
            return refused.code, json.loads(text)
        except ValueError:
            return refused.code, {}
acme = [o for o in call("GET", "/organizations?search=acme")[1] if o["alias"] == "acme"][0]["id"]
status, _ = call("POST", f"/organizations/{acme}/members", os.environ["ADA_ID"])
if status not in (201, 409):
    raise SystemExit(f"adding ada to acme answered HTTP {status}")
print("Acme's server connections (ada is a member of Acme):")
with open(os.environ["FILE"]) as file:
    connections = json.load(file)
for body in connections:
    name = f"{body['alias']} ({body['kind']})"
    status, answer = call("POST", f"/conduit-vault/organizations/{acme}/server-connections", body)
    if status != 201:
        print(f"  {name}: not created: HTTP {status}, {(answer or {}).get('error_description', '')}")
        continue
    call("POST", f"/conduit-vault/connections/{answer['id']}/refresh")
    status, connection = call("GET", f"/conduit-vault/connections/{answer['id']}")
    print(f"  {name}: {connection['status']}" + (f", {connection['lastError']}" if connection.get("lastError") else ""))
EOF
unset TOKEN

APP_CP="demo-app/target/conduit-demo-app.jar:demo-app/target/lib/*"
echo "Starting the demo app on port $APP_PORT (log: .demo/demo-app.log) ..."
nohup java -cp "$APP_CP" dev.conduit.demoapp.DemoAppMain --keycloak-url="$KC_URL" --realm="$REALM" \
    --port="$APP_PORT" --sandbox-url="http://localhost:$SANDBOX_PORT" \
    --internal-client-secret-file="$INTERNAL_SECRET_FILE" \
    > "$DEMO/demo-app.log" 2>&1 < /dev/null &
echo $! > "$APP_PID"
wait_ready "The demo app" "$APP_PID" "$DEMO/demo-app.log" 30 answers_200 "$APP_URL/"

# 9. Where to click
cat <<EOF

Conduit demo is running (ready $SECONDS s after ./demo.sh started).

  Demo app          Open $APP_URL and click "Sign in with Salesforce", Allow (as
                    Ada Lovelace), "Add to existing account", then ada's password:
                        ada / $ADA_PW
                    Then click "Fetch my Salesforce contacts": the records, and beside
                    them the token exchange that brought the Salesforce token (masked).
                    ("Sign in" shows Keycloak's login page; "Connect" links a provider.)

  Token from shell  ./demo.sh token salesforce   (or hubspot, google): prints and runs a
                    one-liner that gets ada's upstream token (after she connected it)
                    ./demo.sh token salesforce acme   (or hubspot, salesforce-sync): the
                    Acme organization's server connection, served to ada as a member;
                    in the demo app: "Fetch acme's Salesforce contacts"

  Account console   $KC_URL/realms/$REALM/account
                    Click "Salesforce", "HubSpot" or "Google" to log in through the
                    Conduit broker; the provider sandbox's consent page
                    (http://localhost:$SANDBOX_PORT) lets you pick an upstream account.
                    Or log in as ada / $ADA_PW and link accounts
                    under "Account security" > "Linked accounts".

  Admin console     $KC_URL/admin/
                    admin / $ADMIN_PW   (realm "$REALM" > Identity providers)

  Connections       $KC_URL/realms/master/conduit-console/?realm=$REALM
                    admin / $ADMIN_PW: every user's and organization's connection,
                    with refresh and disconnect
                    $KC_URL/realms/master/conduit-console/?realm=$REALM&organization=acme
                    Acme's server connections: create, rotate, certificate, refresh

  Logs              .demo/demo-app.log, .demo/keycloak.log, .demo/sandbox.log
  Stop              ./demo.sh stop

EOF
