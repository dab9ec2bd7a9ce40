#!/usr/bin/env python3
"""Checks a Portico delivery webhook as a receiver would, with Python's standard library only.

    python3 tests/interop/verify_webhook.py SECRET SIGNATURE-HEADER BODY-FILE [NOW-UNIX-SECONDS]

SIGNATURE-HEADER is the `Portico-Signature` header, `t=<unix seconds>,v1=<hex>`; v1 is
HMAC-SHA256 with the endpoint's secret over `"<t>.<body>"`. The comparison is constant-time
(`hmac.compare_digest`), and a `t` more than 300 seconds from NOW (default: this machine's
clock) is refused as a replay. Prints VALID and the event's type and seq, exits 0; prints
NOT VALID and why, exits 1.
"""

import hashlib
import hmac
import json
import sys
import time

REPLAY_WINDOW_SECONDS = 300


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__.strip())
        return 2
    secret, header, body_file = sys.argv[1], sys.argv[2], sys.argv[3]
    now = int(sys.argv[4]) if len(sys.argv) == 5 else int(time.time())
    with open(body_file, "rb") as f:
        body = f.read()
    parts = dict(p.strip().split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        print("NOT VALID: the header has no t= and v1=")
        return 1
    if abs(now - t) > REPLAY_WINDOW_SECONDS:
        print(f"NOT VALID: signed at {t}, {abs(now - t)} s from now (a replay?)")
        return 1
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given):
        print("NOT VALID: the signature is not the body's with this secret")
        return 1
    event = json.loads(body)
    print(f"VALID: {event['type']} seq {event['seq']} of mailbox {event['mailbox']['id']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
