#!/bin/bash
# First start of the stack's PostgreSQL (docker-compose.yml mounts this file in
# /docker-entrypoint-initdb.d, which the postgres image runs once, on an empty
# data volume, as the superuser POSTGRES_USER).
#
# Two roles, neither a superuser:
#   odoo      LOGIN CREATEDB (password ODOO_DB_PASSWORD): Odoo creates and owns its database
#   feedback  LOGIN (password FEEDBACK_DB_PASSWORD), owner of the database "feedback": the
#             public feedback service reaches its own tables and nothing of Odoo's
# Passwords go through psql variables (:'name'), so no quoting can break the SQL.
set -euo pipefail
: "${ODOO_DB_PASSWORD:?ODOO_DB_PASSWORD is not set}"
: "${FEEDBACK_DB_PASSWORD:?FEEDBACK_DB_PASSWORD is not set}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v odoo_password="$ODOO_DB_PASSWORD" -v feedback_password="$FEEDBACK_DB_PASSWORD" <<'SQL'
CREATE ROLE odoo WITH LOGIN CREATEDB PASSWORD :'odoo_password';
CREATE ROLE feedback WITH LOGIN PASSWORD :'feedback_password';
CREATE DATABASE feedback OWNER feedback;
REVOKE ALL ON DATABASE feedback FROM PUBLIC;
SQL
