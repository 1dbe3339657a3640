#!/usr/bin/env bash
# bench/web_proxy.sh: web_proxy side by side with tinyproxy on loopback, both in front of the same
# web_server, measured with wrk sending absolute-form requests to the proxy, proxies taken in turn
# within each round:
#   small    1 KiB file, 64 keep-alive client connections, req/s      goal: >= 1.0x tinyproxy
#   large    100 MiB file, 4 connections, MB/s                         goal: >= 1.0x tinyproxy
#   crowd    1 KiB file, 1,000 connections, req/s, and web_proxy's peak RSS  goal: <= 64 MiB
# Both proxies open a new server connection for every request (neither reuses them); tinyproxy
# also closes the client connection after each response, which wrk counts as read errors.
# Usage: bench/web_proxy.sh [BIN_DIR]   (or TOPDOWN_BIN=BIN_DIR)
#        default BIN_DIR: build/release/bin, then build/test/bin
# Knobs: ROUNDS=3 DURATION=4 CONNECTIONS=1000 PROXIES="web_proxy tinyproxy"
# Exit status: 0 when every goal is met, 1 when one is missed, 2 when the benchmark itself failed.
set -euo pipefail

readonly ROUNDS=${ROUNDS:-3}
readonly DURATION=${DURATION:-4}
readonly KEEPALIVE_CONNECTIONS=${KEEPALIVE_CONNECTIONS:-64}
readonly LARGE_CONNECTIONS=${LARGE_CONNECTIONS:-4}
readonly CONNECTIONS=${CONNECTIONS:-1000}
readonly PROXIES=${PROXIES:-web_proxy tinyproxy}
readonly GOAL_SMALL_RATIO=1.0
readonly GOAL_LARGE_RATIO=1.0
readonly GOAL_RSS_MIB=64
readonly WRK_TIMEOUT=10s
readonly HOST=127.0.0.1

bench_name=web_proxy.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_find_bin "${1:-}" web_proxy web_server
for tool in wrk tinyproxy python3 curl setsid timeout; do
    command -v "$tool" >/dev/null ||
        die "$tool is needed (apt-get install wrk tinyproxy python3 curl util-linux)"
done
ulimit -n "$(ulimit -Hn)"
(($(ulimit -n) >= 2 * CONNECTIONS + 100)) || die "the descriptor limit $(ulimit -n) is too low"

www=$work/www
mkdir "$www"
head -c 1024 /dev/urandom >"$www/1k.bin"
head -c 100M /dev/urandom >"$www/100m.bin"

# The origin: one web_server for the whole run, not a "current server" of lib.sh.
setsid "$bin/web_server" -b "$HOST" -p 0 -r "$www" -q >"$work/origin.out" 2>"$work/origin.err" &
servers+=("$!")
origin_port=
for _ in $(seq 200); do
    origin_port=$(sed -n 's#^web_server: serving .* at http://[^/]*:\([0-9]*\)/$#\1#p' \
        "$work/origin.out")
    [[ -n $origin_port ]] && break
    sleep 0.05
done
[[ -n $origin_port ]] || die "web_server did not start: $(cat "$work/origin.err")"
origin=http://$HOST:$origin_port

# tinyproxy 1.11: -d stays in the foreground; MaxClients bounds its connections (and workers).
# shellcheck disable=SC2317  # called by start_on_free_port
launch_tinyproxy() { # PORT
    cat >"$work/tinyproxy.conf" <<EOF
Port $1
Listen $HOST
Timeout 600
MaxClients $((CONNECTIONS + 100))
LogLevel Critical
EOF
    setsid tinyproxy -d -c "$work/tinyproxy.conf" >"$work/server.out" 2>"$work/server.err" &
    server_started
}

server_pid=
server_port=
start_proxy() { # PROXY
    : >"$work/server.out"
    case $1 in
        web_proxy)
            setsid "$bin/web_proxy" -b "$HOST" -p 0 -q --max-clients $((CONNECTIONS + 100)) \
                >"$work/server.out" 2>"$work/server.err" &
            server_started
            port_from_first_line web_proxy 's/^web_proxy: listening on .*:\([0-9]*\)$/\1/p' ||
                die "web_proxy did not start: $(cat "$work/server.err")"
            ;;
        tinyproxy) start_on_free_port tinyproxy launch_tinyproxy ;;
        *) die "unknown proxy $1" ;;
    esac
}

# Checks the proxy just started passes FILE whole.
verify() { # PROXY FILE
    local expected reply
    expected=$(stat -c %s "$www/$2")
    reply=$(curl -s --max-time 60 -x "http://$HOST:$server_port" -o "$work/got" \
        -w '%{http_code} %{size_download}' "$origin/$2") || die "$1 did not answer"
    [[ $reply == "200 $expected" ]] || die "$1 answered $2 with '$reply' (200 $expected expected)"
    cmp -s "$work/got" "$www/$2" || die "$1 passed other bytes than $2"
}

read -r -a proxy_list <<<"$PROXIES"
tests=(small large crowd)
declare -A test_connections=([small]=$KEEPALIVE_CONNECTIONS [large]=$LARGE_CONNECTIONS
    [crowd]=$CONNECTIONS)
declare -A test_file=([small]=1k.bin [large]=100m.bin [crowd]=1k.bin)
versions="$("$bin/web_proxy" --version | head -n 1), $(tinyproxy -v 2>&1 | head -n 1),"
versions+=" origin $("$bin/web_server" --version | head -n 1)"
load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)
echo "web_proxy.sh: $ROUNDS rounds of ${DURATION}s wrk runs, $versions; load average" \
    "$load_before" >&2

declare -A rps=() mbps=() memory=() pss=() others=()
for round in $(seq "$ROUNDS"); do
    order=("${proxy_list[@]}")
    if ((round % 2 == 0)); then
        order=()
        for ((i = ${#proxy_list[@]} - 1; i >= 0; i--)); do order+=("${proxy_list[i]}"); done
    fi
    echo "round $round (load average $(cut -d ' ' -f 1-3 /proc/loadavg))" >&2
    for test in "${tests[@]}"; do
        for proxy in "${order[@]}"; do
            key=$test/$proxy
            start_proxy "$proxy"
            verify "$proxy" "${test_file[$test]}"
            run_wrk "$key" 2 "${test_connections[$test]}" "$DURATION" no \
                "http://$HOST:$server_port" "$origin/${test_file[$test]}"
            [[ $proxy == web_proxy ]] &&
                result_kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")
            stop_server
            figure="$result_rps req/s"
            [[ $test == large ]] && figure="$result_mbps MB/s"
            printf '  %-5s %-10s %12s  p99 %7s ms  others %3s%%%s\n' "$test" "$proxy" "$figure" \
                "$result_p99_ms" "$result_others" \
                "$( ((result_errors == 0)) || echo "  ($result_errors socket errors)")" >&2
            rps[$key]+="$result_rps "
            mbps[$key]+="$result_mbps "
            pss[$key]+="$result_pss_kib "
            [[ $proxy == web_proxy ]] && memory[$key]+="$result_kib "
            others[$test]+="$result_others "
        done
    done
done

median_of() { # ARRAY-NAME KEY
    local -n array=$1
    values "${array[$2]}" | median
}
small_ours=$(median_of rps small/web_proxy)
small_theirs=$(median_of rps small/tinyproxy)
large_ours=$(median_of mbps large/web_proxy)
large_theirs=$(median_of mbps large/tinyproxy)
crowd_ours=$(median_of rps crowd/web_proxy)
crowd_theirs=$(median_of rps crowd/tinyproxy)
rss_mib=$(mib "$(values "${memory[crowd/web_proxy]}" | max)")
theirs_mib=$(mib "$(values "${pss[crowd/tinyproxy]}" | max)")
small_ratio=$(ratio "$small_ours" "$small_theirs")
large_ratio=$(ratio "$large_ours" "$large_theirs")
small_result=$(pass "${small_ratio%x} >= $GOAL_SMALL_RATIO")
large_result=$(pass "${large_ratio%x} >= $GOAL_LARGE_RATIO")
rss_result=$(pass "$rss_mib <= $GOAL_RSS_MIB")

echo
echo "web_proxy vs tinyproxy on loopback with wrk, $(date -u +%Y-%m-%d), $(nproc) cores," \
    "median of $ROUNDS rounds; load average $load_before before," \
    "$(cut -d ' ' -f 1-3 /proc/loadavg) after"
row() { printf '%-36s %10s %10s %7s  %-20s %s\n' "$@"; }
row "" web_proxy tinyproxy ratio goal result
row "1 KiB, $KEEPALIVE_CONNECTIONS conns, req/s" "$small_ours" "$small_theirs" "$small_ratio" \
    ">= ${GOAL_SMALL_RATIO}x" "$small_result"
row "100 MiB, $LARGE_CONNECTIONS conns, MB/s" "$large_ours" "$large_theirs" "$large_ratio" \
    ">= ${GOAL_LARGE_RATIO}x" "$large_result"
row "1 KiB, $CONNECTIONS conns, req/s" "$crowd_ours" "$crowd_theirs" \
    "$(ratio "$crowd_ours" "$crowd_theirs")" - -
row "memory at $CONNECTIONS conns, MiB" "$rss_mib" "$theirs_mib" "" "<= $GOAL_RSS_MIB MiB" \
    "$rss_result"
echo "(memory: web_proxy's peak RSS (VmHWM); tinyproxy's PSS summed over its processes halfway" \
    "through the run. CPU other jobs kept busy, median per test:" \
    "$(for test in "${tests[@]}"; do printf '%s %s%% ' "$test" \
        "$(values "${others[$test]}" | median)"; done)"
echo " $versions)"
if ((${#wrk_errors[@]} > 0)); then
    echo "wrk socket errors:"
    for key in $(printf '%s\n' "${!wrk_errors[@]}" | sort); do
        echo "  $key: ${wrk_errors[$key]%; }"
    done
fi
[[ $small_result == PASS && $large_result == PASS && $rss_result == PASS ]]
