#!/usr/bin/env bash
# Start the feedback service for development: SQLite, a development secret, gunicorn on 127.0.0.1.
# Usage: services/feedback/run-dev.sh   (creates services/feedback/.venv on first run)
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x .venv/bin/gunicorn ]; then
    python3.11 -m venv .venv
    .venv/bin/pip install --quiet -r requirements.txt
fi

export FEEDBACK_SECRET="${FEEDBACK_SECRET:-development-only-secret-do-not-use-in-production}"
export FEEDBACK_BIND="${FEEDBACK_BIND:-127.0.0.1:8000}"
export FEEDBACK_PUBLIC_URL="${FEEDBACK_PUBLIC_URL:-http://$FEEDBACK_BIND}"
export FEEDBACK_WORKERS="${FEEDBACK_WORKERS:-2}"

.venv/bin/flask --app feedback db upgrade
echo
echo "Try a rating link (valid 30 days; Arabic by default, add ?lang=en for English):"
echo "  $(.venv/bin/flask --app feedback issue-link --ref "REQ/$(date +%Y)/$(printf %05d $((RANDOM % 99999 + 1)))")"
echo
exec .venv/bin/gunicorn -c gunicorn.conf.py "feedback:create_app()"
