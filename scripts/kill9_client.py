#!/usr/bin/env python3
"""Submits prepared applications from several concurrent clients over real HTTP, kills the server
with SIGKILL while they are in flight, and writes down every application it was given a receipt
for. Used by scripts/kill9-test; python3 stdlib only.

    kill9_client.py --url URL --pairs FILE --csrf-cookie C --csrf-token T --totp-secret S \\
        --server-pid PID --kill-after N --acked-out FILE [--workers 6]

A submission is acknowledged when it answers 303 to /applications/{id}?submitted=1 (what a
browser follows to the receipt). The client then opens that receipt page and keeps the tracking
number shown on it; if the server is gone by then, the application is still counted as
acknowledged, with no number. Once N submissions are acknowledged the server gets SIGKILL while
the other clients' requests are still running. FILE gets one "APPLICATION_ID TRACKING_NUMBER|-"
line per acknowledged submission. Exits 1 if the server was never killed (too few pairs) or a
submission was refused for a reason other than the kill.
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import os
import re
import signal
import struct
import sys
import threading
import time
import urllib.parse


def totp(key, step):
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def main():
    p = argparse.ArgumentParser()
    for name in ("--url", "--pairs", "--csrf-cookie", "--csrf-token", "--totp-secret", "--acked-out"):
        p.add_argument(name, required=True)
    p.add_argument("--server-pid", type=int, required=True)
    p.add_argument("--kill-after", type=int, required=True)
    p.add_argument("--workers", type=int, default=6)
    args = p.parse_args()

    url = urllib.parse.urlparse(args.url)
    pairs = [l.split() for l in open(args.pairs) if l.strip()]
    secret = args.totp_secret.upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    token_field = "_csrf=" + urllib.parse.quote(args.csrf_token, safe="")
    number_re = re.compile(r'id="tracking-number">([^<]+)<')

    lock = threading.Lock()
    state = {"next": 0, "killed": False, "refused": []}
    acked = []  # (application id, tracking number or None)

    def take():
        with lock:
            if state["killed"] or state["next"] >= len(pairs):
                return None
            pair = pairs[state["next"]]
            state["next"] += 1
            return pair

    def acknowledged(app, number):
        with lock:
            acked.append((app, number))
            if not state["killed"] and len(acked) >= args.kill_after:
                os.kill(args.server_pid, signal.SIGKILL)
                state["killed"] = True

    def worker():
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        cookie = None
        while True:
            pair = take()
            if pair is None:
                return
            session, app = pair
            cookie = "csrf=%s; portico_session=%s" % (args.csrf_cookie, session)
            body = ("%s&code=%s" % (token_field, totp(key, int(time.time()) // 30))).encode()
            try:
                conn.request("POST", "/applications/%s/submit" % app, body=body, headers={
                    "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
                resp = conn.getresponse()
                resp.read()
            except (OSError, http.client.HTTPException):
                return  # the server is gone: this one was never acknowledged
            location = resp.getheader("Location", "")
            if resp.status != 303 or location != "/applications/%s?submitted=1" % app:
                with lock:
                    state["refused"].append("%s: %d to %s" % (app, resp.status, location or "nowhere"))
                continue
            number = None
            try:
                conn.request("GET", location, headers={"Cookie": cookie})
                page = conn.getresponse()
                html = page.read().decode("utf-8", "replace")
                m = number_re.search(html)
                if page.status == 200 and m:
                    number = m.group(1).strip()
            except (OSError, http.client.HTTPException):
                pass
            acknowledged(app, number)
            if number is None:
                return

    threads = [threading.Thread(target=worker) for _ in range(args.workers)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(args.acked_out, "w") as f:
        for app, number in acked:
            f.write("%s %s\n" % (app, number or "-"))
    print("%d submissions acknowledged (%d with the tracking number read from the receipt) in %.1f s, "
          "then SIGKILL; %d pairs taken" % (len(acked), sum(1 for _, n in acked if n), time.time() - t0,
                                            state["next"]))
    for r in state["refused"][:10]:
        print("refused: " + r, file=sys.stderr)
    if not state["killed"]:
        print("the server was never killed: fewer than %d acknowledgements" % args.kill_after, file=sys.stderr)
        return 1
    return 1 if state["refused"] else 0


if __name__ == "__main__":
    sys.exit(main())
