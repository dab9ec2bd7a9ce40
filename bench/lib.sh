# shellcheck shell=bash
# Benchmark helpers shared by every block's bench script. Source it, don't run it:
#
#   source "$(dirname "$0")/lib.sh"
#   bench_start_server sqlite
#   bench_wrk "home" -t2 -c32 -d10s "$BENCH_URL/"
#   bench_stop_server
#
# Everything a run creates (server process, PostgreSQL database, temp directory) is removed by an
# EXIT trap, so an interrupted or failed run leaves nothing behind to skew the next one.

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_BIN="${BENCH_BIN:-$BENCH_ROOT/target/release/portico}"
BENCH_PG_URL="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"

# Figures kept by bench_wrk, keyed by label, so callers can compute ratios from the same run.
# shellcheck disable=SC2034  # read by the scripts that source this file
declare -gA BENCH_RPS=() BENCH_P50=() BENCH_P99=() BENCH_BAD=()

# The running server; BENCH_KIND (sqlite or postgres) is there for callers' labels.
BENCH_PID=""
BENCH_DIR=""
BENCH_DB=""
BENCH_KIND=""
BENCH_URL=""

bench_log() { printf '[bench] %s\n' "$*" >&2; }

# Milliseconds from a wrk duration such as 850.00us, 1.23ms, 2.01s or 1.50m.
bench_to_ms() {
    awk -v d="$1" 'BEGIN {
        n = d + 0; u = d; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.2f", n }'
}

# Percent of all CPU time spent busy over the next second. Anything else running on the machine
# (a build, a test suite) takes cores from the server and wrk alike and skews every figure, so
# scripts print this before they start. Sampled rather than read from the load average, which
# lags by minutes and still counts the build a script has just finished.
bench_cpu_busy() {
    local a b
    a="$(head -n 1 /proc/stat)"
    sleep 1
    b="$(head -n 1 /proc/stat)"
    awk -v a="$a" -v b="$b" 'BEGIN {
        n = split(a, x); split(b, y); total = 0
        for (i = 2; i <= n; i++) total += y[i] - x[i]
        idle = (y[5] - x[5]) + (y[6] - x[6])   # idle + iowait
        busy = 0; if (total > 0) busy = 100 * (total - idle) / total
        printf "%.0f", busy }'
}

bench_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts `portico demo` on a fresh database and waits until it answers /readyz.
# Each server gets its own data directory and database so runs never see each other's rows.
bench_start_server() {
    local kind="${1:?usage: bench_start_server sqlite|postgres}"
    [[ -z "$BENCH_PID" ]] || { bench_log "a server is already running (pid $BENCH_PID)"; return 1; }
    [[ -x "$BENCH_BIN" ]] || { bench_log "no binary at $BENCH_BIN (cargo build --release -p portico)"; return 1; }

    local port
    port="$(bench_free_port)"
    BENCH_DIR="$(mktemp -d "${TMPDIR:-/tmp}/portico-bench.XXXXXX")"
    # shellcheck disable=SC2034  # for callers
    BENCH_KIND="$kind"

    # PORTICO_BENCH serves /bench/bare, the baseline every run is measured beside.
    local -a env_args=(PORTICO_LISTEN="127.0.0.1:$port" PORTICO_DATA_DIR="$BENCH_DIR/data" PORTICO_BENCH=true
        PORTICO_LOG="${PORTICO_LOG:-warn}")
    case "$kind" in
        sqlite)
            # An inherited DATABASE_URL would silently turn a "sqlite" run into a PostgreSQL one.
            env_args=(-u DATABASE_URL "${env_args[@]}")
            ;;
        postgres)
            BENCH_DB="portico_bench_$$_${RANDOM}"
            psql "$BENCH_PG_URL/postgres" -qAt -v ON_ERROR_STOP=1 \
                -c "CREATE DATABASE $BENCH_DB" >/dev/null
            env_args+=(DATABASE_URL="$BENCH_PG_URL/$BENCH_DB")
            ;;
        *) bench_log "unknown database kind: $kind (sqlite or postgres)"; return 1 ;;
    esac

    env "${env_args[@]}" "$BENCH_BIN" demo >"$BENCH_DIR/server.out" 2>"$BENCH_DIR/server.err" &
    BENCH_PID=$!
    BENCH_URL="http://127.0.0.1:$port"
    export BENCH_URL

    # Seeding hashes demo passwords, so readiness can take a few seconds.
    local i
    for ((i = 0; i < 600; i++)); do
        if ! kill -0 "$BENCH_PID" 2>/dev/null; then
            bench_log "server exited during start-up; its stderr:"
            tail -n 30 "$BENCH_DIR/server.err" >&2
            BENCH_PID=""
            return 1
        fi
        if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$BENCH_URL/readyz")" == 200 ]]; then
            bench_log "server ($kind) ready at $BENCH_URL, pid $BENCH_PID"
            return 0
        fi
        sleep 0.1
    done
    bench_log "server not ready after 60 s; its stderr:"
    tail -n 30 "$BENCH_DIR/server.err" >&2
    return 1
}

# Stops the server and removes its database and directory. Anything the server wrote to stderr
# (at PORTICO_LOG=warn that means warnings, errors, panics) is shown: a benchmark of a
# misbehaving server needs a look before its figures are trusted.
bench_stop_server() {
    if [[ -n "$BENCH_PID" ]]; then
        if kill -0 "$BENCH_PID" 2>/dev/null; then
            kill -TERM "$BENCH_PID" 2>/dev/null || true
            local i
            for ((i = 0; i < 100; i++)); do
                kill -0 "$BENCH_PID" 2>/dev/null || break
                sleep 0.1
            done
            if kill -0 "$BENCH_PID" 2>/dev/null; then
                bench_log "server did not stop on TERM within 10 s; killing it"
                kill -KILL "$BENCH_PID" 2>/dev/null || true
            fi
        else
            bench_log "server (pid $BENCH_PID) had already exited before it was stopped"
        fi
        wait "$BENCH_PID" 2>/dev/null || true
        BENCH_PID=""
    fi
    if [[ -n "$BENCH_DIR" && -s "$BENCH_DIR/server.err" ]]; then
        bench_log "server stderr ($(wc -l <"$BENCH_DIR/server.err") lines, last 20):"
        tail -n 20 "$BENCH_DIR/server.err" >&2
    fi
    if [[ -n "$BENCH_DB" ]]; then
        psql "$BENCH_PG_URL/postgres" -qAt -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" \
            >/dev/null || bench_log "could not drop database $BENCH_DB"
        BENCH_DB=""
    fi
    if [[ -n "$BENCH_DIR" ]]; then
        # BENCH_KEEP=DIR keeps each server's folder (its log and data) under DIR, to read after.
        if [[ -n "${BENCH_KEEP:-}" ]]; then
            mkdir -p "$BENCH_KEEP" && cp -r "$BENCH_DIR" "$BENCH_KEEP/" &&
                bench_log "kept $BENCH_DIR in $BENCH_KEEP"
        fi
        rm -rf "$BENCH_DIR"
        BENCH_DIR=""
    fi
    BENCH_URL=""
}

bench_cleanup() { bench_stop_server; }
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# RFC 6238 code (SHA-1, 6 digits) for a 30-second step.
bench_totp() {
    python3 - "$1" "$2" <<'PY'
import base64, hashlib, hmac, struct, sys
secret, step = sys.argv[1], int(sys.argv[2])
key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
off = mac[-1] & 0x0F
print("%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000))
PY
}

# The value of cookie $2 from the Set-Cookie headers in file $1.
bench_set_cookie() {
    sed -n "s/^[Ss]et-[Cc]ookie: $2=\([^;]*\).*/\1/p" "$1" | tail -n 1 | tr -d '\r'
}

# Gets a csrf cookie and its form token into BENCH_CSRF_COOKIE and BENCH_CSRF_TOKEN. The token is
# bound to the cookie value and reusable, so one pair serves a whole wrk run.
bench_csrf() {
    local headers="$BENCH_DIR/csrf.headers"
    curl -s -D "$headers" -o "$BENCH_DIR/csrf.html" "$BENCH_URL/login"
    BENCH_CSRF_COOKIE="$(bench_set_cookie "$headers" csrf)"
    BENCH_CSRF_TOKEN="$(sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' "$BENCH_DIR/csrf.html" | head -n 1)"
    if [[ -z "$BENCH_CSRF_COOKIE" || -z "$BENCH_CSRF_TOKEN" ]]; then
        bench_log "GET /login gave no csrf cookie or token"
        return 1
    fi
}

# Signs in with password then TOTP and prints the complete session cookie value.
bench_sign_in() {
    local email="${1:?email}" password="${2:?password}" secret="${3:?totp secret}"
    local h="$BENCH_DIR/signin.headers" status
    bench_csrf || return 1

    status="$(curl -s -o /dev/null -D "$h" -w '%{http_code}' \
        -H "Cookie: csrf=$BENCH_CSRF_COOKIE" \
        --data-urlencode "_csrf=$BENCH_CSRF_TOKEN" --data-urlencode "identifier=$email" \
        --data-urlencode "password=$password" "$BENCH_URL/login")"
    local pending
    pending="$(bench_set_cookie "$h" portico_session)"
    if [[ "$status" != 303 || -z "$pending" ]]; then
        bench_log "POST /login for $email answered $status (expected 303 with a session cookie)"
        return 1
    fi

    # The server accepts the current step or the next one, each once per account; taking the
    # next unused step lets back-to-back sign-ins of one account go through without waiting.
    # The last step used is kept in a file because callers run this in $(…), a subshell, and in
    # the server's directory because a fresh server (fresh database) has used none.
    local now step last state="$BENCH_DIR/totp-last-step.$secret"
    now="$(date +%s)"
    step=$((now / 30))
    last="$(cat "$state" 2>/dev/null || echo 0)"
    if ((last >= step)); then
        step=$((last + 1))
        if ((step > now / 30 + 1)); then
            local wait=$(((step - 1) * 30 - now + 1))
            bench_log "waiting ${wait}s for an unused TOTP step"
            sleep "$wait"
        fi
    fi
    local code
    code="$(bench_totp "$secret" "$step")"
    status="$(curl -s -o /dev/null -D "$h" -w '%{http_code}' \
        -H "Cookie: csrf=$BENCH_CSRF_COOKIE; portico_session=$pending" \
        --data-urlencode "_csrf=$BENCH_CSRF_TOKEN" --data-urlencode "code=$code" \
        "$BENCH_URL/login/totp")"
    local session location
    session="$(bench_set_cookie "$h" portico_session)"
    location="$(sed -n 's/^[Ll]ocation: *//p' "$h" | tr -d '\r')"
    if [[ "$status" != 303 || "$location" == /login* || -z "$session" ]]; then
        bench_log "POST /login/totp answered $status to ${location:-nowhere} (expected 303 past the sign-in)"
        return 1
    fi
    echo "$step" >"$state"
    printf '%s\n' "$session"
}

# Fails unless GET $1 (with optional curl args) answers status $2. wrk counts any 3xx as success,
# so a lapsed session redirecting to /login would otherwise be benchmarked as if it were the page.
bench_expect_status() {
    local url="$1" want="$2" got
    shift 2
    got="$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url")"
    if [[ "$got" != "$want" ]]; then
        bench_log "GET $url answered $got, expected $want"
        return 1
    fi
}

# Runs wrk with --latency, prints "label  req/s  p50  p99" and stores the figures under label.
# Responses wrk counts as errors (non-2xx/3xx, socket errors) and lines a Lua script prints as
# "bench: bad=N" mark the figure as suspect in BENCH_BAD and on the printed line.
bench_wrk() {
    local label="${1:?label}"
    shift
    local out
    out="$(wrk --latency "$@")" || { bench_log "wrk failed for $label"; printf '%s\n' "$out" >&2; return 1; }

    local rps p50 p99 non2xx sockerr luabad bad=0
    rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
    p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
    non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")"
    sockerr="$(sed -n 's/^ *Socket errors: *//p' <<<"$out")"
    luabad="$(sed -n 's/^bench: .*bad=\([0-9]*\).*/\1/p' <<<"$out")"
    # A Lua check sees every response wrk counts as non-2xx/3xx, so take the larger, not the sum.
    bad=$((${non2xx:-0} > ${luabad:-0} ? ${non2xx:-0} : ${luabad:-0}))

    BENCH_RPS[$label]="$rps"
    BENCH_P50[$label]="$(bench_to_ms "$p50")"
    BENCH_P99[$label]="$(bench_to_ms "$p99")"
    # shellcheck disable=SC2034  # for callers
    BENCH_BAD[$label]="$bad"

    local note=""
    ((bad == 0)) || note="  !! $bad bad responses"
    [[ -z "$sockerr" ]] || note="$note  !! socket errors: $sockerr"
    printf '%-28s %10.1f req/s   p50 %9s ms   p99 %9s ms%s\n' \
        "$label" "$rps" "${BENCH_P50[$label]}" "${BENCH_P99[$label]}" "$note"
    # Whatever a Lua script reports (e.g. its own status counts) is shown beside the figure.
    grep '^bench: ' <<<"$out" | sed 's/^/    /' || true

    if [[ -n "${BENCH_OUT:-}" ]]; then
        printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$rps" "${BENCH_P50[$label]}" \
            "${BENCH_P99[$label]}" "$bad" >>"$BENCH_OUT"
    fi
}

# Prints a/b to three decimals; each of a and b is a bench_wrk label or a plain number.
bench_ratio() {
    local a="${BENCH_RPS[$1]:-$1}" b="${BENCH_RPS[$2]:-$2}"
    awk -v a="$a" -v b="$b" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.3f\n", a / b }'
}
