#!/usr/bin/env bash
# From an empty database to a play declared in YAML, 1,000 accounts from CSV, a run through
# the Totango-compatible API, and the Success Manager completing the task and answering the
# form through the API. Run it from the repository after `make install` (or `make run` once):
#   bash examples/walkthrough.sh
# It uses its own database (walkthrough.db) and port (PORT, default 8000).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8000}
URL="http://127.0.0.1:$PORT"
PR=${PLAYRUNNER:-.venv/bin/playrunner}
export PLAYRUNNER_DATABASE_URL=${PLAYRUNNER_DATABASE_URL:-sqlite:///walkthrough.db}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

echo "== 1. A service, its first admin, and a Success Manager"
ADMIN=$($PR init --service-name "Acme CS" --admin-email ops@acme.example --json | json 'd["token"]')
$PR users create jane@acme.example --name "Jane Park"
JANE=$($PR tokens create --email jane@acme.example --name laptop --json | json 'd["token"]')

echo "== 2. Flows, a form and the two plays, declared in YAML"
$PR apply examples/plays.yaml

echo "== 3. 1,000 accounts from CSV, each with Jane as Success Manager"
$PR accounts import examples/accounts.csv

echo "== 4. Serve"
$PR serve --port "$PORT" > "${SERVER_LOG:-walkthrough-server.log}" 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
until curl -s -o /dev/null "$URL/healthz"; do sleep 0.2; done

PLAYS=$(curl -s "$URL/api/v1/successplays" -H "app-token: $ADMIN")
TASK_PLAY=$(echo "$PLAYS" | json 'next(p["id"] for p in d["items"] if p["key"] == "salesforce-follow-up")')
FORM_PLAY=$(echo "$PLAYS" | json 'next(p["id"] for p in d["items"] if p["key"] == "sentiment-check")')

echo "== 5. Run both plays on acct-0042 through the seed's API"
curl -sL "$URL/api/v2/automations/run-manual-successplay" -H "app-token: $ADMIN" \
  -H 'Content-Type: application/json' \
  -d "{\"successplayId\": \"$TASK_PLAY\", \"accountId\": \"acct-0042\"}"; echo
curl -sL "$URL/api/v2/automations/run-manual-successplay" -H "app-token: $ADMIN" \
  -H 'Content-Type: application/json' \
  -d "{\"successplayId\": \"$FORM_PLAY\", \"accountId\": \"acct-0042\"}"; echo

echo "== 6. Jane completes her task (the play asks for a touchpoint note)"
TASK=$(curl -s "$URL/api/v3/tasks?account=acct-0042" -H "app-token: $JANE" | json 'd["items"][0]["id"]')
curl -s -X PUT "$URL/api/v3/tasks/$TASK" -H "app-token: $JANE" -H 'Content-Type: application/json' \
  -d '{"status": "completed", "touchpoint_note": "Called their CFO; renewal is on track"}'; echo

echo "== 7. Jane answers the sentiment form; the account's attribute changes"
REQUEST=$(curl -s "$URL/api/v1/form-requests?status=open" -H "app-token: $JANE" | json 'd["items"][0]["id"]')
curl -s -X POST "$URL/api/v1/form-requests/$REQUEST/submit" -H "app-token: $JANE" \
  -H 'Content-Type: application/json' \
  -d '{"answers": {"sentiment": "Yellow", "sentiment_reason": "Champion left"}}' > /dev/null
curl -s "$URL/api/v1/accounts/acct-0042" -H "app-token: $JANE" | json '"acct-0042 sentiment: " + d["attributes"]["sentiment"]'
