# Services for the test suite; sourced by .ci/run (bash, set -euo pipefail) as root on Debian.
#
# Installs PostgreSQL if missing, starts the newest installed cluster, creates a role and a
# database for the tracker tests and exports CNPLAN_TEST_PG_URL so pytest runs the tracker
# suite against PostgreSQL as well as SQLite. Safe to run again: every step checks first.

_cnplan_pg_user="cnplan"
_cnplan_pg_password="cnplan"
_cnplan_pg_db="cnplan_test"

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q postgresql
fi
command -v chromium >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get install -y -qq chromium >/dev/null; }  # report browser tests

_cnplan_pg_version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk -v v="$_cnplan_pg_version" '$1 == v && $2 == "main"' | grep -q .; then
  pg_createcluster "$_cnplan_pg_version" main
fi
if ! pg_lsclusters -h | awk -v v="$_cnplan_pg_version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  # A cluster that is starting or in recovery is not "online" yet; starting it again fails.
  pg_ctlcluster "$_cnplan_pg_version" main start || true
fi
_cnplan_pg_port="$(pg_lsclusters -h | awk -v v="$_cnplan_pg_version" '$1 == v && $2 == "main" {print $3}')"

# Wait for the server to accept connections (a fresh start can take a moment).
for _i in $(seq 1 30); do
  if su postgres -c "psql -p $_cnplan_pg_port -tAc 'select 1'" >/dev/null 2>&1; then
    break
  fi
  sleep 1
done

if ! su postgres -c "psql -p $_cnplan_pg_port -tAc \"select 1 from pg_roles where rolname = '$_cnplan_pg_user'\"" | grep -q 1; then
  su postgres -c "psql -p $_cnplan_pg_port -q -c \"create role $_cnplan_pg_user login createdb\""
fi
su postgres -c "psql -p $_cnplan_pg_port -q -c \"alter role $_cnplan_pg_user login createdb password '$_cnplan_pg_password'\""
if ! su postgres -c "psql -p $_cnplan_pg_port -tAc \"select 1 from pg_database where datname = '$_cnplan_pg_db'\"" | grep -q 1; then
  su postgres -c "createdb -p $_cnplan_pg_port -O $_cnplan_pg_user $_cnplan_pg_db"
fi

export CNPLAN_TEST_PG_URL="postgresql+psycopg://${_cnplan_pg_user}:${_cnplan_pg_password}@localhost:${_cnplan_pg_port}/${_cnplan_pg_db}"
echo "PostgreSQL $_cnplan_pg_version on port $_cnplan_pg_port; CNPLAN_TEST_PG_URL set for the tracker tests"
