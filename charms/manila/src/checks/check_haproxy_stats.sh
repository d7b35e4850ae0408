#!/bin/sh
# Managed by the manila charm (nrpe-external-master): haproxy's health from its statistics
# page (CSV), whose credentials are in a file only the nagios group reads.
#   check_haproxy_stats.sh servers  CRITICAL naming every server that is not up (field 1
#                                   the proxy, 2 the server, 18 its status)
#   check_haproxy_stats.sh queue    CRITICAL when a backend has requests queued now, or had
#                                   more than 100 queued at once (fields 3 and 4)
AUTH_FILE=/etc/nagios/manila-haproxy-stats.auth
case "$1" in
servers)
    PROGRAM='
    NF > 20 && $1 !~ /^#/ && $2 != "FRONTEND" && $2 != "BACKEND" {
        total++
        if ($18 !~ /^UP/) down = down " " $1 "/" $2 " (" $18 ")"
    }
    END {
        if (total == 0) { print "CRITICAL: haproxy lists no server"; exit 2 }
        if (down != "") { print "CRITICAL: not up:" down; exit 2 }
        print "OK: all " total " haproxy servers are up"
        exit 0
    }' ;;
queue)
    PROGRAM='
    NF > 20 && $2 == "BACKEND" {
        backends++
        if ($3 + 0 > 0 || $4 + 0 > 100) bad = bad " " $1 " (current " $3 ", max " $4 ")"
    }
    END {
        if (bad != "") { print "CRITICAL: queue depth:" bad; exit 2 }
        print "OK: no request queued on the " backends + 0 " haproxy backends"
        exit 0
    }' ;;
*)
    echo "UNKNOWN: usage: $0 servers|queue"
    exit 3 ;;
esac
AUTH=$(cat "$AUTH_FILE" 2>/dev/null)
if [ -z "$AUTH" ]; then
    echo "UNKNOWN: cannot read $AUTH_FILE"
    exit 3
fi
if ! PAGE=$(/usr/lib/nagios/plugins/check_http -a "$AUTH" -I 127.0.0.1 -p 8888 -u '/;csv' -v 2>&1); then
    echo "CRITICAL: haproxy's statistics page does not answer on 127.0.0.1:8888"
    exit 2
fi
printf '%s\n' "$PAGE" | awk -F, "$PROGRAM"
