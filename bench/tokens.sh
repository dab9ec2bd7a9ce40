#!/usr/bin/env bash
# API clients: OAuth 2.0 client credentials grants per second (POST /oauth/token with a client
# secret, each answer a platform-signed access token), beside GET /bench/bare of the same server in
# the same run, on SQLite and on PostgreSQL. Prints figures; judges nothing.
#
#   bench/tokens.sh                          # both databases, 10 s per figure
#   BENCH_DBS=sqlite BENCH_DURATION=5s bench/tokens.sh
#
# For scale: Keycloak's published sizing guide plans about 120 client credential grants per second
# per vCPU. wrk and the server share the machine's cores; compare ratios within a run.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read -ra DBS <<<"${BENCH_DBS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-3s}"
WRK=(-t2 -c32 --timeout 10s)
ADMIN="admin@sofia.portico.demo"
PASSWORD="portico-demo-password"
TOTP_SECRET="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SOFIA_EIK="000696327"

echo "== building release binary"
# A binary given in BENCH_BIN is measured as it is (no build).
if [[ "$BENCH_BIN" == "$BENCH_ROOT/target/release/portico" ]]; then
    (cd "$BENCH_ROOT" && cargo build --release -p portico --quiet)
fi

echo "== machine"
echo "cores: $(nproc); cpu: $(lscpu | sed -n 's/^Model name: *//p'); memory: $(free -h | awk '/^Mem:/ {print $2}')"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "wrk ${WRK[*]} -d$DURATION --latency (warm-up $WARMUP)"
busy_before="$(bench_cpu_busy)"
echo "CPU busy before start: ${busy_before}%"
if ((busy_before > 10)); then
    bench_log "warning: something else is using the CPU (${busy_before}% busy); figures will be lower and noisier"
fi

# Sofia's admin signs in and makes an API client over the JSON API; prints "id secret".
make_client() {
    local session administration created
    session="$(bench_sign_in "$ADMIN" "$PASSWORD" "$TOTP_SECRET")"
    administration="$(curl -s "$BENCH_URL/api/v1/administrations" | python3 -c '
import json, sys
print(next(a["id"] for a in json.load(sys.stdin)["items"] if a["eik"] == sys.argv[1]))' "$SOFIA_EIK")"
    created="$(curl -s -H "Cookie: portico_session=$session" -H 'Content-Type: application/json' \
        -d '{"name":"bench","scopes":["cases"],"auth_method":"client_secret"}' \
        "$BENCH_URL/api/v1/administrations/$administration/api-clients")"
    python3 -c '
import json, sys
c = json.loads(sys.argv[1]); print(c["client"]["id"], c["client_secret"])' "$created"
}

for kind in "${DBS[@]}"; do
    echo
    echo "== $kind"
    bench_start_server "$kind"
    read -r client_id client_secret < <(make_client)
    [[ -n "$client_id" && -n "$client_secret" ]] || { bench_log "could not make an API client"; exit 1; }
    status="$(curl -s -o /dev/null -w '%{http_code}' -u "$client_id:$client_secret" \
        -d grant_type=client_credentials "$BENCH_URL/oauth/token")"
    [[ "$status" == 200 ]] || { bench_log "POST /oauth/token answered $status, expected 200"; exit 1; }
    bench_expect_status "$BENCH_URL/bench/bare" 200

    wrk "${WRK[@]}" -d"$WARMUP" "$BENCH_URL/bench/bare" >/dev/null
    bench_wrk "$kind bare" "${WRK[@]}" -d"$DURATION" "$BENCH_URL/bench/bare"
    wrk "${WRK[@]}" -d"$WARMUP" -s "$BENCH_ROOT/bench/token.lua" "$BENCH_URL/oauth/token" \
        -- "$client_id" "$client_secret" >/dev/null
    bench_wrk "$kind token" "${WRK[@]}" -d"$DURATION" -s "$BENCH_ROOT/bench/token.lua" \
        "$BENCH_URL/oauth/token" -- "$client_id" "$client_secret"
    echo "token grants / bare:         $(bench_ratio "$kind token" "$kind bare")"
    echo "token grants per core:       $(awk -v r="${BENCH_RPS[$kind token]}" -v n="$(nproc)" 'BEGIN { printf "%.0f", r / n }') (Keycloak's sizing: ~120 per vCPU)"
    bench_stop_server
done
