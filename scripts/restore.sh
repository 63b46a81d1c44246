#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the PostgreSQL database named by DATABASE_URL.
#   scripts/restore.sh FILE [--force]
# The database must exist. A database that already has tables is refused unless --force, which drops the
# objects the dump contains before recreating them. The restore is one transaction: it completes or changes nothing.
set -euo pipefail

file="" force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -*) echo "restore.sh: unknown option $arg (usage: restore.sh FILE [--force])" >&2; exit 2 ;;
    *) file="$arg" ;;
  esac
done
[ -n "$file" ] || { echo "usage: restore.sh FILE [--force]" >&2; exit 2; }
[ -r "$file" ] || { echo "restore.sh: cannot read $file" >&2; exit 2; }
url="${DATABASE_URL:-}"
case "$url" in
  postgres://*|postgresql://*) ;;
  *) echo "restore.sh: set DATABASE_URL=postgres://user@host:5432/dbname (PostgreSQL only)" >&2; exit 2 ;;
esac

tables="$(psql --no-password --tuples-only --no-align --dbname="$url" \
  --command="SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")"
options=(--no-password --exit-on-error --single-transaction --dbname="$url")
if [ "$tables" != "0" ]; then
  if [ "$force" != 1 ]; then
    echo "restore.sh: the database already has $tables tables; refusing to overwrite it (add --force to replace them)" >&2
    exit 3
  fi
  options+=(--clean --if-exists)
fi
pg_restore "${options[@]}" "$file"
echo "restored $file"
