#!/usr/bin/env bash
# Registry exchange figures, in one run per database: queries per second through the mediator
# over HTTP (session, grant check, schema check, built-in adapter, field filtering, the query log
# written durably by group commit), the same built-in adapter called directly in-process, and the
# bare endpoint. Prints figures and ratios; judges nothing.
#
#   bench/registries.sh                                  # both databases, 100,000 people, 10 s per figure
#   BENCH_DBS=sqlite BENCH_PEOPLE=20000 BENCH_DURATION=5s bench/registries.sh
#   BENCH_BIN=target/debug/portico BENCH_PEOPLE=2000 BENCH_DURATION=2s bench/registries.sh   # check the script
set -euo pipefail

# A binary given by the caller (BENCH_BIN, e.g. a debug build to check the script) is used as it
# is; otherwise the release build is made first.
given_bin="${BENCH_BIN:-}"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read -ra DBS <<<"${BENCH_DBS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-3s}"
PEOPLE="${BENCH_PEOPLE:-100000}"
WRK=(-t2 -c32 --timeout 10s)
OPERATOR="operator.sredets@sofia.portico.demo"
PASSWORD="portico-demo-password"
TOTP_SECRET="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

if [[ -z "$given_bin" ]]; then
    echo "== building release binary"
    (cd "$BENCH_ROOT" && cargo build --release -p portico --quiet)
else
    echo "== binary: $BENCH_BIN (as given)"
fi
echo "== machine"
echo "cores: $(nproc); date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "wrk ${WRK[*]} -d$DURATION --latency; wrk and server share the same $(nproc) cores"

# Staff land on their work, not /account, so this signs in without bench_sign_in's landing check.
staff_sign_in() {
    local h="$BENCH_DIR/staff.headers" status pending code session
    bench_csrf
    status="$(curl -s -o /dev/null -D "$h" -w '%{http_code}' -H "Cookie: csrf=$BENCH_CSRF_COOKIE" \
        --data-urlencode "_csrf=$BENCH_CSRF_TOKEN" --data-urlencode "identifier=$OPERATOR" \
        --data-urlencode "password=$PASSWORD" "$BENCH_URL/login")"
    pending="$(bench_set_cookie "$h" portico_session)"
    [[ "$status" == 303 && -n "$pending" ]] || { bench_log "staff sign-in answered $status"; return 1; }
    code="$(bench_totp "$TOTP_SECRET" $(($(date +%s) / 30)))"
    status="$(curl -s -o /dev/null -D "$h" -w '%{http_code}' \
        -H "Cookie: csrf=$BENCH_CSRF_COOKIE; portico_session=$pending" \
        --data-urlencode "_csrf=$BENCH_CSRF_TOKEN" --data-urlencode "code=$code" "$BENCH_URL/login/totp")"
    session="$(bench_set_cookie "$h" portico_session)"
    [[ "$status" == 303 && -n "$session" ]] || { bench_log "staff second factor answered $status"; return 1; }
    printf '%s\n' "$session"
}

for db in "${DBS[@]}"; do
    echo
    echo "== $db"
    bench_start_server "$db"
    db_env=(-u DATABASE_URL)
    [[ "$db" == postgres ]] && db_env=(DATABASE_URL="$BENCH_PG_URL/$BENCH_DB")
    env "${db_env[@]}" PORTICO_DATA_DIR="$BENCH_DIR/data" PORTICO_LOG=warn \
        "$BENCH_BIN" registries generate --people "$PEOPLE"

    session="$(staff_sign_in)"
    egns="$BENCH_DIR/egns.txt"
    # The direct figure also writes the EGN list the HTTP load cycles through.
    direct="$(env "${db_env[@]}" PORTICO_DATA_DIR="$BENCH_DIR/data" PORTICO_LOG=warn \
        "$BENCH_BIN" bench-registries-direct --seconds "${DURATION%s}" --concurrency 32 --egn-file "$egns")"
    echo "$direct"

    url="$BENCH_URL/api/v1/registries/population/person"
    first="$(head -1 "$egns")"
    status="$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: portico_session=$session" \
        -H 'Content-Type: application/json' \
        -d "{\"context\":{\"legal_basis\":\"bench\",\"subject\":\"$first\"}}" "$url")"
    [[ "$status" == 200 ]] || { bench_log "a mediator query answered $status"; exit 1; }
    bench_expect_status "$BENCH_URL/bench/bare" 200

    wrk "${WRK[@]}" -d"$WARMUP" "$BENCH_URL/bench/bare" >/dev/null
    bench_wrk "$db bare" "${WRK[@]}" -d"$DURATION" "$BENCH_URL/bench/bare"
    wrk "${WRK[@]}" -d"$WARMUP" -s "$BENCH_ROOT/bench/registries.lua" "$url" -- "$egns" "$session" >/dev/null
    bench_wrk "$db mediator" "${WRK[@]}" -d"$DURATION" -s "$BENCH_ROOT/bench/registries.lua" "$url" -- "$egns" "$session"
    logged="$(curl -s -o /dev/null -w '%{http_code}' "$BENCH_URL/readyz")"
    direct_qps="$(awk '{print $2}' <<<"$direct")"
    printf '%-28s %10.1f q/s\n' "$db direct adapter" "$direct_qps"
    printf 'mediator / bare: %s   mediator / direct: %s   (readyz %s)\n' \
        "$(bench_ratio "${BENCH_RPS[$db mediator]}" "${BENCH_RPS[$db bare]}")" \
        "$(bench_ratio "${BENCH_RPS[$db mediator]}" "$direct_qps")" "$logged"
    bench_stop_server
done
