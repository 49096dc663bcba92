#!/usr/bin/env bash
# Proves the test OpenID provider (server.mjs), its resource API and the headless browser
# (browser.mjs) with real requests. Prints PASS/FAIL per check; exits non-zero on any failure.
#   bash tests/oidc/selftest.sh
# Needs node, curl and python3; `npm ci` done in this folder (scripts/install-deps.sh does it).
set -uo pipefail
cd "$(dirname "$0")"

[ -d node_modules/oidc-provider ] || { echo "selftest: run 'npm ci' in $(pwd) first" >&2; exit 2; }

TMP=$(mktemp -d)
SERVER_PID=""
LISTENER_PID=""
cleanup() {
  exec 3>&- 2>/dev/null || true
  for pid in $SERVER_PID $LISTENER_PID; do
    kill "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

passed=0
failed=0
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1${2:+ -- $2}"; failed=$((failed + 1)); }
check() { # check NAME CONDITION-EXIT-CODE [DETAIL]
  if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "${3:-}"; fi
}

# json FILE EXPR: evaluate a Python expression over the parsed JSON `j` (prints '' on error)
json() { python3 -c 'import json,sys
try:
    j=json.load(open(sys.argv[1]))
    v=eval(sys.argv[2])
    print("" if v is None else v)
except Exception as e:
    print("")' "$1" "$2"; }
# jwt_payload TOKEN -> JSON of the payload
jwt_payload() { python3 -c 'import base64,json,sys
p=sys.argv[1].split(".")[1]; p+="="*(-len(p)%4)
print(json.dumps(json.loads(base64.urlsafe_b64decode(p))))' "$1" 2>/dev/null; }
qparam() { python3 -c 'import sys,urllib.parse as u
print(u.parse_qs(u.urlparse(sys.argv[1]).query).get(sys.argv[2],[""])[0])' "$1" "$2"; }
is_jwt() { [[ "$1" =~ ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$ ]]; }
pkce_pair() { # sets VERIFIER CHALLENGE (RFC 7636 S256)
  read -r VERIFIER CHALLENGE < <(python3 -c 'import base64,hashlib,secrets
v=secrets.token_urlsafe(48)
print(v, base64.urlsafe_b64encode(hashlib.sha256(v.encode()).digest()).rstrip(b"=").decode())')
}
urlenc() { python3 -c 'import sys,urllib.parse as u; print(u.quote(sys.argv[1], safe=""))' "$1"; }

# ---------------------------------------------------------------------------------------------
# Start the server with its stdin on a FIFO we hold open (fd 3): closing fd 3 must stop it.
mkfifo "$TMP/stdin"
node server.mjs >"$TMP/server.out" 2>"$TMP/server.err" <"$TMP/stdin" &
SERVER_PID=$!
exec 3>"$TMP/stdin"
for _ in $(seq 1 100); do
  [ -s "$TMP/server.out" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if ! [ -s "$TMP/server.out" ]; then
  echo "FAIL: server did not start"; cat "$TMP/server.err"; exit 1
fi
sleep 0.2
lines=$(wc -l <"$TMP/server.out")
ISSUER=$(json "$TMP/server.out" 'j["issuer"]')
PORT=$(json "$TMP/server.out" 'j["port"]')
[ "$lines" -eq 1 ] && [ "$ISSUER" = "http://127.0.0.1:$PORT" ] \
  && python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read()); assert list(d)==["issuer","port"] and isinstance(d["port"],int)' "$TMP/server.out"
check "server prints exactly one JSON line {issuer,port} ($(cat "$TMP/server.out"))" $?
I=$ISSUER
API=urn:keywright:test-api

# --- discovery --------------------------------------------------------------------------------
curl -sf "$I/.well-known/openid-configuration" >"$TMP/disc.json"
ok=0
for k in token_endpoint authorization_endpoint device_authorization_endpoint jwks_uri introspection_endpoint revocation_endpoint; do
  [ -n "$(json "$TMP/disc.json" "j['$k']")" ] || { ok=1; echo "  missing $k"; }
done
[ "$(json "$TMP/disc.json" 'j["issuer"]')" = "$I" ] || ok=1
check "discovery has token/authorization/device_authorization endpoints and jwks_uri" $ok
TOKEN_EP=$(json "$TMP/disc.json" 'j["token_endpoint"]')
DEVICE_EP=$(json "$TMP/disc.json" 'j["device_authorization_endpoint"]')
AUTH_EP=$(json "$TMP/disc.json" 'j["authorization_endpoint"]')
INTROSPECT_EP=$(json "$TMP/disc.json" 'j["introspection_endpoint"]')
REVOKE_EP=$(json "$TMP/disc.json" 'j["revocation_endpoint"]')
[ "$(json "$TMP/disc.json" '" ".join(j["code_challenge_methods_supported"])')" = "S256" ]
check "discovery: PKCE S256 only" $?
curl -sf "$(json "$TMP/disc.json" 'j["jwks_uri"]')" >"$TMP/jwks.json"
[ "$(json "$TMP/jwks.json" 'j["keys"][0]["alg"]')" = "RS256" ] && [ -z "$(json "$TMP/jwks.json" 'j["keys"][0].get("d")')" ]
check "jwks_uri serves the public RS256 key" $?

# --- client credentials -------------------------------------------------------------------------
code=$(curl -s -o "$TMP/cc1.json" -w '%{http_code}' -u kw-basic:kw-basic-secret \
  -d grant_type=client_credentials -d scope=read "$TOKEN_EP")
AT_OPAQUE=$(json "$TMP/cc1.json" 'j["access_token"]')
[ "$code" = 200 ] && [ -n "$AT_OPAQUE" ] && [ "$(json "$TMP/cc1.json" 'j["expires_in"]')" = 4 ] && ! is_jwt "$AT_OPAQUE"
check "client_credentials kw-basic (client_secret_basic), no resource -> opaque token, expires_in 4" $? "$code $(cat "$TMP/cc1.json")"
curl -s -u kw-basic:kw-basic-secret -d token="$AT_OPAQUE" "$INTROSPECT_EP" >"$TMP/intro.json"
[ "$(json "$TMP/intro.json" 'j["active"]')" = True ] && [ "$(json "$TMP/intro.json" 'j["client_id"]')" = kw-basic ]
check "introspection: opaque client_credentials token is active" $? "$(cat "$TMP/intro.json")"


code=$(curl -s -o "$TMP/cc2.json" -w '%{http_code}' \
  -d grant_type=client_credentials -d client_id=kw-post -d client_secret=kw-post-secret -d scope=read "$TOKEN_EP")
[ "$code" = 200 ] && [ -n "$(json "$TMP/cc2.json" 'j["access_token"]')" ]
check "client_credentials kw-post (client_secret_post)" $? "$code $(cat "$TMP/cc2.json")"

code=$(curl -s -o "$TMP/cc3.json" -w '%{http_code}' -u kw-basic:wrong-secret -d grant_type=client_credentials "$TOKEN_EP")
[ "$code" = 401 ] && [ "$(json "$TMP/cc3.json" 'j["error"]')" = invalid_client ]
check "wrong secret (basic) -> 401 invalid_client" $? "$code $(cat "$TMP/cc3.json")"
code=$(curl -s -o "$TMP/cc4.json" -w '%{http_code}' \
  -d grant_type=client_credentials -d client_id=kw-post -d client_secret=wrong "$TOKEN_EP")
[ "$code" = 401 ] && [ "$(json "$TMP/cc4.json" 'j["error"]')" = invalid_client ]
check "wrong secret (post) -> 401 invalid_client" $? "$code $(cat "$TMP/cc4.json")"
code=$(curl -s -o "$TMP/cc5.json" -w '%{http_code}' \
  -d grant_type=client_credentials -d client_id=kw-basic -d client_secret=kw-basic-secret "$TOKEN_EP")
[ "$code" = 401 ] && [ "$(json "$TMP/cc5.json" 'j["error"]')" = invalid_client ]
check "kw-basic using client_secret_post instead -> 401 invalid_client" $? "$code $(cat "$TMP/cc5.json")"

code=$(curl -s -o "$TMP/cc6.json" -w '%{http_code}' -u kw-basic:kw-basic-secret \
  -d grant_type=client_credentials -d scope=read -d resource=$API "$TOKEN_EP")
AT=$(json "$TMP/cc6.json" 'j["access_token"]')
jwt_payload "$AT" >"$TMP/at.json"
[ "$code" = 200 ] && is_jwt "$AT" && [ "$(json "$TMP/at.json" 'j["aud"]')" = "$API" ] \
  && [ "$(json "$TMP/at.json" 'j["scope"]')" = read ] && [ "$(json "$TMP/at.json" 'j["iss"]')" = "$I" ]
check "client_credentials resource=$API -> JWT access token, aud=$API, scope=read" $? "$code $(cat "$TMP/cc6.json")"

code=$(curl -s -o "$TMP/cc7.json" -w '%{http_code}' -u kw-basic:kw-basic-secret \
  -d grant_type=client_credentials -d scope=admin -d resource=$API "$TOKEN_EP")
[ "$code" = 400 ] && [ "$(json "$TMP/cc7.json" 'j["error"]')" = invalid_scope ]
check "scope=admin is not allowed for the clients -> 400 invalid_scope" $? "$code $(cat "$TMP/cc7.json")"

code=$(curl -s -o "$TMP/cc8.json" -w '%{http_code}' -u kw-basic:kw-basic-secret \
  -d grant_type=client_credentials -d resource=urn:other:api "$TOKEN_EP")
[ "$code" = 400 ] && [ "$(json "$TMP/cc8.json" 'j["error"]')" = invalid_target ]
check "unknown resource -> 400 invalid_target" $? "$code $(cat "$TMP/cc8.json")"

# --- resource API -------------------------------------------------------------------------------
api() { # api OUTNAME [curl args...] -> sets CODE, HDR (file), BODY (file)
  local name=$1; shift
  CODE=$(curl -s -D "$TMP/$name.h" -o "$TMP/$name.json" -w '%{http_code}' "$@")
}
hdr() { grep -i "^$2:" "$TMP/$1.h" | head -1 | cut -d: -f2- | sed 's/^ *//; s/\r$//'; }

api r1 -H "Authorization: Bearer $AT" "$I/api/resource"
[ "$CODE" = 200 ] && [ "$(json "$TMP/r1.json" 'j["ok"]')" = True ] && [ "$(json "$TMP/r1.json" 'j["aud"]')" = "$API" ] \
  && [ "$(json "$TMP/r1.json" 'j["sub"]')" = kw-basic ]
check "GET /api/resource with the JWT -> 200 ok" $? "$CODE $(cat "$TMP/r1.json")"
api r1p -X POST -H "Authorization: Bearer $AT" "$I/api/resource?scope=read"
[ "$CODE" = 200 ]
check "POST /api/resource with the JWT -> 200" $? "$CODE"

api r2 -H "Authorization: Bearer $AT" "$I/api/resource?scope=admin"
[ "$CODE" = 403 ] && [ "$(hdr r2 WWW-Authenticate)" = 'Bearer error="insufficient_scope", scope="admin"' ]
check "?scope=admin with a read token -> 403 insufficient_scope" $? "$CODE $(hdr r2 WWW-Authenticate)"
api r2w -H "Authorization: Bearer $AT" "$I/api/resource?scope=write"
[ "$CODE" = 403 ] && [ "$(hdr r2w WWW-Authenticate)" = 'Bearer error="insufficient_scope", scope="write"' ]
check "?scope=write with a read token -> 403 insufficient_scope" $? "$CODE"

api r3 "$I/api/resource"
[ "$CODE" = 401 ] && [[ "$(hdr r3 WWW-Authenticate)" == 'Bearer error="invalid_token", error_description="'* ]]
check "no token -> 401 invalid_token" $? "$CODE $(hdr r3 WWW-Authenticate)"
api r4 -H "Authorization: Bearer $AT_OPAQUE" "$I/api/resource"
[ "$CODE" = 401 ] && [[ "$(hdr r4 WWW-Authenticate)" == 'Bearer error="invalid_token"'* ]]
check "opaque token -> 401 invalid_token" $? "$CODE $(hdr r4 WWW-Authenticate)"
SIG=${AT##*.}
if [ "${SIG:0:4}" = AAAA ]; then TAMPERED="${AT%.*}.BBBB${SIG:4}"; else TAMPERED="${AT%.*}.AAAA${SIG:4}"; fi
api r5 -H "Authorization: Bearer $TAMPERED" "$I/api/resource"
[ "$CODE" = 401 ] && [[ "$(hdr r5 WWW-Authenticate)" == *'error="invalid_token"'*'signature'* ]]
check "bad signature -> 401 invalid_token" $? "$CODE $(hdr r5 WWW-Authenticate)"

code=$(curl -s -o "$TMP/cc9.json" -w '%{http_code}' -u kw-basic:kw-basic-secret \
  -d grant_type=client_credentials -d scope='read write' -d resource="$I/api" "$TOKEN_EP")
AT_URL=$(json "$TMP/cc9.json" 'j["access_token"]')
api r6 -H "Authorization: Bearer $AT_URL" "$I/api/resource?scope=write"
[ "$code" = 200 ] && [ "$CODE" = 200 ] && [ "$(json "$TMP/r6.json" 'j["aud"]')" = "$I/api" ]
check "resource=$I/api -> JWT aud=$I/api accepted by the API (scope write)" $? "$code $CODE $(cat "$TMP/r6.json")"

api r7 "$I/api/limited"
[ "$CODE" = 429 ] && [ "$(hdr r7 Retry-After)" = 3 ] && [ "$(hdr r7 RateLimit-Limit)" = 10 ] \
  && [ "$(hdr r7 RateLimit-Remaining)" = 0 ] && [ "$(hdr r7 RateLimit-Reset)" = 3 ]
check "/api/limited -> 429 Retry-After 3, RateLimit-* headers" $? "$CODE"
api r8 "$I/api/ip-blocked"
[ "$CODE" = 403 ] && [ "$(cat "$TMP/r8.json")" = '{"error":"forbidden","message":"Your IP address 127.0.0.1 is not in the allow-list"}' ]
check "/api/ip-blocked -> 403 forbidden JSON" $? "$CODE $(cat "$TMP/r8.json")"

# --- expiry (TTL 4 s) ---------------------------------------------------------------------------
exp=$(json "$TMP/at.json" 'j["exp"]')
now=$(date +%s)
sleep $(( exp - now + 1 > 0 ? exp - now + 1 : 0 ))
api r9 -H "Authorization: Bearer $AT" "$I/api/resource"
[ "$CODE" = 401 ] && [ "$(hdr r9 WWW-Authenticate)" = 'Bearer error="invalid_token", error_description="The access token expired"' ]
check "after the TTL the JWT -> 401 'The access token expired'" $? "$CODE $(hdr r9 WWW-Authenticate)"

# --- authorization code + PKCE ------------------------------------------------------------------
RPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REDIRECT="http://127.0.0.1:$RPORT/callback"
pkce_pair
STATE=st-$RANDOM
URL="$AUTH_EP?client_id=kw-basic&response_type=code&redirect_uri=$(urlenc "$REDIRECT")&scope=$(urlenc 'openid offline_access read write')&state=$STATE&prompt=consent&code_challenge=$CHALLENGE&code_challenge_method=S256&resource=$(urlenc $API)"
FINAL=$(node browser.mjs "$URL" --no-deliver --user alice 2>"$TMP/b1.err")
rc=$?
CODE_=$(qparam "$FINAL" code)
[ $rc -eq 0 ] && [[ "$FINAL" == "$REDIRECT?"* ]] && [ -n "$CODE_" ] && [ "$(qparam "$FINAL" state)" = "$STATE" ] && [ "$(qparam "$FINAL" iss)" = "$I" ]
check "browser.mjs --no-deliver: login+consent -> $REDIRECT?code=...&state=...&iss=..." $? "rc=$rc $FINAL $(cat "$TMP/b1.err")"

code=$(curl -s -o "$TMP/ac1.json" -w '%{http_code}' -u kw-basic:kw-basic-secret -d grant_type=authorization_code \
  --data-urlencode "code=$CODE_" --data-urlencode "redirect_uri=$REDIRECT" --data-urlencode "code_verifier=$VERIFIER" "$TOKEN_EP")
AT2=$(json "$TMP/ac1.json" 'j["access_token"]')
RT1=$(json "$TMP/ac1.json" 'j["refresh_token"]')
[ "$code" = 200 ] && [ -n "$RT1" ] && is_jwt "$AT2" && [ -n "$(json "$TMP/ac1.json" 'j["id_token"]')" ] \
  && [ "$(json "$TMP/ac1.json" 'j["expires_in"]')" = 4 ] && [ "$(json "$TMP/ac1.json" 'j["refresh_expires_in"]')" = 86400 ]
check "code exchange (PKCE) -> JWT access_token, id_token, refresh_token, expires_in, refresh_expires_in" $? "$code $(cat "$TMP/ac1.json")"
api r10 -H "Authorization: Bearer $AT2" "$I/api/resource?scope=write"
[ "$CODE" = 200 ] && [ "$(json "$TMP/r10.json" 'j["sub"]')" = alice ] && [ "$(json "$TMP/r10.json" 'j["scope"]')" = "read write" ]
check "the code-flow JWT works at the API (sub alice, scope 'read write')" $? "$CODE $(cat "$TMP/r10.json")"

# refresh + rotation
code=$(curl -s -o "$TMP/rt1.json" -w '%{http_code}' -u kw-basic:kw-basic-secret -d grant_type=refresh_token \
  --data-urlencode "refresh_token=$RT1" "$TOKEN_EP")
RT2=$(json "$TMP/rt1.json" 'j["refresh_token"]')
[ "$code" = 200 ] && [ -n "$RT2" ] && [ "$RT2" != "$RT1" ] && is_jwt "$(json "$TMP/rt1.json" 'j["access_token"]')"
check "refresh_token grant -> new JWT access token and a rotated refresh token" $? "$code $(cat "$TMP/rt1.json")"
code=$(curl -s -o "$TMP/rt2.json" -w '%{http_code}' -u kw-basic:kw-basic-secret -d grant_type=refresh_token \
  --data-urlencode "refresh_token=$RT1" "$TOKEN_EP")
[ "$code" = 400 ] && [ "$(json "$TMP/rt2.json" 'j["error"]')" = invalid_grant ]
check "reusing the old refresh token -> 400 invalid_grant" $? "$code $(cat "$TMP/rt2.json")"
code=$(curl -s -o "$TMP/rt3.json" -w '%{http_code}' -u kw-basic:kw-basic-secret -d grant_type=refresh_token \
  --data-urlencode "refresh_token=$RT2" "$TOKEN_EP")
[ "$code" = 400 ] && [ "$(json "$TMP/rt3.json" 'j["error"]')" = invalid_grant ]
check "after reuse detection the whole grant is revoked: the new refresh token fails too" $? "$code $(cat "$TMP/rt3.json")"

# code reuse: a second code, exchanged twice; the reuse also revokes what the first exchange issued
pkce_pair
URL="$AUTH_EP?client_id=kw-basic&response_type=code&redirect_uri=$(urlenc "$REDIRECT")&scope=$(urlenc 'openid offline_access read')&state=s1&prompt=consent&code_challenge=$CHALLENGE&code_challenge_method=S256&resource=$(urlenc $API)"
FINAL=$(node browser.mjs "$URL" --no-deliver 2>"$TMP/b1b.err")
CODE_=$(qparam "$FINAL" code)
curl -s -o "$TMP/ac1b.json" -u kw-basic:kw-basic-secret -d grant_type=authorization_code \
  --data-urlencode "code=$CODE_" --data-urlencode "redirect_uri=$REDIRECT" --data-urlencode "code_verifier=$VERIFIER" "$TOKEN_EP"
RT3=$(json "$TMP/ac1b.json" 'j["refresh_token"]')
code=$(curl -s -o "$TMP/ac2.json" -w '%{http_code}' -u kw-basic:kw-basic-secret -d grant_type=authorization_code \
  --data-urlencode "code=$CODE_" --data-urlencode "redirect_uri=$REDIRECT" --data-urlencode "code_verifier=$VERIFIER" "$TOKEN_EP")
[ "$code" = 400 ] && [ "$(json "$TMP/ac2.json" 'j["error"]')" = invalid_grant ]
check "the code cannot be used twice -> invalid_grant" $? "$code $(cat "$TMP/ac2.json")"

code=$(curl -s -o "$TMP/rt5.json" -w '%{http_code}' -u kw-basic:kw-basic-secret -d grant_type=refresh_token \
  --data-urlencode "refresh_token=$RT3" "$TOKEN_EP")
[ -n "$RT3" ] && [ "$code" = 400 ] && [ "$(json "$TMP/rt5.json" 'j["error"]')" = invalid_grant ]
check "code reuse revoked the refresh token issued for that code -> invalid_grant" $? "$code $(cat "$TMP/rt5.json")"

# wrong verifier
pkce_pair
URL="$AUTH_EP?client_id=kw-basic&response_type=code&redirect_uri=$(urlenc "$REDIRECT")&scope=openid&state=s2&code_challenge=$CHALLENGE&code_challenge_method=S256"
FINAL=$(node browser.mjs "$URL" --no-deliver 2>"$TMP/b2.err")
code=$(curl -s -o "$TMP/ac3.json" -w '%{http_code}' -u kw-basic:kw-basic-secret -d grant_type=authorization_code \
  --data-urlencode "code=$(qparam "$FINAL" code)" --data-urlencode "redirect_uri=$REDIRECT" --data-urlencode "code_verifier=${VERIFIER}x" "$TOKEN_EP")
[ "$code" = 400 ] && [ "$(json "$TMP/ac3.json" 'j["error"]')" = invalid_grant ]
check "wrong code_verifier -> invalid_grant" $? "$code $(cat "$TMP/ac3.json") $(cat "$TMP/b2.err")"

# PKCE is required
URL="$AUTH_EP?client_id=kw-basic&response_type=code&redirect_uri=$(urlenc "$REDIRECT")&scope=openid&state=s3"
FINAL=$(node browser.mjs "$URL" --no-deliver 2>"$TMP/b3.err")
[ "$(qparam "$FINAL" error)" = invalid_request ] && [[ "$(qparam "$FINAL" error_description)" == *PKCE* ]]
check "no code_challenge -> error=invalid_request redirected to the client" $? "$FINAL"

# Delivery to a real loopback listener on another random port, kw-post, no prompt=consent,
# no resource: no refresh token, opaque access token.
python3 - "$TMP/listener.port" "$TMP/listener.got" <<'EOF' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        open(sys.argv[2], "w").write(self.path)
        self.send_response(200); self.send_header("Content-Type", "text/plain"); self.end_headers()
        self.wfile.write(b"You can close this window.")
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_address[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.timeout = 20
s.handle_request()
EOF
LISTENER_PID=$!
for _ in $(seq 1 50); do [ -s "$TMP/listener.port" ] && break; sleep 0.1; done
LPORT=$(cat "$TMP/listener.port")
REDIRECT2="http://127.0.0.1:$LPORT/callback"
pkce_pair
URL="$AUTH_EP?client_id=kw-post&response_type=code&redirect_uri=$(urlenc "$REDIRECT2")&scope=$(urlenc 'openid offline_access read')&state=s4&code_challenge=$CHALLENGE&code_challenge_method=S256"
FINAL=$(node browser.mjs "$URL" --user bob 2>"$TMP/b4.err")
rc=$?
wait "$LISTENER_PID" 2>/dev/null; LISTENER_PID=""
GOT=$(cat "$TMP/listener.got" 2>/dev/null)
[ $rc -eq 0 ] && [ -n "$GOT" ] && [ "http://127.0.0.1:$LPORT$GOT" = "$FINAL" ] && [ -n "$(qparam "$FINAL" code)" ]
check "browser.mjs delivers the redirect to a loopback listener on port $LPORT (any port accepted)" $? "rc=$rc final=$FINAL got=$GOT $(cat "$TMP/b4.err")"
code=$(curl -s -o "$TMP/ac4.json" -w '%{http_code}' -d grant_type=authorization_code -d client_id=kw-post -d client_secret=kw-post-secret \
  --data-urlencode "code=$(qparam "$FINAL" code)" --data-urlencode "redirect_uri=$REDIRECT2" --data-urlencode "code_verifier=$VERIFIER" "$TOKEN_EP")
[ "$code" = 200 ] && [ -z "$(json "$TMP/ac4.json" 'j.get("refresh_token")')" ] && ! is_jwt "$(json "$TMP/ac4.json" 'j["access_token"]')"
check "kw-post code exchange without prompt=consent/resource -> opaque access token, no refresh_token" $? "$code $(cat "$TMP/ac4.json")"

# unregistered redirect path -> error page, browser fails with its text
URL="$AUTH_EP?client_id=kw-basic&response_type=code&redirect_uri=$(urlenc "http://127.0.0.1:$RPORT/other")&scope=openid&state=s5&code_challenge=$CHALLENGE&code_challenge_method=S256"
node browser.mjs "$URL" --no-deliver >"$TMP/b5.out" 2>"$TMP/b5.err"
rc=$?
[ $rc -ne 0 ] && grep -q "redirect_uri did not match" "$TMP/b5.err" && [ ! -s "$TMP/b5.out" ]
check "unregistered redirect_uri -> browser.mjs exits $rc with the provider's error text" $? "$(cat "$TMP/b5.err")"

# consent denied
pkce_pair
URL="$AUTH_EP?client_id=kw-basic&response_type=code&redirect_uri=$(urlenc "$REDIRECT")&scope=openid&state=s6&code_challenge=$CHALLENGE&code_challenge_method=S256"
FINAL=$(node browser.mjs "$URL" --no-deliver --deny 2>"$TMP/b6.err")
[ "$(qparam "$FINAL" error)" = access_denied ] && [ "$(qparam "$FINAL" state)" = s6 ]
check "browser.mjs --deny -> error=access_denied at the redirect_uri" $? "$FINAL $(cat "$TMP/b6.err")"

# --- device flow ----------------------------------------------------------------------------
curl -s -u kw-basic:kw-basic-secret -d scope='openid offline_access read' -d resource=$API "$DEVICE_EP" >"$TMP/da.json"
DC=$(json "$TMP/da.json" 'j["device_code"]')
UC=$(json "$TMP/da.json" 'j["user_code"]')
VURI=$(json "$TMP/da.json" 'j["verification_uri"]')
[ -n "$DC" ] && [ -n "$UC" ] && [ "$VURI" = "$I/device" ] && [ -n "$(json "$TMP/da.json" 'j["verification_uri_complete"]')" ] \
  && [ "$(json "$TMP/da.json" 'j["expires_in"]')" = 600 ] && [ "$(json "$TMP/da.json" 'j["interval"]')" = 1 ]
check "device_authorization -> device_code, user_code $UC, verification_uri, expires_in 600, interval 1" $? "$(cat "$TMP/da.json")"
poll() { curl -s -o "$TMP/$1.json" -w '%{http_code}' -u kw-basic:kw-basic-secret \
  -d grant_type=urn:ietf:params:oauth:grant-type:device_code --data-urlencode "device_code=$2" "$TOKEN_EP"; }
code=$(poll dp1 "$DC")
[ "$code" = 400 ] && [ "$(json "$TMP/dp1.json" 'j["error"]')" = authorization_pending ]
check "polling before approval -> authorization_pending" $? "$code $(cat "$TMP/dp1.json")"
out=$(node browser.mjs --device "$VURI" --user-code "$UC" --user carol 2>"$TMP/b7.err")
check "browser.mjs --device: user code, login, consent -> '$out'" $? "$(cat "$TMP/b7.err")"
code=$(poll dp2 "$DC")
DAT=$(json "$TMP/dp2.json" 'j["access_token"]')
[ "$code" = 200 ] && is_jwt "$DAT" && [ -n "$(json "$TMP/dp2.json" 'j["refresh_token"]')" ] && [ -n "$(json "$TMP/dp2.json" 'j["id_token"]')" ]
check "polling after approval -> JWT access_token, refresh_token, id_token" $? "$code $(cat "$TMP/dp2.json")"
api r11 -H "Authorization: Bearer $DAT" "$I/api/resource"
[ "$CODE" = 200 ] && [ "$(json "$TMP/r11.json" 'j["sub"]')" = carol ]
check "the device-flow token works at the API (sub carol)" $? "$CODE $(cat "$TMP/r11.json")"
code=$(poll dp3 "$DC")
[ "$code" = 400 ] && [ "$(json "$TMP/dp3.json" 'j["error"]')" = invalid_grant ]
check "the device code cannot be used twice -> invalid_grant" $? "$code $(cat "$TMP/dp3.json")"

curl -s -d client_id=kw-post -d client_secret=kw-post-secret -d scope='openid read' "$DEVICE_EP" >"$TMP/da2.json"
out=$(node browser.mjs --device "$(json "$TMP/da2.json" 'j["verification_uri_complete"]')" --deny 2>"$TMP/b8.err")
rc=$?
code=$(curl -s -o "$TMP/dp4.json" -w '%{http_code}' -d client_id=kw-post -d client_secret=kw-post-secret \
  -d grant_type=urn:ietf:params:oauth:grant-type:device_code --data-urlencode "device_code=$(json "$TMP/da2.json" 'j["device_code"]')" "$TOKEN_EP")
[ $rc -eq 0 ] && [ "$out" = denied ] && [ "$code" = 400 ] && [ "$(json "$TMP/dp4.json" 'j["error"]')" = access_denied ]
check "browser.mjs --device verification_uri_complete --deny -> poll gives access_denied" $? "rc=$rc out=$out $code $(cat "$TMP/dp4.json") $(cat "$TMP/b8.err")"

node browser.mjs --device "$VURI" --user-code BCDF-GHJK >/dev/null 2>"$TMP/b9.err"
[ $? -ne 0 ] && grep -qi "rejected the user code" "$TMP/b9.err"
check "browser.mjs --device with a wrong user code exits non-zero" $? "$(cat "$TMP/b9.err")"

# --- revocation of a refresh token -----------------------------------------------------------
DRT=$(json "$TMP/dp2.json" 'j["refresh_token"]')
code=$(curl -s -o /dev/null -w '%{http_code}' -u kw-basic:kw-basic-secret --data-urlencode "token=$DRT" -d token_type_hint=refresh_token "$REVOKE_EP")
code2=$(curl -s -o "$TMP/rt4.json" -w '%{http_code}' -u kw-basic:kw-basic-secret -d grant_type=refresh_token --data-urlencode "refresh_token=$DRT" "$TOKEN_EP")
[ "$code" = 200 ] && [ "$code2" = 400 ] && [ "$(json "$TMP/rt4.json" 'j["error"]')" = invalid_grant ]
check "revoked refresh token -> invalid_grant" $? "$code $code2 $(cat "$TMP/rt4.json")"

# --- process lifecycle --------------------------------------------------------------------------
grep -v '^server.mjs: ' "$TMP/server.err" >"$TMP/server.noise" || true
[ ! -s "$TMP/server.noise" ]
check "server stderr has no warnings/errors" $? "$(head -c 600 "$TMP/server.noise")"

exec 3>&-
for _ in $(seq 1 30); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$SERVER_PID" 2>/dev/null; then
  fail "server exits when its stdin closes"
else
  wait "$SERVER_PID"; rc=$?
  check "server exits (code $rc) when its stdin closes" $rc
fi
SERVER_PID=""

FIXED=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
OIDC_ACCESS_TTL=30 node server.mjs --port "$FIXED" >"$TMP/s2.out" 2>"$TMP/s2.err" </dev/null &
SERVER_PID=$!
for _ in $(seq 1 100); do [ -s "$TMP/s2.out" ] && break; sleep 0.1; done
exp_in=$(curl -s -u kw-basic:kw-basic-secret -d grant_type=client_credentials "http://127.0.0.1:$FIXED/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["expires_in"])' 2>/dev/null)
[ "$(cat "$TMP/s2.out")" = "{\"issuer\":\"http://127.0.0.1:$FIXED\",\"port\":$FIXED}" ] && [ "$exp_in" = 30 ]
check "--port $FIXED and OIDC_ACCESS_TTL=30 honoured (stdin /dev/null is not watched)" $? "$(cat "$TMP/s2.out") expires_in=$exp_in"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"; rc=$?
SERVER_PID=""
check "server exits 0 on SIGTERM" $rc

echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
