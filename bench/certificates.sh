#!/usr/bin/env bash
# Qualified-certificate sign-ins per second: POST /login/certificate with the citizen's
# certificate forwarded by a trusted reverse proxy in X-Client-Cert (URL-encoded PEM, as nginx's
# $ssl_client_escaped_cert), each checked against the demo CA and its CRL and answered with a new
# session (a session row and an audit entry), beside GET /bench/bare of the same server in the
# same run, on SQLite and on PostgreSQL. Prints figures; judges nothing.
#
#   bench/certificates.sh                                   # release build, both databases, 10 s
#   BENCH_DBS=sqlite BENCH_DURATION=5s bench/certificates.sh
#   BENCH_BIN=target/debug/portico BENCH_DURATION=2s bench/certificates.sh   # any binary, no build
#
# The certificates are made with openssl by scripts/demo-certs. wrk and the server share the
# machine's cores; compare ratios within a run.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read -ra DBS <<<"${BENCH_DBS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-3s}"
WRK=(-t2 -c32 --timeout 10s)

if [[ "$BENCH_BIN" == "$BENCH_ROOT/target/release/portico" ]]; then
    echo "== building release binary"
    (cd "$BENCH_ROOT" && cargo build --release -p portico --quiet)
fi

CERTS="$(mktemp -d "${TMPDIR:-/tmp}/portico-bench-certs.XXXXXX")"
trap 'bench_cleanup; rm -rf "$CERTS"' EXIT
"$BENCH_ROOT/scripts/demo-certs" "$CERTS" >/dev/null
# The demo's second citizen (no account before the first sign-in, then always the same one).
PEM="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(open(sys.argv[1]).read(), safe=""))' \
    "$CERTS/maria-georgieva.pem")"
export PORTICO_CLIENT_CA_FILE="$CERTS/ca.pem" PORTICO_CLIENT_CRL="$CERTS/crl.pem" \
    PORTICO_TRUSTED_PROXIES=127.0.0.1

echo "== machine"
echo "cores: $(nproc); cpu: $(lscpu | sed -n 's/^Model name: *//p'); memory: $(free -h | awk '/^Mem:/ {print $2}')"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown); binary: $BENCH_BIN"
echo "wrk ${WRK[*]} -d$DURATION --latency (warm-up $WARMUP)"
busy_before="$(bench_cpu_busy)"
echo "CPU busy before start: ${busy_before}%"
if ((busy_before > 10)); then
    bench_log "warning: something else is using the CPU (${busy_before}% busy); figures will be lower and noisier"
fi

for kind in "${DBS[@]}"; do
    echo
    echo "== $kind"
    bench_start_server "$kind"
    # A CSRF cookie and its form token, from the sign-in page (one pair serves every request).
    jar="$BENCH_DIR/cookies"
    token="$(curl -s -c "$jar" "$BENCH_URL/login/certificate" |
        sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -n 1)"
    cookie="$(awk '$6 == "csrf" { print $7 }' "$jar")"
    [[ -n "$token" && -n "$cookie" ]] || { bench_log "no CSRF token on /login/certificate"; exit 1; }
    status="$(curl -s -o /dev/null -w '%{http_code}' -b "csrf=$cookie" -H "X-Client-Cert: $PEM" \
        --data-urlencode "_csrf=$token" -d next= "$BENCH_URL/login/certificate")"
    [[ "$status" == 303 ]] || { bench_log "POST /login/certificate answered $status, expected 303"; exit 1; }
    bench_expect_status "$BENCH_URL/bench/bare" 200

    wrk "${WRK[@]}" -d"$WARMUP" "$BENCH_URL/bench/bare" >/dev/null
    bench_wrk "$kind bare" "${WRK[@]}" -d"$DURATION" "$BENCH_URL/bench/bare"
    wrk "${WRK[@]}" -d"$WARMUP" -s "$BENCH_ROOT/bench/certificate.lua" "$BENCH_URL/login/certificate" \
        -- "$cookie" "$token" "$PEM" >/dev/null
    bench_wrk "$kind certificate" "${WRK[@]}" -d"$DURATION" -s "$BENCH_ROOT/bench/certificate.lua" \
        "$BENCH_URL/login/certificate" -- "$cookie" "$token" "$PEM"
    echo "certificate sign-ins / bare: $(bench_ratio "$kind certificate" "$kind bare")"
    bench_stop_server
done
