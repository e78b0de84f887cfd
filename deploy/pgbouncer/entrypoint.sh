#!/bin/sh
# The one login PgBouncer accepts and passes on: the app's, from the environment.
set -eu
: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
printf '"accord" "%s"\n' "$POSTGRES_PASSWORD" > /etc/pgbouncer/userlist.txt
chmod 0600 /etc/pgbouncer/userlist.txt
exec pgbouncer /etc/pgbouncer/pgbouncer.ini
