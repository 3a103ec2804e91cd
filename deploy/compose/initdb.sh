#!/bin/sh
# First start of the PostgreSQL container: one database and one login per service, each
# owning only its own database (a service never reads another's). Passwords from deploy/.env.
set -eu
for service in identity dossier docflow reporting; do
  upper=$(echo "$service" | tr '[:lower:]' '[:upper:]')
  password=$(printenv "${upper}_DB_PASSWORD")
  psql -v ON_ERROR_STOP=1 --username postgres --dbname postgres \
       -v name="egov_$service" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
done
