#!/usr/bin/env bash
# Back up the PostgreSQL database named by DATABASE_URL to one file (pg_dump's custom format, compressed).
#   scripts/backup.sh [FILE]        default FILE: backups/iep-YYYYmmdd-HHMMSS.dump
# Restore it with scripts/restore.sh FILE. Needs pg_dump (Debian: postgresql-client) of the server's major
# version or newer. Prints the file written; exits non-zero on any failure, leaving no partial file behind.
set -euo pipefail

url="${DATABASE_URL:-}"
case "$url" in
  postgres://*|postgresql://*) ;;
  "") echo "backup.sh: set DATABASE_URL=postgres://user@host:5432/dbname" >&2; exit 2 ;;
  *) echo "backup.sh: DATABASE_URL is not PostgreSQL (for SQLite, copy var/db.sqlite3 while the app is stopped)" >&2
     exit 2 ;;
esac
file="${1:-backups/iep-$(date +%Y%m%d-%H%M%S).dump}"
mkdir -p "$(dirname "$file")"
partial="$file.partial"
trap 'rm -f "$partial"' EXIT
pg_dump --format=custom --compress=6 --no-password --file="$partial" --dbname="$url"
chmod 600 "$partial"   # the dump holds confidential student records
mv "$partial" "$file"
echo "$file"
