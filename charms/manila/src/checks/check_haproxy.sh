#!/bin/sh
# Managed by the manila charm (nrpe-external-master): CRITICAL naming every haproxy server
# that is not up, as haproxy's statistics page lists them (CSV: field 1 the proxy, 2 the
# server, 18 its status). The page's credentials are in a file only the nagios group reads.
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
    NF > 20 && $1 !~ /^#/ && $2 != "FRONTEND" && $2 != "BACKEND" {
        total++
        if ($18 !~ /^UP/) down = down " " $1 "/" $2 " (" $18 ")"
    }
    END {
        if (total == 0) { print "CRITICAL: haproxy lists no server"; exit 2 }
        if (down != "") { print "CRITICAL: not up:" down; exit 2 }
        print "OK: all " total " haproxy servers are up"
        exit 0
    }'
