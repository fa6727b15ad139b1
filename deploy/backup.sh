#!/usr/bin/env bash
# Nightly backup of the portal's PostgreSQL database: one custom-format dump (pg_dump -Fc,
# compressed, restorable table by table), checked readable with pg_restore --list, kept
# BACKUP_KEEP_DAYS days (default 30). DATABASE_URL comes from the environment (.env).
#
#   BACKUP_DIR=/var/backups/khuyencong deploy/backup.sh
#
# Copy the directory off the host as well (rsync, object storage): a backup on the same disk
# is lost with the disk.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL is not set}"
dir=${BACKUP_DIR:-/var/backups/khuyencong}
keep=${BACKUP_KEEP_DAYS:-30}
mkdir -p "$dir"
file="$dir/khuyencong-$(date +%Y%m%d-%H%M%S).dump"
pg_dump --format=custom --no-owner --dbname="$DATABASE_URL" --file="$file.part"
pg_restore --list "$file.part" >/dev/null  # a dump that cannot be read is no backup
mv "$file.part" "$file"
find "$dir" -name 'khuyencong-*.dump' -mtime +"$keep" -delete
echo "backup: $file ($(du -h "$file" | cut -f1))"
