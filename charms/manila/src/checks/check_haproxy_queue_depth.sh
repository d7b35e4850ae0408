#!/bin/sh
# Managed by the manila charm (nrpe-external-master): CRITICAL when a haproxy backend has
# requests queued now, or had more than 100 queued at once (CSV fields 3 and 4 of the
# BACKEND rows of haproxy's statistics page).
AUTH_FILE=/etc/nagios/manila-haproxy-stats.auth
AUTH=$(cat "$AUTH_FILE" 2>/dev/null)
if [ -z "$AUTH" ]; then
    echo "UNKNOWN: cannot read $AUTH_FILE"
    exit 3
fi
if ! PAGE=$(/usr/lib/nagios/plugins/check_http -a "$AUTH" -I 127.0.0.1 -p 8888 -u '/;csv' -v 2>&1); then
    echo "CRITICAL: haproxy's statistics page does not answer on 127.0.0.1:8888"
    exit 2
fi
printf '%s\n' "$PAGE" | awk -F, '
    NF > 20 && $2 == "BACKEND" {
        backends++
        if ($3 + 0 > 0 || $4 + 0 > 100) bad = bad " " $1 " (current " $3 ", max " $4 ")"
    }
    END {
        if (bad != "") { print "CRITICAL: queue depth:" bad; exit 2 }
        print "OK: no request queued on the " backends + 0 " haproxy backends"
        exit 0
    }'
