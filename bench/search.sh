#!/usr/bin/env bash
# Search latency over a large catalogue (issue 15): p50/p99 of one search at a time through the
# JSON API over demo + 100,000 synthetic services, with the Bulgarian stemmer, transliteration of
# Latin-typed Bulgarian, typo tolerance and synonyms all on (the queries are bench/search.lua's:
# word forms, typos, Latin-typed, English), beside GET /bench/bare of the same server in the same
# run, and the same under load (32 connections). Prints figures and ratios; judges nothing.
#
#   bench/search.sh                                      # release build, both databases
#   BENCH_BIN=target/debug/portico BENCH_DBS=sqlite BENCH_SERVICES=2000 BENCH_DURATION=3s bench/search.sh
#
# With BENCH_BIN set the binary is used as it is (nothing is built). wrk and the server share the
# machine's cores; compare ratios within one run.
set -euo pipefail

BUILD=1
[[ -n "${BENCH_BIN:-}" ]] && BUILD=0
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read -ra DBS <<<"${BENCH_DBS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-3s}"
SERVICES="${BENCH_SERVICES:-100000}"
WRK_ONE=(-t1 -c1 --timeout 10s)
WRK=(-t2 -c32 --timeout 10s)
LUA="$BENCH_ROOT/bench/search.lua"
JSON_PREFIX="/api/v1/services?q="

if ((BUILD)); then
    echo "== building release binary"
    (cd "$BENCH_ROOT" && cargo build --release -p portico --quiet)
fi
echo "== machine"
echo "cores: $(nproc); date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "binary: $BENCH_BIN; catalogue: demo + $SERVICES synthetic services; wrk ${WRK_ONE[*]} and ${WRK[*]} -d$DURATION --latency"

# A server with the demo and the synthetic services: lib.sh starts and seeds the demo, the
# services are added with the server stopped, and it is started again on the same port.
start_seeded_server() {
    local kind="$1" port
    bench_start_server "$kind"
    port="${BENCH_URL##*:}"
    local env_cli=(PORTICO_DATA_DIR="$BENCH_DIR/data" PORTICO_LOG="${PORTICO_LOG:-warn}")
    case "$kind" in
        sqlite) env_cli=(-u DATABASE_URL "${env_cli[@]}") ;;
        postgres) env_cli+=(DATABASE_URL="$BENCH_PG_URL/$BENCH_DB") ;;
    esac
    kill -TERM "$BENCH_PID"
    wait "$BENCH_PID" 2>/dev/null || true
    BENCH_PID=""
    local t0=$SECONDS
    env "${env_cli[@]}" "$BENCH_BIN" bench-seed --services "$SERVICES" >&2
    bench_log "seeded $SERVICES services in $((SECONDS - t0)) s"
    env "${env_cli[@]}" PORTICO_LISTEN="127.0.0.1:$port" PORTICO_BENCH=true PORTICO_DEV_SINKS=true "$BENCH_BIN" serve \
        >>"$BENCH_DIR/server.out" 2>>"$BENCH_DIR/server.err" &
    BENCH_PID=$!
    local i
    for ((i = 0; i < 1200; i++)); do
        kill -0 "$BENCH_PID" 2>/dev/null || { bench_log "server exited"; tail -n 30 "$BENCH_DIR/server.err" >&2; BENCH_PID=""; return 1; }
        [[ "$(curl -s -o /dev/null -w '%{http_code}' "$BENCH_URL/readyz")" == 200 ]] && return 0
        sleep 0.1
    done
    bench_log "server not ready 120 s after restart"
    return 1
}

for kind in "${DBS[@]}"; do
    echo "== $kind"
    start_seeded_server "$kind"
    # The first search builds the index; time it apart.
    t0=$(date +%s%N)
    curl -s -o /dev/null "$BENCH_URL${JSON_PREFIX}x"
    echo "    first search (builds the index over $SERVICES+ services): $((($(date +%s%N) - t0) / 1000000)) ms"
    wrk "${WRK_ONE[@]}" -d"$WARMUP" -s "$LUA" "$BENCH_URL" -- "$JSON_PREFIX" >/dev/null
    bench_wrk "$kind bare, one at a time" "${WRK_ONE[@]}" -d"$DURATION" "$BENCH_URL/bench/bare"
    bench_wrk "$kind search, one at a time" "${WRK_ONE[@]}" -d"$DURATION" -s "$LUA" "$BENCH_URL" -- "$JSON_PREFIX"
    bench_wrk "$kind bare, 32 connections" "${WRK[@]}" -d"$DURATION" "$BENCH_URL/bench/bare"
    bench_wrk "$kind search, 32 connections" "${WRK[@]}" -d"$DURATION" -s "$LUA" "$BENCH_URL" -- "$JSON_PREFIX"
    echo "    search/bare throughput, one at a time: $(bench_ratio "$kind search, one at a time" "$kind bare, one at a time")"
    echo "    search/bare throughput, 32 connections: $(bench_ratio "$kind search, 32 connections" "$kind bare, 32 connections")"
    echo "    search p99 one at a time: ${BENCH_P99["$kind search, one at a time"]} ms (bare ${BENCH_P99["$kind bare, one at a time"]} ms)"
    bench_stop_server
done
