#!/usr/bin/env python3
"""An institution's portal signing a person in through Portico's OpenID Connect provider, written
with Authlib (an independent OAuth/OIDC library), against the real server.

Environment: PORTICO_BASE, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI (registered), EGN (a fresh
valid EGN for the person who registers here). Prints "ok: <claims>" and exits 0 when the whole
flow works and every refusal is refused; exits 1 with the reason otherwise.
"""
import json
import os
import re
import sys
import urllib.parse

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.common.security import generate_token

BASE = os.environ["PORTICO_BASE"]
CLIENT_ID = os.environ["CLIENT_ID"]
CLIENT_SECRET = os.environ["CLIENT_SECRET"]
REDIRECT_URI = os.environ["REDIRECT_URI"]
EGN = os.environ["EGN"]


def birth_date(egn):
    """The date of birth an EGN encodes: months +20 for the 1800s, +40 for the 2000s."""
    yy, mm, dd = int(egn[0:2]), int(egn[2:4]), int(egn[4:6])
    century = 1900
    if mm > 40:
        century, mm = 2000, mm - 40
    elif mm > 20:
        century, mm = 1800, mm - 20
    return "%04d-%02d-%02d" % (century + yy, mm, dd)


def fail(why):
    print("FAIL: " + why)
    sys.exit(1)


def csrf(html):
    m = re.search(r'name="_csrf" value="([0-9a-f]+)"', html)
    if not m:
        fail("no CSRF token on the page")
    return m.group(1)


# The person: registers (a browser session of its own, no JavaScript).
browser = requests.Session()
page = browser.get(BASE + "/register")
r = browser.post(BASE + "/register", allow_redirects=False, data={
    "_csrf": csrf(page.text), "personal_id_kind": "egn", "personal_id": EGN,
    "given_name": "Мария", "family_name": "Щерева", "email": "maria.rp@example.bg",
    "phone": "0888 123 456", "password": "a long test password",
    "password_confirm": "a long test password",
})
if r.status_code != 303:
    fail("registration answered %d" % r.status_code)

discovery = requests.get(BASE + "/.well-known/openid-configuration").json()
if discovery["issuer"] != BASE or "S256" not in discovery["code_challenge_methods_supported"]:
    fail("discovery: %r" % discovery)
jwks = JsonWebKey.import_key_set(requests.get(discovery["jwks_uri"]).json())


def authorize(rp, verifier, nonce, redirect_uri=REDIRECT_URI):
    """Runs the authorization request and the consent; returns the redirect the browser gets."""
    url, state = rp.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce,
        redirect_uri=redirect_uri)
    consent = browser.get(url, allow_redirects=False)
    if consent.status_code != 200:
        return consent, state
    if "Бургас" not in consent.text or "oidc-attributes" not in consent.text:
        fail("the consent page does not name the institution and the attributes")
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', consent.text))
    fields["decision"] = "allow"
    fields = {k: v.replace("&amp;", "&").replace("&#x2F;", "/").replace("&#x3D;", "=")
              for k, v in fields.items()}
    return browser.post(BASE + "/oidc/authorize", data=fields, allow_redirects=False), state


def new_rp():
    return OAuth2Session(CLIENT_ID, CLIENT_SECRET, scope="openid profile email phone",
                         redirect_uri=REDIRECT_URI, code_challenge_method="S256",
                         token_endpoint_auth_method="client_secret_basic")


# 1. The whole code flow with PKCE, the ID token checked by Authlib against the JWKS, userinfo.
rp = new_rp()
verifier = generate_token(64)
nonce = generate_token(20)
back, state = authorize(rp, verifier, nonce)
if back.status_code != 303 or not back.headers["location"].startswith(REDIRECT_URI):
    fail("consent answered %d to %s" % (back.status_code, back.headers.get("location")))
callback = back.headers["location"]
query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(callback).query))
if query.get("state") != state:
    fail("state not returned")
token = rp.fetch_token(discovery["token_endpoint"], authorization_response=callback,
                       code_verifier=verifier)
claims = jwt.decode(token["id_token"], jwks, claims_options={
    "iss": {"essential": True, "value": BASE},
    "aud": {"essential": True, "value": CLIENT_ID},
    "nonce": {"essential": True, "value": nonce},
})
claims.validate()
if claims["acr"] != "http://eidas.europa.eu/LoA/low":
    fail("acr %r: a self-registered account is only claimed" % claims["acr"])
info = rp.get(discovery["userinfo_endpoint"]).json()
expected = {
    "sub": claims["sub"], "personal_identifier": "PNOBG-" + EGN,
    "given_name": "Мария", "family_name": "Щерева",
    "given_name#bg-Latn": "Maria", "family_name#bg-Latn": "Shtereva",
    "email": "maria.rp@example.bg", "phone_number": "+359888123456",
    "birthdate": birth_date(EGN),
}
for k, v in expected.items():
    if info.get(k) != v:
        fail("userinfo %s = %r, expected %r (%r)" % (k, info.get(k), v, info))

# 2. The same code again is refused (and ends what the first use gave).
replay = requests.post(discovery["token_endpoint"], auth=(CLIENT_ID, CLIENT_SECRET), data={
    "grant_type": "authorization_code", "code": query["code"], "redirect_uri": REDIRECT_URI,
    "code_verifier": verifier})
if replay.status_code != 400 or replay.json().get("error") != "invalid_grant":
    fail("replayed code: %d %s" % (replay.status_code, replay.text))
after = requests.get(discovery["userinfo_endpoint"],
                     headers={"Authorization": "Bearer " + token["access_token"]})
if after.status_code != 401:
    fail("the replay did not end the first grant: %d" % after.status_code)

# 3. A bad PKCE verifier is refused.
rp = new_rp()
verifier = generate_token(64)
back, _ = authorize(rp, verifier, generate_token(20))
code = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(back.headers["location"]).query))["code"]
bad = requests.post(discovery["token_endpoint"], auth=(CLIENT_ID, CLIENT_SECRET), data={
    "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
    "code_verifier": generate_token(64)})
if bad.status_code != 400 or bad.json().get("error") != "invalid_grant":
    fail("bad verifier: %d %s" % (bad.status_code, bad.text))

# 4. A redirect URI that is not registered exactly: an error page, never a redirect.
for wrong in (REDIRECT_URI + "/other", REDIRECT_URI.replace("127.0.0.1", "localhost")):
    rp = OAuth2Session(CLIENT_ID, CLIENT_SECRET, scope="openid", redirect_uri=wrong,
                       code_challenge_method="S256")
    answer, _ = authorize(rp, generate_token(64), generate_token(20), redirect_uri=wrong)
    if answer.status_code != 400 or "location" in answer.headers:
        fail("wrong redirect_uri %s answered %d" % (wrong, answer.status_code))

# 5. Refresh gives new tokens; revoking the refresh token ends them.
rp = new_rp()
verifier = generate_token(64)
back, _ = authorize(rp, verifier, generate_token(20))
token = rp.fetch_token(discovery["token_endpoint"], authorization_response=back.headers["location"],
                       code_verifier=verifier)
fresh = rp.refresh_token(discovery["token_endpoint"], refresh_token=token["refresh_token"])
if fresh["refresh_token"] == token["refresh_token"]:
    fail("the refresh token was not replaced")
old = requests.post(discovery["token_endpoint"], auth=(CLIENT_ID, CLIENT_SECRET), data={
    "grant_type": "refresh_token", "refresh_token": token["refresh_token"]})
if old.status_code != 400:
    fail("a used refresh token worked again: %d" % old.status_code)
rp.revoke_token(discovery["revocation_endpoint"], fresh["refresh_token"])
gone = requests.get(discovery["userinfo_endpoint"],
                    headers={"Authorization": "Bearer " + fresh["access_token"]})
if gone.status_code != 401:
    fail("revocation did not end the grant: %d" % gone.status_code)

print("ok: " + json.dumps(info, ensure_ascii=False, sort_keys=True))
