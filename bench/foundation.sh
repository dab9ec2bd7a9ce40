#!/usr/bin/env bash
# Foundation figures: what the shared router/middleware stack, a database-backed page, a
# signed-in page and a password sign-in cost, on SQLite and on PostgreSQL, plus raw Argon2
# throughput to set the sign-in figure against. Prints figures and ratios; judges nothing.
#
#   bench/foundation.sh                      # both databases, 10 s per figure
#   BENCH_DBS=sqlite BENCH_DURATION=5s bench/foundation.sh
#
# wrk and the server run on the same machine and compete for its cores; ratios taken within one
# run are more trustworthy than absolute figures compared across machines or runs.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read -ra DBS <<<"${BENCH_DBS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-3s}"
ARGON2_SECONDS="${BENCH_ARGON2_SECONDS:-10}"
# wrk's default 2 s timeout would drop the slowest sign-ins from the latency figures (32 Argon2
# hashes queued on 2 cores take most of a second), so allow far more than any request needs.
WRK=(-t2 -c32 --timeout 10s)

EMAIL="ivan.petrov@portico.demo"
PASSWORD="portico-demo-password"
TOTP_SECRET="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

echo "== building release binary"
# A binary given in BENCH_BIN is measured as it is (no build).
if [[ "$BENCH_BIN" == "$BENCH_ROOT/target/release/portico" ]]; then
    (cd "$BENCH_ROOT" && cargo build --release -p portico --quiet)
fi

echo "== machine"
echo "cores: $(nproc); cpu: $(lscpu | sed -n 's/^Model name: *//p'); memory: $(free -h | awk '/^Mem:/ {print $2}')"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "wrk ${WRK[*]} -d$DURATION --latency (warm-up $WARMUP); wrk and server share the same $(nproc) cores"
busy_before="$(bench_cpu_busy)"
echo "CPU busy before start: ${busy_before}%"
if ((busy_before > 10)); then
    bench_log "warning: something else is using the CPU (${busy_before}% busy); figures will be lower and noisier"
fi

# Runs the same load briefly and discards it: fills connection pools, page caches and the
# allocator so the measured run starts in a steady state.
warm_up() {
    wrk "${WRK[@]}" -d"$WARMUP" "$@" >/dev/null
}

# Sign-ins are warmed up one at a time, each run to completion, not with wrk: wrk hangs up on
# the requests in flight when it stops, and a sign-in abandoned by its client can leave a SQLite
# connection inside a transaction, after which every sign-in fails (see README, "Known server
# problem"). The measured run is the last thing each server does, so its own hang-ups cannot
# spoil a figure.
warm_up_sign_ins() {
    local i status
    for ((i = 0; i < ${BENCH_SIGNIN_WARMUP:-20}; i++)); do
        status="$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: csrf=$BENCH_CSRF_COOKIE" \
            --data-urlencode "_csrf=$BENCH_CSRF_TOKEN" --data-urlencode "identifier=$EMAIL" \
            --data-urlencode "password=$PASSWORD" "$BENCH_URL/login")"
        [[ "$status" == 303 ]] || { bench_log "warm-up sign-in answered $status"; return 1; }
    done
}

for db in "${DBS[@]}"; do
    echo
    echo "== $db"
    bench_start_server "$db"

    session="$(bench_sign_in "$EMAIL" "$PASSWORD" "$TOTP_SECRET")"
    account_cookie="Cookie: portico_session=$session"
    bench_csrf
    login_args=(-s "$BENCH_ROOT/bench/login.lua" "$BENCH_URL/login"
        -- "$BENCH_CSRF_COOKIE" "$BENCH_CSRF_TOKEN" "$EMAIL" "$PASSWORD")

    # wrk treats any 3xx as success, so make sure each page really is the page before timing it.
    bench_expect_status "$BENCH_URL/bench/bare" 200
    bench_expect_status "$BENCH_URL/" 200
    bench_expect_status "$BENCH_URL/account" 200 -H "$account_cookie"

    warm_up "$BENCH_URL/bench/bare"
    bench_wrk "$db bare" "${WRK[@]}" -d"$DURATION" "$BENCH_URL/bench/bare"
    warm_up "$BENCH_URL/"
    bench_wrk "$db home" "${WRK[@]}" -d"$DURATION" "$BENCH_URL/"
    warm_up -H "$account_cookie" "$BENCH_URL/account"
    bench_wrk "$db account" "${WRK[@]}" -d"$DURATION" -H "$account_cookie" "$BENCH_URL/account"
    # Still signed in afterwards, so the run above measured the page and not a redirect to /login.
    bench_expect_status "$BENCH_URL/account" 200 -H "$account_cookie"
    warm_up_sign_ins
    bench_wrk "$db sign-in" "${WRK[@]}" -d"$DURATION" "${login_args[@]}"

    bench_stop_server
done

echo
echo "== raw Argon2id (same parameters as sign-in, ${ARGON2_SECONDS}s, 2 threads, no server running)"
argon2_out="$("$BENCH_BIN" bench-argon2 --seconds "$ARGON2_SECONDS" --threads 2)"
echo "$argon2_out"
argon2="$(awk '$1 == "argon2id_hashes_per_second" {print $2}' <<<"$argon2_out")"

echo
echo "== summary (req/s; latency p50 / p99 in ms; ratios from this run)"
echo "CPU busy before start: ${busy_before}%"
for db in "${DBS[@]}"; do
    echo
    printf '%-10s %-22s %10s %10s %10s\n' "$db" "figure" "req/s" "p50 ms" "p99 ms"
    for what in bare home account sign-in; do
        label="$db $what"
        flag=""
        [[ "${BENCH_BAD[$label]}" == 0 ]] || flag="  !! ${BENCH_BAD[$label]} bad responses"
        printf '%-10s %-22s %10.1f %10s %10s%s\n' "" "$what" "${BENCH_RPS[$label]}" \
            "${BENCH_P50[$label]}" "${BENCH_P99[$label]}" "$flag"
    done
    printf '%-10s %-22s %10.1f\n' "" "raw argon2 hashes/s" "$argon2"
    printf '%-10s %-22s %10s\n' "" "home / bare" "$(bench_ratio "$db home" "$db bare")"
    printf '%-10s %-22s %10s\n' "" "account / bare" "$(bench_ratio "$db account" "$db bare")"
    printf '%-10s %-22s %10s\n' "" "sign-in / argon2" "$(bench_ratio "$db sign-in" "$argon2")"
done
