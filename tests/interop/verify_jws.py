#!/usr/bin/env python3
"""Verifies a piece of Portico evidence independently of Portico's own code.

    python3 tests/interop/verify_jws.py EVIDENCE.jws PLATFORM-CA.pem

1. the signature, with jwcrypto (a JOSE library written apart from Portico), using the public
   key of the first certificate in the header's x5c;
2. the chain, with `openssl verify -CAfile PLATFORM-CA.pem` (x5c[0] as the certificate,
   the rest of x5c as untrusted intermediates).

Prints the payload and exits 0 when both pass; prints why and exits 1 otherwise.
"""

import base64
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


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip())
        sys.exit(2)
    token = open(sys.argv[1], encoding="ascii").read().strip()
    ca_file = sys.argv[2]

    parts = token.split(".")
    if len(parts) != 3:
        fail("not a compact JWS")
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except ValueError as e:
        fail(f"unreadable header: {e}")
    if header.get("alg") != "EdDSA":
        fail(f"alg is {header.get('alg')!r}, not EdDSA")
    x5c = header.get("x5c") or []
    if not x5c:
        fail("no x5c in the header")
    chain = [base64.b64decode(c) for c in x5c]

    # 1. The signature, with the key of the signing certificate.
    key = jwk.JWK.from_pem(pem(chain[0]).encode("ascii"))
    verifier = jws.JWS()
    try:
        verifier.deserialize(token)
        verifier.verify(key, alg="EdDSA")
    except (JWException, ValueError) as e:
        fail(f"signature: {type(e).__name__}: {e}")
    if header.get("kid") and header["kid"] != key.thumbprint():
        fail("kid is not the RFC 7638 thumbprint of the signing certificate's key")

    # 2. The chain, with openssl.
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
            fail(f"certificate chain: {(result.stdout + result.stderr).strip()}")

    print("VALID")
    print(json.dumps(json.loads(verifier.payload), ensure_ascii=False, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
