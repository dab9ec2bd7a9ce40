#!/usr/bin/env python3
"""Verifies a chain of Portico delivery evidence independently of Portico's own code.

    python3 tests/interop/verify_evidence_chain.py CHAIN.jws PLATFORM-CA.pem [CONTENT-FILE]

CHAIN.jws holds one compact JWS per line, as a message's page offers it ("Download all the
evidence"). Each line is checked as tests/interop/verify_jws.py checks one piece (the signature
with jwcrypto, the x5c chain with `openssl verify`), then the chain itself:

- every piece is delivery evidence (type portico.delivery.evidence) of the same message and
  the same content SHA-256;
- `seq` runs 0, 1, 2 ... and each piece's `previous` is the SHA-256 of the JWS before it
  (the first has none);
- with CONTENT-FILE (the message.json downloaded with it), its SHA-256 is the one named.

Prints VALID and the events, exits 0; prints NOT VALID and why, exits 1.
"""

import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile

from jwcrypto import jwk, jws
from jwcrypto.common import JWException


def fail(why):
    print(f"NOT VALID: {why}")
    sys.exit(1)


def pem(der):
    body = base64.encodebytes(der).decode("ascii").replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def b64url(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verify_one(n, token, ca_file):
    parts = token.split(".")
    if len(parts) != 3:
        fail(f"piece {n}: not a compact JWS")
    header = json.loads(b64url(parts[0]))
    if header.get("alg") != "EdDSA":
        fail(f"piece {n}: alg is {header.get('alg')!r}, not EdDSA")
    chain = [base64.b64decode(c) for c in header.get("x5c") or []]
    if not chain:
        fail(f"piece {n}: no x5c")
    key = jwk.JWK.from_pem(pem(chain[0]).encode("ascii"))
    verifier = jws.JWS()
    try:
        verifier.deserialize(token)
        verifier.verify(key, alg="EdDSA")
    except (JWException, ValueError) as e:
        fail(f"piece {n}: signature: {type(e).__name__}: {e}")
    with tempfile.TemporaryDirectory() as tmp:
        leaf = os.path.join(tmp, "leaf.pem")
        with open(leaf, "w", encoding="ascii") as f:
            f.write(pem(chain[0]))
        args = ["openssl", "verify", "-CAfile", ca_file]
        if len(chain) > 1:
            untrusted = os.path.join(tmp, "untrusted.pem")
            with open(untrusted, "w", encoding="ascii") as f:
                f.write("".join(pem(c) for c in chain[1:]))
            args += ["-untrusted", untrusted]
        result = subprocess.run(args + [leaf], capture_output=True, text=True)
        if result.returncode != 0:
            fail(f"piece {n}: certificate chain: {(result.stdout + result.stderr).strip()}")
    return json.loads(verifier.payload)


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__.strip())
        sys.exit(2)
    tokens = [l.strip() for l in open(sys.argv[1], encoding="ascii") if l.strip()]
    if not tokens:
        fail("no evidence in the file")
    previous = None
    first = None
    events = []
    for i, token in enumerate(tokens):
        p = verify_one(i + 1, token, sys.argv[2])
        if p.get("type") != "portico.delivery.evidence":
            fail(f"piece {i + 1} is not delivery evidence")
        if p.get("seq") != i:
            fail(f"piece {i + 1} has seq {p.get('seq')}: the chain is incomplete or out of order")
        if p.get("previous") != previous:
            fail(f"piece {i + 1} does not name the SHA-256 of the piece before it")
        if first is None:
            first = p
        elif p.get("message") != first["message"] or p.get("message_sha256") != first["message_sha256"]:
            fail(f"piece {i + 1} is about another message")
        previous = hashlib.sha256(token.encode("ascii")).hexdigest()
        events.append(p["event"])
    if len(sys.argv) == 4:
        digest = hashlib.sha256(open(sys.argv[3], "rb").read()).hexdigest()
        if digest != first["message_sha256"]:
            fail(f"the content's SHA-256 {digest} is not the {first['message_sha256']} the evidence names")
    print("VALID")
    print(json.dumps({"message": first["message"], "events": events}, indent=2))


if __name__ == "__main__":
    main()
