#!/usr/bin/env python3
"""Closed-loop load generator for application submissions, and for the bare endpoint beside them.

wrk cannot send each request exactly once (it repeats a request, or a Lua script's list, until the
time is up), and a second submit of the same application answers 303 cheaply without doing the
work. So this sends every (session, application) pair exactly once, with a fixed number of
workers, each on its own keep-alive connection, and stops when the list is done. The same harness
(same workers, same connections, same number of requests) first times GET /bench/bare, so the two
figures can be set against each other: the Python client is far slower than wrk and its own cost
is part of both.

    submissions.py --url http://127.0.0.1:PORT --pairs FILE --csrf-cookie C --csrf-token T \\
        --totp-secret S [--workers 8] [--warmup 100] [--ids-out FILE]

FILE has one "SESSION_TOKEN APPLICATION_ID" line per prepared draft (`portico
bench-prepare-submissions`). The first --warmup pairs are submitted (to completion, not timed) to
fill connection pools and caches; the rest are the timed run, and the bare run uses as many
requests. A submission counts as good only if it answers 303 to /applications/{id}?submitted=1.
No request is ever retried: a retried submit could take the cheap already-submitted path.

Prints one human line per figure (with, on Linux, how busy the machine was during the run and
the CPU time the server, PostgreSQL's processes and this harness spent per request), and one
machine line per figure:
    result<TAB>label<TAB>req/s<TAB>p50 ms<TAB>p99 ms<TAB>bad
Exits 1 if any request failed (the figures are still printed, flagged).
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import os
import struct
import sys
import threading
import time
import urllib.parse


def totp(key, step):
    """RFC 6238 code (SHA-1, 6 digits) for a 30-second step."""
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def cpu_snapshot(server_pid):
    """CPU counters (Linux /proc): the machine's busy and total ticks, the server's, PostgreSQL's
    processes' (all of them, zero when there are none) and this harness's own CPU seconds."""
    snap = {"harness": sum(os.times()[:2])}
    try:
        with open("/proc/stat") as f:
            ticks = [int(x) for x in f.readline().split()[1:]]
        snap["total"], snap["idle"] = sum(ticks), ticks[3] + ticks[4]
        snap["server"] = process_ticks(server_pid) if server_pid else 0
        snap["postgres"] = 0
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open("/proc/%s/comm" % entry) as f:
                        if f.read().strip() == "postgres":
                            snap["postgres"] += process_ticks(int(entry))
                except OSError:
                    pass
    except OSError:
        pass
    return snap


def process_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def cpu_note(before, after, requests):
    """'machine 97% busy; server 1.20, postgres 0.40, harness 0.30 ms CPU per request'."""
    if "total" not in before or "total" not in after or requests == 0:
        return ""
    hz = os.sysconf("SC_CLK_TCK")
    total = after["total"] - before["total"]
    busy = 100.0 * (total - (after["idle"] - before["idle"])) / total if total else 0.0
    per = lambda key, scale: (after[key] - before[key]) * scale * 1000.0 / requests
    parts = []
    if after["server"]:
        parts.append("server %.2f" % per("server", 1.0 / hz))
    if after["postgres"]:
        parts.append("postgres %.2f" % per("postgres", 1.0 / hz))
    parts.append("harness %.2f" % per("harness", 1.0))
    return "CPU: machine %.0f%% busy; %s ms per request" % (busy, ", ".join(parts))


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))  # ceil(n * p / 100), at least 1
    return sorted_values[int(rank) - 1]


class Run:
    """Hands out jobs, one at a time, to the workers, and collects what each answer took."""

    def __init__(self, jobs):
        self.jobs = list(jobs)
        self.next = 0
        self.lock = threading.Lock()
        self.latencies = []
        self.ok = 0
        self.bad = 0
        self.bad_examples = []

    def take(self):
        with self.lock:
            if self.next >= len(self.jobs):
                return None
            job = self.jobs[self.next]
            self.next += 1
            return job

    def record(self, seconds, good, what):
        with self.lock:
            self.latencies.append(seconds)
            if good:
                self.ok += 1
            else:
                self.bad += 1
                if len(self.bad_examples) < 5:
                    self.bad_examples.append(what)


def run(host, port, workers, jobs, send, server_pid=None):
    """Runs the jobs on `workers` threads with a keep-alive connection each; returns
    (Run, seconds, CPU note).

    Connections are opened before the clock starts. `send(conn, job)` makes one request and
    returns (good, description). A connection that fails is replaced for the next job; the job
    that failed is counted as bad and never sent again.
    """
    state = Run(jobs)
    conns = [http.client.HTTPConnection(host, port, timeout=60) for _ in range(workers)]
    for c in conns:
        c.connect()
    barrier = threading.Barrier(workers + 1)

    def worker(conn):
        barrier.wait()
        while True:
            job = state.take()
            if job is None:
                break
            t0 = time.perf_counter()
            try:
                good, what = send(conn, job)
            except (OSError, http.client.HTTPException) as e:
                good, what = False, "%s: %s" % (type(e).__name__, e)
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
            state.record(time.perf_counter() - t0, good, what)
        conn.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in conns]
    for t in threads:
        t.start()
    cpu_before = cpu_snapshot(server_pid)
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return state, elapsed, cpu_note(cpu_before, cpu_snapshot(server_pid), len(state.latencies))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--csrf-cookie", required=True)
    ap.add_argument("--csrf-token", required=True)
    ap.add_argument("--totp-secret", required=True)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--label", default="")
    ap.add_argument("--ids-out", help="write the timed run's application ids here, one a line")
    ap.add_argument("--server-pid", type=int, help="report the server process's CPU per request")
    args = ap.parse_args()

    url = urllib.parse.urlsplit(args.url)
    host, port = url.hostname, url.port or 80
    with open(args.pairs) as f:
        pairs = [tuple(line.split()) for line in f if line.strip()]
    if len({app for _, app in pairs}) != len(pairs) or any(len(p) != 2 for p in pairs):
        sys.exit("pairs file: need one 'token application' line per distinct application")
    if len(pairs) <= args.warmup:
        sys.exit("pairs file: %d pairs, not more than the %d warm-up ones" % (len(pairs), args.warmup))
    warm, timed = pairs[:args.warmup], pairs[args.warmup:]
    if args.ids_out:
        with open(args.ids_out, "w") as f:
            f.writelines(app + "\n" for _, app in timed)

    secret = args.totp_secret.upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    codes = {}  # step -> code; each account accepts a step once, and each submits only once

    def code_now():
        step = int(time.time()) // 30
        if step not in codes:
            codes[step] = totp(key, step)
        return codes[step]

    token_field = "_csrf=" + urllib.parse.quote(args.csrf_token, safe="")

    def submit(conn, pair):
        session, app = pair
        body = ("%s&code=%s" % (token_field, code_now())).encode()
        conn.request("POST", "/applications/%s/submit" % app, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "csrf=%s; portico_session=%s" % (args.csrf_cookie, session),
        })
        resp = conn.getresponse()
        resp.read()
        location = resp.getheader("Location", "")
        want = "/applications/%s?submitted=1" % app
        if resp.status == 303 and location == want:
            return True, ""
        return False, "%d to %s" % (resp.status, location or "nowhere")

    def bare(conn, _):
        conn.request("GET", "/bench/bare")
        resp = conn.getresponse()
        body = resp.read()
        return resp.status == 200 and body == b"ok", "%d %r" % (resp.status, body[:40])

    prefix = (args.label + " ") if args.label else ""
    results = []

    def report(label, state, elapsed, cpu):
        lat = sorted(state.latencies)
        rps = len(lat) / elapsed if elapsed > 0 else float("nan")
        p50, p99 = percentile(lat, 50) * 1000, percentile(lat, 99) * 1000
        flag = "" if state.bad == 0 else "  !! %d bad: %s" % (state.bad, "; ".join(state.bad_examples))
        print("%-28s %10.1f req/s   p50 %9.2f ms   p99 %9.2f ms   (%d requests, %.2f s, %d workers)%s"
              % (prefix + label, rps, p50, p99, len(lat), elapsed, args.workers, flag), flush=True)
        if cpu:
            print("    " + cpu, flush=True)
        results.append("result\t%s\t%.1f\t%.2f\t%.2f\t%d" % (prefix + label, rps, p50, p99, state.bad))
        return state.bad

    n = len(timed)
    # Bare: a short warm-up, then as many requests as there are timed submissions.
    run(host, port, args.workers, range(max(args.warmup, 200)), bare)
    failed = report("bare (python)", *run(host, port, args.workers, range(n), bare, args.server_pid))

    # Submissions: the warm-up pairs run to completion, untimed; then each timed pair once.
    state, _, _ = run(host, port, args.workers, warm, submit)
    if state.bad:
        print("warm-up submissions: %d of %d bad: %s" % (state.bad, len(warm), "; ".join(state.bad_examples)),
              flush=True)
        failed += state.bad
    failed += report("submit", *run(host, port, args.workers, timed, submit, args.server_pid))

    for line in results:
        print(line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
