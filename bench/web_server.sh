#!/usr/bin/env bash
# bench/web_server.sh: web_server side by side with nginx, lighttpd and python's http.server on
# loopback, measured with wrk, servers taken in turn within each round:
#   small    1 KiB file, 64 keep-alive connections, req/s  goal: >= 1.0x faster of nginx, lighttpd
#   large    100 MiB file, 4 connections, MB/s              goal: >= 0.9x nginx
#   crowd    1 KiB file, 1,000 connections, req/s and web_server's peak RSS  goal: <= 32 MiB
# in two configurations, both in every round:
#   "2 workers"   web_server -t 2, nginx worker_processes 2, lighttpd 2 workers; wrk -t2; no pinning
#   "1 pinned"    one worker each, the server under taskset -c 0 and wrk -t1 under taskset -c 1
# python's http.server (one process, HTTP/1.0) runs only the small and crowd tests, for PY_DURATION.
# Usage: bench/web_server.sh [BIN_DIR]   (or TOPDOWN_BIN=BIN_DIR)
#        default BIN_DIR: build/release/bin, then build/test/bin
# Knobs: ROUNDS=3 DURATION=4 PY_DURATION=3 CONNECTIONS=1000 WEB_SERVER_ARGS="..." SERVERS="..."
#        BUSY_LIMIT=25 RERUNS=1: a run during which other jobs kept more than BUSY_LIMIT % of the
#        CPUs busy is run again, at most RERUNS times (the machine may be shared).
# Exit status: 0 when every goal is met, 1 when one is missed, 2 when the benchmark itself failed.
set -euo pipefail

readonly ROUNDS=${ROUNDS:-3}
readonly DURATION=${DURATION:-4}        # seconds of each wrk run
readonly PY_DURATION=${PY_DURATION:-3}  # python does ~2,000 req/s: a shorter run says as much
readonly KEEPALIVE_CONNECTIONS=${KEEPALIVE_CONNECTIONS:-64}
readonly LARGE_CONNECTIONS=${LARGE_CONNECTIONS:-4}
readonly CONNECTIONS=${CONNECTIONS:-1000}
readonly WEB_SERVER_ARGS=${WEB_SERVER_ARGS:-}
readonly SERVERS=${SERVERS:-web_server nginx lighttpd python}
readonly GOAL_SMALL_RATIO=1.0
readonly GOAL_LARGE_RATIO=0.9
readonly GOAL_RSS_MIB=32
readonly KEEPALIVE_REQUESTS=100000  # nginx and lighttpd: per connection, so wrk seldom reconnects
readonly BUSY_LIMIT=${BUSY_LIMIT:-25}  # % of all CPUs other jobs may take before a run is redone
readonly RERUNS=${RERUNS:-1}            # how many times one run may be redone for that
readonly WRK_TIMEOUT=10s            # a response slower than this counts as a wrk timeout error
readonly HOST=127.0.0.1

# ---------------------------------------------------------------------------- binaries and tools

bench_name=web_server.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_find_bin "${1:-}" web_server
for tool in wrk nginx lighttpd python3 curl taskset setsid timeout; do
    command -v "$tool" >/dev/null ||
        die "$tool is needed (apt-get install wrk nginx-light lighttpd python3 curl util-linux)"
done
(($(nproc) >= 2)) || die "the pinned configuration needs two cores (this machine has $(nproc))"

# A thousand connections on each side: take the hard descriptor limit for everything started here.
ulimit -n "$(ulimit -Hn)"
(($(ulimit -n) >= CONNECTIONS + 100)) || die "the descriptor limit $(ulimit -n) is too low"

# ---------------------------------------------------------------------------- helpers

# The same files for every server.
# Readable by all: nginx started as root serves from its workers, which run as nobody.
www=$work/www
chmod 755 "$work"
mkdir -m 755 "$www" "$work/nginx"
head -c 1024 /dev/urandom >"$www/1k.bin"
head -c 100M /dev/urandom >"$www/100m.bin"
readonly SMALL_FILE=1k.bin LARGE_FILE=100m.bin

# lighttpd 1.4.69: server.max-worker = N > 1 forks N workers under a master; 0 (its default) and
# 1 are one process doing everything, our "1 worker".
# shellcheck disable=SC2317  # called by launch_lighttpd
write_lighttpd_conf() { # PORT WORKERS
    cat >"$work/lighttpd.conf" <<EOF
server.document-root = "$www"
server.bind = "$HOST"
server.port = $1
server.max-worker = $2
server.network-backend = "sendfile"
server.max-keep-alive-requests = $KEEPALIVE_REQUESTS
server.max-keep-alive-idle = 60
server.max-fds = 16384
server.max-connections = 8192
server.listen-backlog = 1024
server.errorlog = "$work/lighttpd.err"
server.pid-file = "$work/lighttpd.pid"
server.modules = ()
EOF
}

server_pid=
server_port=
pin=()             # taskset for the current server, when pinned
server_workers=1   # its worker count

# Starts SERVER with WORKERS workers on an ephemeral port, under taskset -c 0 when PIN is "pin".
# nginx and lighttpd are handed a free port; when another program takes it first, they try again.
start_server() { # SERVER WORKERS PIN
    local name=$1 workers=$2
    pin=()
    [[ $3 == pin ]] && pin=(taskset -c 0)
    server_workers=$workers
    : >"$work/server.out"
    case $name in
        web_server)
            # shellcheck disable=SC2086  # WEB_SERVER_ARGS is a list of options
            setsid "${pin[@]}" "$bin/web_server" -b "$HOST" -p 0 -r "$www" -t "$workers" -q \
                $WEB_SERVER_ARGS >"$work/server.out" 2>"$work/server.err" &
            server_started
            port_from_first_line web_server \
                's#^web_server: serving .* at http://[^/]*:\([0-9]*\)/$#\1#p' ||
                die "web_server did not start: $(cat "$work/server.err")"
            ;;
        python)
            # -u: the "Serving HTTP on ... port N" line reaches the file at once. http.server
            # logs every request to stderr and has no switch to stop it; it goes to a file.
            setsid "${pin[@]}" python3 -u -m http.server --bind "$HOST" 0 --directory "$www" \
                >"$work/server.out" 2>"$work/server.err" &
            server_started
            port_from_first_line python 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' ||
                die "python did not start: $(cat "$work/server.err")"
            ;;
        nginx) start_on_free_port nginx launch_nginx ;;
        lighttpd) start_on_free_port lighttpd launch_lighttpd ;;
        *) die "unknown server $name" ;;
    esac
}

# shellcheck disable=SC2317  # called by start_on_free_port
launch_nginx() { # PORT
    write_nginx_conf "$work/nginx" "$1" "$server_workers" 8192 "$www"
    setsid "${pin[@]}" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" \
        -e "$work/nginx/error.log" >"$work/server.out" 2>"$work/server.err" &
    server_started
}

# shellcheck disable=SC2317  # called by start_on_free_port
launch_lighttpd() { # PORT
    write_lighttpd_conf "$1" "$server_workers"
    setsid "${pin[@]}" lighttpd -D -f "$work/lighttpd.conf" \
        >"$work/server.out" 2>"$work/server.err" &
    server_started
}

# Checks the server just started sends FILE whole (and, for the small one, byte for byte).
verify() { # SERVER FILE
    local url="http://$HOST:$server_port/$2" got=/dev/null reply expected
    [[ $2 == "$SMALL_FILE" ]] && got=$work/got
    expected=$(stat -c %s "$www/$2")
    reply=$(curl -s --max-time 60 -o "$got" -w '%{http_code} %{size_download}' "$url") ||
        die "$1 did not answer $url"
    [[ $reply == "200 $expected" ]] ||
        die "$1 answered $url with status and size '$reply' (200 $expected expected)"
    if [[ $got != /dev/null ]]; then
        cmp -s "$got" "$www/$2" || die "$1 sent other bytes than $2"
    fi
}

# ---------------------------------------------------------------------------- the rounds

read -r -a server_list <<<"$SERVERS"
has_server() { [[ " $SERVERS " == *" $1 "* ]]; }
for needed in web_server nginx lighttpd; do
    has_server "$needed" || die "SERVERS must include $needed (the goals compare against it)"
done
configs=(2w 1p)
declare -A config_name=([2w]="2 workers" [1p]="1 pinned")
declare -A config_workers=([2w]=2 [1p]=1)
declare -A config_pin=([2w]=no [1p]=pin)
tests=(small large crowd)
declare -A test_connections=([small]=$KEEPALIVE_CONNECTIONS [large]=$LARGE_CONNECTIONS
    [crowd]=$CONNECTIONS)
declare -A test_file=([small]=$SMALL_FILE [large]=$LARGE_FILE [crowd]=$SMALL_FILE)

versions="$("$bin/web_server" --version | head -n 1), $(nginx -v 2>&1 | sed 's/.*: //'),"
versions+=" $(lighttpd -v | sed 's/ .*//'), $(python3 --version), wrk $(wrk -v 2>&1 |
    sed -n '1s/^wrk \([^ ]*\).*/\1/p' || true)"
load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)
echo "web_server.sh: $ROUNDS rounds of ${DURATION}s wrk runs (python ${PY_DURATION}s)," \
    "$versions; load average $load_before" >&2

declare -A rps=() mbps=() memory=() pss=() others=()
reruns=0
for round in $(seq "$ROUNDS"); do
    # Alternate who goes first, so drift (page cache, CPU clock, neighbours) favours no one.
    if ((round % 2 == 1)); then
        order=("${server_list[@]}")
    else
        order=()
        for ((i = ${#server_list[@]} - 1; i >= 0; i--)); do order+=("${server_list[i]}"); done
    fi
    echo "round $round (load average $(cut -d ' ' -f 1-3 /proc/loadavg))" >&2
    for config in "${configs[@]}"; do
        workers=${config_workers[$config]}
        for test in "${tests[@]}"; do
            for server in "${order[@]}"; do
                [[ $server == python && $test == large ]] && continue
                seconds=$DURATION
                [[ $server == python ]] && seconds=$PY_DURATION
                key=$config/$test/$server
                for attempt in $(seq $((RERUNS + 1))); do
                    # A fresh server for every run: the crowd's peak RSS is the crowd's alone.
                    start_server "$server" "$workers" "${config_pin[$config]}"
                    verify "$server" "${test_file[$test]}"
                    run_wrk "$key" "$workers" "${test_connections[$test]}" "$seconds" \
                        "${config_pin[$config]}" "http://$HOST:$server_port/${test_file[$test]}"
                    if [[ $server == web_server ]]; then
                        result_kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")
                    fi
                    stop_server
                    if [[ $test == large ]]; then
                        figure="$result_mbps MB/s"
                    else
                        figure="$result_rps req/s"
                    fi
                    printf '  %-9s %-5s %-10s %12s  p99 %7s ms  others %3s%%%s\n' \
                        "${config_name[$config]}" "$test" "$server" "$figure" "$result_p99_ms" \
                        "$result_others" \
                        "$( ((result_errors == 0)) || echo "  ($result_errors socket errors)")" >&2
                    ((result_others > BUSY_LIMIT && attempt <= RERUNS)) || break
                    reruns=$((reruns + 1))
                    echo "    other jobs kept ${result_others}% of the CPUs busy: run again" >&2
                done
                rps[$key]+="$result_rps "
                mbps[$key]+="$result_mbps "
                pss[$key]+="$result_pss_kib "
                [[ $server == web_server ]] && memory[$key]+="$result_kib "
                others[$config]+="$result_others "
            done
        done
    done
done
load_after=$(cut -d ' ' -f 1-3 /proc/loadavg)

# ---------------------------------------------------------------------------- the table

verdict=0
faster() { awk -v a="$1" -v b="$2" 'BEGIN { print (a >= b) ? a : b }'; }
figure() { # ARRAY-NAME KEY: the median, or - for a run that did not happen
    local -n array=$1
    if [[ -n ${array[$2]:-} ]]; then values "${array[$2]}" | median; else echo -; fi
}

echo
echo "web_server vs nginx, lighttpd, python http.server on loopback with wrk," \
    "$(date -u +%Y-%m-%d), $(nproc) cores, median of $ROUNDS rounds"
echo "load average (1, 5, 15 min): $load_before before, $load_after after; CPU kept busy by" \
    "other jobs during the runs (median, max): $(for config in "${configs[@]}"; do
        printf '%s %s%%, %s%%; ' "${config_name[$config]}" \
            "$(values "${others[$config]}" | median)" "$(values "${others[$config]}" | max)"
    done | sed 's/; $//'); runs redone for it: $reruns"
row() { printf '%-9s %-34s %10s %10s %10s %10s %7s  %-24s %s\n' "$@"; }
row "" "" web_server nginx lighttpd python ratio goal result
for config in "${configs[@]}"; do
    name=${config_name[$config]}
    declare -A fig=()
    for test in "${tests[@]}"; do
        for server in web_server nginx lighttpd python; do
            if [[ $test == large ]]; then
                fig[$test/$server]=$(figure mbps "$config/$test/$server")
            else
                fig[$test/$server]=$(figure rps "$config/$test/$server")
            fi
        done
    done

    best=$(faster "${fig[small/nginx]}" "${fig[small/lighttpd]}")
    small_ratio=$(ratio "${fig[small/web_server]}" "$best")
    small_result=$(pass "${small_ratio%x} >= $GOAL_SMALL_RATIO")
    row "$name" "1 KiB, $KEEPALIVE_CONNECTIONS keep-alive conns, req/s" "${fig[small/web_server]}" \
        "${fig[small/nginx]}" "${fig[small/lighttpd]}" "${fig[small/python]}" "$small_ratio" \
        ">= ${GOAL_SMALL_RATIO}x faster of ngx/lig" "$small_result"

    large_ratio=$(ratio "${fig[large/web_server]}" "${fig[large/nginx]}")
    large_result=$(pass "${large_ratio%x} >= $GOAL_LARGE_RATIO")
    row "$name" "100 MiB, $LARGE_CONNECTIONS conns, MB/s" "${fig[large/web_server]}" \
        "${fig[large/nginx]}" "${fig[large/lighttpd]}" - "$large_ratio" \
        ">= ${GOAL_LARGE_RATIO}x nginx" "$large_result"

    best=$(faster "${fig[crowd/nginx]}" "${fig[crowd/lighttpd]}")
    row "$name" "1 KiB, $CONNECTIONS conns, req/s" "${fig[crowd/web_server]}" \
        "${fig[crowd/nginx]}" "${fig[crowd/lighttpd]}" "${fig[crowd/python]}" \
        "$(ratio "${fig[crowd/web_server]}" "$best")" "(vs the faster)" -

    ours_mib=$(mib "$(values "${memory[$config/crowd/web_server]}" | max)")
    memory_row=("$ours_mib")
    for server in nginx lighttpd python; do
        if [[ -n ${pss[$config/crowd/$server]:-} ]]; then
            memory_row+=("$(mib "$(values "${pss[$config/crowd/$server]}" | max)")")
        else
            memory_row+=(-)
        fi
    done
    rss_result=$(pass "$ours_mib <= $GOAL_RSS_MIB")
    row "$name" "memory at $CONNECTIONS conns, MiB" "${memory_row[@]}" "" \
        "<= $GOAL_RSS_MIB MiB (peak RSS)" "$rss_result"
    [[ $small_result == PASS && $large_result == PASS && $rss_result == PASS ]] || verdict=1
    unset fig
done
echo "(memory: web_server's peak RSS (VmHWM, the goal); the others' PSS summed over their" \
    "processes halfway through the run."
echo " python: one process, HTTP/1.0 (a connection per request), listen backlog 5," \
    "${PY_DURATION}s runs; not in the 100 MiB test.)"
echo "($versions)"
if ((${#wrk_errors[@]} > 0)); then
    echo "wrk socket errors (no run had error responses):"
    for key in $(printf '%s\n' "${!wrk_errors[@]}" | sort); do
        echo "  $key: ${wrk_errors[$key]%; }"
    done
fi
exit "$verdict"
