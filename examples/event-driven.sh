#!/usr/bin/env bash
# The seed's second use case: "when an event is detected in the external system ...
# Playrunner runs a SuccessPlay that requests the corresponding CSM to update their
# sentiment". A LinkedIn-style system reports that a champion at acct-0042 changed jobs; an
# inbound event source with one rule runs the sentiment play for the account's Success
# Manager. Run it from the repository after `make install` (or `make run` once):
#   bash examples/event-driven.sh
# It uses its own database (event-driven.db) and port (PORT, default 8000).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8000}
URL="http://127.0.0.1:$PORT"
PR=${PLAYRUNNER:-.venv/bin/playrunner}
export PLAYRUNNER_DATABASE_URL=${PLAYRUNNER_DATABASE_URL:-sqlite:///event-driven.db}
# Sources' secrets are derived from the server's key (kept in a file by default).
export PLAYRUNNER_SECRET_KEY=${PLAYRUNNER_SECRET_KEY:-example-key-change-me}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

echo "== 1. A service, a Success Manager, the sentiment play, accounts from CSV"
ADMIN=$($PR init --service-name "Acme CS" --admin-email ops@acme.example --json | json 'd["token"]')
$PR users create jane@acme.example --name "Jane Park"
JANE=$($PR tokens create --email jane@acme.example --name laptop --json | json 'd["token"]')
$PR apply examples/plays.yaml > /dev/null
$PR accounts import examples/accounts.csv > /dev/null

echo "== 2. Serve"
$PR serve --port "$PORT" > "${SERVER_LOG:-event-driven-server.log}" 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
until curl -s -o /dev/null "$URL/healthz"; do sleep 0.2; done

echo "== 3. An event source for the external system (its secret is shown once)"
SOURCE=$(curl -s "$URL/api/v1/event-sources" -H "app-token: $ADMIN" \
  -H 'Content-Type: application/json' -d '{"name": "LinkedIn"}')
SECRET=$(echo "$SOURCE" | json 'd["secret"]')
EVENTS_URL=$URL$(echo "$SOURCE" | json 'd["events_url"]')
SOURCE_ID=$(echo "$SOURCE" | json 'd["id"]')

echo "== 4. A rule: a job change at a company runs the sentiment play on that account"
curl -s "$URL/api/v1/event-sources/$SOURCE_ID/rules" -H "app-token: $ADMIN" \
  -H 'Content-Type: application/json' -d '{
    "name": "Champion changed jobs",
    "match": {"type": "job_change"},
    "account_path": "data.company.id",
    "action": "run_play",
    "play": "sentiment-check"
  }' | json '"rule: " + d["name"] + " -> " + d["play"]'

EVENT='{"type": "job_change", "data": {"person": {"name": "Ada Lovelace", "title": "CTO"}, "company": {"id": "acct-0042"}}}'
echo "== 5. Try the rule on the event first: nothing is written"
curl -s "$URL/api/v1/event-sources/$SOURCE_ID/test" -H "app-token: $ADMIN" \
  -H 'Content-Type: application/json' -d "{\"payload\": $EVENT}" | json 'd["outcome"]'

echo "== 6. The system posts the event, signed as the Standard Webhooks specification says"
ID="evt_$(date +%s%N)"
STAMP=$(date +%s)
KEY=$(printf '%s' "${SECRET#whsec_}" | base64 -d | od -An -tx1 | tr -d ' \n')
SIGNATURE=$(printf '%s' "$ID.$STAMP.$EVENT" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY" -binary | base64)
curl -s "$EVENTS_URL" -H 'Content-Type: application/json' \
  -H "webhook-id: $ID" -H "webhook-timestamp: $STAMP" -H "webhook-signature: v1,$SIGNATURE" \
  -d "$EVENT"; echo

echo "== 7. Jane, acct-0042's Success Manager, is asked for her sentiment"
for _ in $(seq 100); do
  OPEN=$(curl -s "$URL/api/v1/form-requests?status=open" -H "app-token: $JANE" | json 'len(d["items"])')
  [ "$OPEN" -gt 0 ] && break
  sleep 0.1
done
curl -s "$URL/api/v1/form-requests?status=open" -H "app-token: $JANE" \
  | json '"open form request: " + d["items"][0]["form"] + " on " + d["items"][0]["account_id"]'
curl -s "$URL/api/v1/event-sources/$SOURCE_ID/events" -H "app-token: $ADMIN" \
  | json '"event " + d[0]["event_id"] + ": " + d[0]["status"] + " (" + d[0]["outcome"] + ")"'

echo "== 8. The system retries the same event: it is dropped"
curl -s "$EVENTS_URL" -H 'Content-Type: application/json' \
  -H "webhook-id: $ID" -H "webhook-timestamp: $STAMP" -H "webhook-signature: v1,$SIGNATURE" \
  -d "$EVENT"; echo
