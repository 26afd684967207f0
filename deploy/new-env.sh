#!/bin/sh
# Write .env for docker-compose.yml from .env.example, with a generated password
# for each of the four the stack needs, and print the administrator's one.
# Usage (from anywhere):  sh deploy/new-env.sh [FILE]     (FILE: .env by default)
# It never overwrites an existing file.
set -eu
cd "$(dirname "$0")/.."
target=${1:-.env}
if [ -e "$target" ]; then
    echo "$target exists already: nothing written (delete it first to start over)" >&2
    exit 1
fi

password() {
    LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32
}

umask 077
awk -v postgres="$(password)" -v odoo_db="$(password)" -v feedback_db="$(password)" -v admin="$(password)" '
    $0 == "POSTGRES_PASSWORD="    { print $0 postgres; next }
    $0 == "ODOO_DB_PASSWORD="     { print $0 odoo_db; next }
    $0 == "FEEDBACK_DB_PASSWORD=" { print $0 feedback_db; next }
    $0 == "ODOO_ADMIN_PASSWORD="  { print $0 admin; next }
    { print }
' .env.example >"$target"
echo "wrote $target (mode 600) with generated passwords."
echo "Odoo's administrator: login admin, password $(sed -n 's/^ODOO_ADMIN_PASSWORD=//p' "$target")"
echo "Next: docker compose up -d --build   (the first start takes a few minutes)"
