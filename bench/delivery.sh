#!/usr/bin/env bash
# eDelivery: messages sent per second with their evidence (POST /api/v1/mailbox/messages by an
# institution's API client: the message, the recipient's state, SubmissionAcceptance and
# ContentConsignment evidence signed and written, the body and content sealed with AES-256-GCM,
# all committed before the 201), and the latency of listing a mailbox that holds at least
# BENCH_MESSAGES (10,000) messages (GET /api/v1/mailbox/messages, the newest 20), beside
# GET /bench/bare of the same server in the same run, on SQLite and on PostgreSQL. Prints
# figures; judges nothing. The issue's aim: 1,000 sends per second on SQLite, p99 under 50 ms.
#
#   bench/delivery.sh                                   # release build, both databases
#   BENCH_DBS=sqlite BENCH_DURATION=5s bench/delivery.sh
#   BENCH_BIN=target/debug/portico BENCH_MESSAGES=300 BENCH_DURATION=3s bench/delivery.sh  # a smoke run
#
# wrk and the server share the machine's cores; compare ratios within a run.
set -euo pipefail

BUILD_RELEASE=1
[[ -z "${BENCH_BIN:-}" ]] || BUILD_RELEASE=0

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read -ra DBS <<<"${BENCH_DBS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-3s}"
MESSAGES="${BENCH_MESSAGES:-10000}"
WRK=(-t2 -c32 --timeout 10s)
ADMIN="admin@sofia.portico.demo"
PASSWORD="portico-demo-password"
TOTP_SECRET="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SOFIA_EIK="000696327"

if ((BUILD_RELEASE)); then
    echo "== building release binary"
    (cd "$BENCH_ROOT" && cargo build --release -p portico --quiet)
fi

echo "== machine"
echo "cores: $(nproc); cpu: $(lscpu | sed -n 's/^Model name: *//p'); memory: $(free -h | awk '/^Mem:/ {print $2}')"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown); binary: $BENCH_BIN"
echo "wrk ${WRK[*]} -d$DURATION --latency (warm-up $WARMUP); mailbox filled to at least $MESSAGES messages"
busy_before="$(bench_cpu_busy)"
echo "CPU busy before start: ${busy_before}%"
if ((busy_before > 10)); then
    bench_log "warning: something else is using the CPU (${busy_before}% busy); figures will be lower and noisier"
fi

# Sofia's admin signs in and makes an API client with the delivery scope; prints
# "administration-id client-id secret".
make_client() {
    local session administration created
    session="$(bench_sign_in "$ADMIN" "$PASSWORD" "$TOTP_SECRET")"
    administration="$(curl -s "$BENCH_URL/api/v1/administrations" | python3 -c '
import json, sys
print(next(a["id"] for a in json.load(sys.stdin)["items"] if a["eik"] == sys.argv[1]))' "$SOFIA_EIK")"
    created="$(curl -s -H "Cookie: portico_session=$session" -H 'Content-Type: application/json' \
        -d '{"name":"bench","scopes":["delivery"],"auth_method":"client_secret"}' \
        "$BENCH_URL/api/v1/administrations/$administration/api-clients")"
    python3 -c '
import json, sys
c = json.loads(sys.argv[2]); print(sys.argv[1], c["client"]["id"], c["client_secret"])' "$administration" "$created"
}

access_token() {
    curl -s -u "$1:$2" -d grant_type=client_credentials -d scope=delivery "$BENCH_URL/oauth/token" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

# Sends N more messages to the administration's own mailbox, 8 at a time, and fails on any
# answer but 201.
fill_mailbox() {
    python3 - "$BENCH_URL" "$1" "$2" "$3" <<'PY'
import json, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
base, token, administration, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
body = json.dumps({
    "sender": {"kind": "administration", "identifier": administration},
    "recipients": [{"kind": "administration", "identifier": administration}],
    "subject": "Писмо за бенчмарк", "body": "Съдържание на съобщението.",
}).encode()
def send(_):
    req = urllib.request.Request(base + "/api/v1/mailbox/messages", data=body, method="POST",
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status
with ThreadPoolExecutor(8) as pool:
    statuses = list(pool.map(send, range(n)))
bad = [s for s in statuses if s != 201]
if bad:
    sys.exit(f"{len(bad)} sends did not answer 201: {bad[:5]}")
PY
}

for kind in "${DBS[@]}"; do
    echo
    echo "== $kind"
    bench_start_server "$kind"
    read -r administration client_id client_secret < <(make_client)
    [[ -n "$client_secret" ]] || { bench_log "could not make an API client"; exit 1; }
    token="$(access_token "$client_id" "$client_secret")"
    [[ -n "$token" ]] || { bench_log "no access token"; exit 1; }
    bench_expect_status "$BENCH_URL/bench/bare" 200
    bench_expect_status "$BENCH_URL/api/v1/mailbox/messages" 200 -H "Authorization: Bearer $token"

    wrk "${WRK[@]}" -d"$WARMUP" "$BENCH_URL/bench/bare" >/dev/null
    bench_wrk "$kind bare" "${WRK[@]}" -d"$DURATION" "$BENCH_URL/bench/bare"

    wrk "${WRK[@]}" -d"$WARMUP" -s "$BENCH_ROOT/bench/delivery.lua" "$BENCH_URL/api/v1/mailbox/messages" \
        -- "$token" "$administration" >/dev/null
    bench_wrk "$kind send" "${WRK[@]}" -d"$DURATION" -s "$BENCH_ROOT/bench/delivery.lua" \
        "$BENCH_URL/api/v1/mailbox/messages" -- "$token" "$administration"
    echo "sends with evidence / bare:  $(bench_ratio "$kind send" "$kind bare")"

    bench_log "sending $MESSAGES more messages to the mailbox"
    fill_mailbox "$token" "$administration" "$MESSAGES"
    list="$BENCH_URL/api/v1/mailbox/messages"
    wrk "${WRK[@]}" -d"$WARMUP" -H "Authorization: Bearer $token" "$list" >/dev/null
    bench_wrk "$kind list" "${WRK[@]}" -d"$DURATION" -H "Authorization: Bearer $token" "$list"
    echo "mailbox listing / bare:      $(bench_ratio "$kind list" "$kind bare")"
    bench_stop_server
done
