#!/usr/bin/env bash
# Service catalogue figures: search latency and throughput over a catalogue of 10,000 services
# (JSON API and HTML page), and application submissions per second, on SQLite and on PostgreSQL.
# Each is printed beside the same harness against GET /bench/bare of the same server in the same
# run: wrk for search, bench/submissions.py for submissions. Prints figures; judges nothing.
#
#   bench/services.sh                        # both databases, 10 s per search figure
#   BENCH_DBS=sqlite BENCH_SUBMISSIONS=500 bench/services.sh
#
# wrk, the Python client and the server share the machine's cores; compare ratios within a run.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

read -ra DBS <<<"${BENCH_DBS:-sqlite postgres}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-3s}"
SERVICES="${BENCH_SERVICES:-10000}"
SUBMISSIONS="${BENCH_SUBMISSIONS:-6000}"
SUBMIT_WORKERS="${BENCH_SUBMIT_WORKERS:-8}"
SUBMIT_WARMUP="${BENCH_SUBMIT_WARMUP:-100}"
# The same wrk settings as foundation.sh (throughput under load), and one connection at a time
# (the latency of one search with nothing queued in front of it).
WRK=(-t2 -c32 --timeout 10s)
WRK_ONE=(-t1 -c1 --timeout 10s)
TOTP_SECRET="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" # every prepared citizen's authenticator key

BENCH_DIR_SELF="$BENCH_ROOT/bench"
JSON_PREFIX="/api/v1/services?q="
HTML_PREFIX="/services?q="

echo "== building release binary"
# A binary given in BENCH_BIN is measured as it is (no build).
if [[ "$BENCH_BIN" == "$BENCH_ROOT/target/release/portico" ]]; then
    (cd "$BENCH_ROOT" && cargo build --release -p portico --quiet)
fi

echo "== machine"
echo "cores: $(nproc); cpu: $(lscpu | sed -n 's/^Model name: *//p'); memory: $(free -h | awk '/^Mem:/ {print $2}')"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "catalogue: demo + $SERVICES synthetic services; search: wrk ${WRK[*]} and ${WRK_ONE[*]}, -d$DURATION --latency (warm-up $WARMUP)"
echo "submissions: $SUBMISSIONS timed (+$SUBMIT_WARMUP warm-up), $SUBMIT_WORKERS workers, bench/submissions.py"
busy_before="$(bench_cpu_busy)"
echo "CPU busy before start: ${busy_before}%"
if ((busy_before > 10)); then
    bench_log "warning: something else is using the CPU (${busy_before}% busy); figures will be lower and noisier"
fi

# The search queries, from search.lua (one quoted query a line), so both use the same list.
mapfile -t QUERIES < <(sed -n 's/^   "\([^"]*\)",.*/\1/p' "$BENCH_DIR_SELF/search.lua")
((${#QUERIES[@]} > 0)) || { bench_log "no queries found in search.lua"; exit 1; }

# The environment lib.sh gave the running server (its data folder and database), for running the
# portico binary against them: `env "${CLI_ENV[@]}" "$BENCH_BIN" …`. An array rather than a
# wrapper function, so that `env … serve &` gives the server's own pid in $! (a backgrounded
# function would be a subshell, and killing it would leave the server running).
CLI_ENV=()
set_cli_env() {
    CLI_ENV=(PORTICO_DATA_DIR="$BENCH_DIR/data" PORTICO_LOG="${PORTICO_LOG:-warn}")
    case "$BENCH_KIND" in
        sqlite) CLI_ENV=(-u DATABASE_URL "${CLI_ENV[@]}") ;;
        postgres) CLI_ENV+=(DATABASE_URL="$BENCH_PG_URL/$BENCH_DB") ;;
    esac
}

# A fresh server with the benchmark data. lib.sh's bench_start_server makes the database and data
# folder and seeds the demo (`portico demo`); the benchmark data is added with the server stopped
# (bench-seed and bench-prepare-submissions are meant to run before a node starts), then the
# server is started again on the same port, folder and database with `portico serve`. lib.sh's
# EXIT trap still owns all of it and cleans up as usual.
start_seeded_server() {
    local kind="$1" port pairs_wanted=$((SUBMISSIONS + SUBMIT_WARMUP))
    bench_start_server "$kind"
    port="${BENCH_URL##*:}"
    set_cli_env

    kill -TERM "$BENCH_PID"
    wait "$BENCH_PID" 2>/dev/null || true
    BENCH_PID=""

    local t0=$SECONDS
    env "${CLI_ENV[@]}" "$BENCH_BIN" bench-seed --services "$SERVICES" >&2
    env "${CLI_ENV[@]}" "$BENCH_BIN" bench-prepare-submissions --count "$pairs_wanted" >"$BENCH_DIR/pairs.txt"
    local got
    got="$(wc -l <"$BENCH_DIR/pairs.txt")"
    bench_log "seeded $SERVICES services and prepared $got submissions in $((SECONDS - t0)) s"
    if ((got != pairs_wanted)); then
        bench_log "asked for $pairs_wanted prepared submissions, got $got"
        return 1
    fi

    env "${CLI_ENV[@]}" PORTICO_LISTEN="127.0.0.1:$port" PORTICO_BENCH=true PORTICO_DEV_SINKS=true "$BENCH_BIN" serve \
        >>"$BENCH_DIR/server.out" 2>>"$BENCH_DIR/server.err" &
    BENCH_PID=$!
    local i
    for ((i = 0; i < 600; i++)); do
        if ! kill -0 "$BENCH_PID" 2>/dev/null; then
            bench_log "server exited during restart; its stderr:"
            tail -n 30 "$BENCH_DIR/server.err" >&2
            BENCH_PID=""
            return 1
        fi
        [[ "$(curl -s -o /dev/null -w '%{http_code}' "$BENCH_URL/readyz")" == 200 ]] && return 0
        sleep 0.1
    done
    bench_log "server not ready 60 s after restart"
    return 1
}

# Asks every query once on both pages (each must answer 200), builds the search index on the way
# (the first search after a start does), and prints how many services each query matches and
# what each costs alone.
check_queries() {
    python3 - "$BENCH_URL" "$JSON_PREFIX" "$HTML_PREFIX" "${QUERIES[@]}" <<'PY'
import json, sys, time, urllib.parse, urllib.request
base, json_prefix, html_prefix, queries = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
t0 = time.perf_counter()
urllib.request.urlopen(base + json_prefix + "x").read()
print("    first search (builds the index): %.0f ms" % ((time.perf_counter() - t0) * 1000))
failed, line = 0, []
for q in queries:
    enc = urllib.parse.quote(q, safe="")
    try:
        with urllib.request.urlopen(base + json_prefix + enc) as r:
            total = json.load(r)["total"]
        with urllib.request.urlopen(base + html_prefix + enc) as r:
            r.read()
        line.append("%s: %d" % (q, total))
    except Exception as e:  # an HTTPError (non-2xx) or a body that is not the expected JSON
        failed += 1
        print("    !! %r: %s" % (q, e))
print("    matches: " + "; ".join(line))
if failed:
    sys.exit(1)
# One search at a time, each query 15 times: the median per query shows what a query costs by
# itself (urllib's own ~0.2 ms included), which the mixed wrk figures average over.
def median_ms(url):
    times = []
    for _ in range(15):
        t = time.perf_counter()
        urllib.request.urlopen(url).read()
        times.append((time.perf_counter() - t) * 1000)
    return sorted(times)[len(times) // 2]
cost = []
for q in queries:
    enc = urllib.parse.quote(q, safe="")
    cost.append((median_ms(base + json_prefix + enc), median_ms(base + html_prefix + enc), q))
cost.sort(reverse=True)
print("    median ms per query, json/html, slowest first: "
      + "; ".join("%s %.1f/%.1f" % (q, j, h) for j, h, q in cost))
PY
}

warm_up() {
    wrk "${WRK[@]}" -d"$WARMUP" "$@" >/dev/null
}

# Keeps a submissions.py result line in lib.sh's tables, so bench_ratio and BENCH_OUT work alike.
keep_result() {
    local label="$1" rps="$2" p50="$3" p99="$4" bad="$5"
    BENCH_RPS[$label]="$rps"
    BENCH_P50[$label]="$p50"
    BENCH_P99[$label]="$p99"
    BENCH_BAD[$label]="$bad"
    if [[ -n "${BENCH_OUT:-}" ]]; then
        printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$rps" "$p50" "$p99" "$bad" >>"$BENCH_OUT"
    fi
}

# How many of the timed applications the database holds as submitted (state moved on from
# draft, submission time and signature set): must be all of them.
count_submitted() {
    local ids="$1"
    case "$BENCH_KIND" in
        sqlite)
            python3 - "$BENCH_DIR/data/portico.db" "$ids" <<'PY'
import sqlite3, sys
con = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
ids = [l.strip() for l in open(sys.argv[2]) if l.strip()]
con.execute("CREATE TEMP TABLE want (id TEXT PRIMARY KEY)")
con.executemany("INSERT INTO want VALUES (?)", [(i,) for i in ids])
print(con.execute("SELECT count(*) FROM applications a JOIN want w ON w.id = a.id WHERE a.state <> 'draft' "
                  "AND a.submitted_at IS NOT NULL AND a.submission_signature IS NOT NULL").fetchone()[0])
PY
            ;;
        postgres)
            {
                echo "SELECT count(*) FROM applications WHERE state <> 'draft' AND submitted_at IS NOT NULL"
                echo "AND submission_signature IS NOT NULL AND id::text IN ("
                sed "s/.*/'&'/" "$ids" | paste -sd,
                echo ");"
            } | psql "$BENCH_PG_URL/$BENCH_DB" -qAt -v ON_ERROR_STOP=1
            ;;
    esac
}

# Runs one read-only SQL statement on the running server's database; prints rows tab-separated.
db_query() {
    case "$BENCH_KIND" in
        sqlite)
            python3 -c 'import sqlite3, sys
con = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
for row in con.execute(sys.argv[2]):
    print("\t".join(map(str, row)))' "$BENCH_DIR/data/portico.db" "$1"
            ;;
        postgres) psql "$BENCH_PG_URL/$BENCH_DB" -qAt -F $'\t' -v ON_ERROR_STOP=1 -c "$1" ;;
    esac
}

failures=0
for db in "${DBS[@]}"; do
    echo
    echo "== $db"
    start_seeded_server "$db"
    # Seeding leaves work behind (PostgreSQL's autovacuum after the bulk insert, for one): give
    # the machine up to 15 s to settle, then say how busy it was.
    busy="$(bench_cpu_busy)"
    for ((i = 0; i < 15 && busy > 20; i++)); do busy="$(bench_cpu_busy)"; done
    echo "CPU busy before this database's runs: ${busy}%"

    bench_expect_status "$BENCH_URL/bench/bare" 200
    check_queries

    # Search: throughput with 32 connections, then one search at a time.
    lua=(-s "$BENCH_DIR_SELF/search.lua" "$BENCH_URL/")
    warm_up "$BENCH_URL/bench/bare"
    bench_wrk "$db bare" "${WRK[@]}" -d"$DURATION" "$BENCH_URL/bench/bare"
    warm_up "${lua[@]}" -- "$JSON_PREFIX"
    bench_wrk "$db search json" "${WRK[@]}" -d"$DURATION" "${lua[@]}" -- "$JSON_PREFIX"
    warm_up "${lua[@]}" -- "$HTML_PREFIX"
    bench_wrk "$db search html" "${WRK[@]}" -d"$DURATION" "${lua[@]}" -- "$HTML_PREFIX"
    bench_wrk "$db bare c1" "${WRK_ONE[@]}" -d"$DURATION" "$BENCH_URL/bench/bare"
    bench_wrk "$db search json c1" "${WRK_ONE[@]}" -d"$DURATION" "${lua[@]}" -- "$JSON_PREFIX"
    bench_wrk "$db search html c1" "${WRK_ONE[@]}" -d"$DURATION" "${lua[@]}" -- "$HTML_PREFIX"

    # Submissions, each prepared draft exactly once; the last thing this server does.
    bench_csrf
    ids="$BENCH_DIR/timed-ids.txt"
    out="$(python3 "$BENCH_DIR_SELF/submissions.py" --url "$BENCH_URL" --pairs "$BENCH_DIR/pairs.txt" \
        --csrf-cookie "$BENCH_CSRF_COOKIE" --csrf-token "$BENCH_CSRF_TOKEN" \
        --totp-secret "$TOTP_SECRET" --workers "$SUBMIT_WORKERS" --warmup "$SUBMIT_WARMUP" \
        --label "$db" --ids-out "$ids" --server-pid "$BENCH_PID")" || failures=$((failures + 1))
    grep -v $'^result\t' <<<"$out" || true
    while IFS=$'\t' read -r _ label rps p50 p99 bad; do
        keep_result "$label" "$rps" "$p50" "$p99" "$bad"
    done < <(grep $'^result\t' <<<"$out")

    submitted="$(count_submitted "$ids")"
    echo "    database: $submitted of $SUBMISSIONS timed applications are submitted and signed"
    if ((submitted != SUBMISSIONS)); then
        bench_log "!! only $submitted of $SUBMISSIONS timed applications were submitted"
        failures=$((failures + 1))
    fi
    # Each submission also queues an e-mail notification job, which the server's job runner works
    # off in the background, on the same cores and (on SQLite) the same single writer. Say how
    # far behind it was when the timed run ended, and how long it took to catch up with no load.
    jobs_sql="SELECT count(*) FROM jobs WHERE kind = 'cases.notify_email' AND status = 'pending'"
    pending="$(db_query "$jobs_sql")"
    t0="$(date +%s.%N)"
    left="$pending"
    for ((i = 0; i < 1200 && left > 0; i++)); do
        sleep 0.1
        left="$(db_query "$jobs_sql")"
    done
    echo "    e-mail notification jobs: $pending of $((SUBMISSIONS + SUBMIT_WARMUP)) still pending when the run" \
        "ended; $(awk -v a="$t0" -v b="$(date +%s.%N)" -v n="$pending" -v left="$left" 'BEGIN {
            s = b - a; if (left > 0) printf "%d still pending after %.0f s", left, s
            else if (n == 0) printf "none to catch up"
            else printf "all done %.1f s later (%.0f jobs/s with no load)", s, n / s }')"
    dead="$(db_query "SELECT count(*) FROM jobs WHERE status = 'dead'")"
    ((dead == 0)) || bench_log "!! $dead dead jobs (failed for good) in the database"
    echo "    $(env "${CLI_ENV[@]}" "$BENCH_BIN" audit verify 2>&1 | tail -n 1)"

    bench_stop_server
done

echo
echo "== summary (req/s; latency p50 / p99 in ms; ratios from this run)"
echo "CPU busy before start: ${busy_before}%"
for db in "${DBS[@]}"; do
    echo
    printf '%-10s %-34s %10s %10s %10s\n' "$db" "figure" "req/s" "p50 ms" "p99 ms"
    for what in "bare" "search json" "search html" "bare c1" "search json c1" "search html c1" \
        "bare (python)" "submit"; do
        label="$db $what"
        [[ -n "${BENCH_RPS[$label]:-}" ]] || continue
        flag=""
        [[ "${BENCH_BAD[$label]}" == 0 ]] || flag="  !! ${BENCH_BAD[$label]} bad responses"
        printf '%-10s %-34s %10.1f %10s %10s%s\n' "" "$what" "${BENCH_RPS[$label]}" \
            "${BENCH_P50[$label]}" "${BENCH_P99[$label]}" "$flag"
    done
    printf '%-10s %-34s %10s\n' "" "search json / bare (wrk -c32)" "$(bench_ratio "$db search json" "$db bare")"
    printf '%-10s %-34s %10s\n' "" "search html / bare (wrk -c32)" "$(bench_ratio "$db search html" "$db bare")"
    printf '%-10s %-34s %10s\n' "" "submit / bare (python)" "$(bench_ratio "$db submit" "$db bare (python)")"
done

if ((failures > 0)); then
    bench_log "!! $failures submission run(s) had failures or unsubmitted applications; see above"
    exit 1
fi
