#!/usr/bin/env bash
# bench/tcp.sh: tcp_server side by side with socat (a pure echo) on loopback, in alternating rounds:
#   stream   1 GiB through tcp_client -> server -> tcp_client, MB/s   goal: >= 1.0x socat
#   load     1,000 connections x 100 short lines each (tcp_load)    goal: tcp_server RSS <= 20 MiB
# Usage: bench/tcp.sh [BIN_DIR]   (or TOPDOWN_BIN=BIN_DIR)
#        default BIN_DIR: build/release/bin, then build/test/bin
# Knobs: ROUNDS=3 STREAM_MIB=1024 CONNECTIONS=1000 LINES=100 TCP_SERVER_ARGS="-t 1" ...
# Exit status: 0 when every goal is met, 1 when one is missed, 2 when the benchmark itself failed.
set -euo pipefail

readonly ROUNDS=${ROUNDS:-3}
readonly STREAM_MIB=${STREAM_MIB:-1024}
readonly CONNECTIONS=${CONNECTIONS:-1000}
readonly LINES=${LINES:-100}
readonly LINE_BYTES=${LINE_BYTES:-32}
readonly TCP_SERVER_ARGS=${TCP_SERVER_ARGS:-}
readonly GOAL_STREAM_RATIO=1.0
readonly GOAL_RSS_MIB=20
readonly RUN_TIMEOUT=120  # seconds for any one client run; the whole script stays bounded
readonly STREAM_TIMEOUT=${STREAM_TIMEOUT:-30}  # one stream takes 1-3 s; longer means stuck
readonly HOST=127.0.0.1

# ---------------------------------------------------------------------------- binaries and tools

bench_name=tcp.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_find_bin "${1:-}" tcp_server tcp_client tcp_load
for tool in socat python3 setsid timeout; do
    command -v "$tool" >/dev/null || die "$tool is needed (apt-get install socat python3)"
done

# A thousand connections on each side: take the hard descriptor limit for everything started here.
ulimit -n "$(ulimit -Hn)"

# ---------------------------------------------------------------------------- helpers

server_pid=
server_port=

# Starts tcp_server on an ephemeral port; its first stdout line names the port.
start_ours() {
    : >"$work/server.out"
    # shellcheck disable=SC2086  # TCP_SERVER_ARGS is a list of options
    setsid "$bin/tcp_server" -b "$HOST" -p 0 -q $TCP_SERVER_ARGS \
        >"$work/server.out" 2>"$work/server.err" &
    server_started
    port_from_first_line tcp_server 's/^tcp_server: listening on .*:\([0-9]*\)$/\1/p' ||
        die "tcp_server did not start: $(cat "$work/server.err")"
}

# socat as an echo server, handed a free port. backlog=1024 as tcp_server's: with socat's
# default of 5, a thousand connects stall on SYN retries.
# shellcheck disable=SC2317  # called by start_on_free_port
launch_socat() { # PORT
    setsid socat "TCP4-LISTEN:$1,bind=$HOST,fork,reuseaddr,backlog=1024" PIPE \
        >"$work/server.out" 2>"$work/server.err" &
    server_started
}

start_server() { if [[ $1 == ours ]]; then start_ours; else start_on_free_port socat launch_socat; fi; }

# These run in the main shell, not in $(...), so the EXIT trap still knows every server started.

# Sets result_mbps: one STREAM_MIB stream through a fresh server. socat's single-process PIPE
# echo sometimes deadlocks on its own full pipe and stops reading the socket (seen here about one
# 1 GiB run in five: the client has sent everything, socat's receive queue sits unread); such a
# run is stopped after STREAM_TIMEOUT, counted in stuck[], and run again.
declare -A stuck=([ours]=0 [socat]=0)
measure_stream() {
    local seconds attempt
    for attempt in 1 2 3 4; do
        start_server "$1"
        seconds=$(helper timed "$work/stream.bin" "$STREAM_TIMEOUT" \
            "$bin/tcp_client" "$HOST" "$server_port")
        stop_server
        [[ $seconds != timeout ]] && break
        stuck[$1]=$((stuck[$1] + 1))
        echo "  $1 stream: stuck for ${STREAM_TIMEOUT}s, run again (attempt $attempt)" >&2
    done
    [[ $seconds == timeout ]] && die "$1 stream got stuck $attempt times in a row"
    result_mbps=$(awk -v s="$seconds" -v mib="$STREAM_MIB" \
        'BEGIN { printf "%.1f", mib * 1048576 / s / 1e6 }')
}

# Sets result_rate (lines/s) and result_kib: tcp_server's peak RSS (VmHWM), or for socat the sum of
# PSS over its processes (one per connection) with all connections open, from one load run against
# a fresh server.
measure_load() {
    start_server "$1"
    local expect=upper
    [[ $1 == ours ]] || expect="echo"
    local out
    # tcp_load prints its result, then holds every connection open for the memory reading.
    out=$(timeout "$RUN_TIMEOUT" python3 "$bench_dir/helper.py" sampled "$server_pid" "$bin/tcp_load" \
        --connections "$CONNECTIONS" --lines "$LINES" --line-bytes "$LINE_BYTES" \
        --expect "$expect" --timeout 60 --hold 0.5 "$HOST" "$server_port")
    echo "  $1 load: $(head -n 1 <<<"$out")" >&2
    result_rate=$(sed -n 's/.*lines_per_s=\([0-9]*\).*/\1/p' <<<"$out")
    if [[ $1 == ours ]]; then
        result_kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")
    else
        result_kib=$(sed -n 's/^pss_kib=//p' <<<"$out")
    fi
    stop_server
    [[ -n $result_rate && -n $result_kib ]] || die "could not read the load results: $out"
}

median() {
    sort -g | awk '{ v[NR] = $1 }
        END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
max() { sort -g | tail -n 1; }

# ---------------------------------------------------------------------------- the rounds

socat_version=$(socat -V | sed -n 's/^socat version \([^ ]*\).*/socat \1/p')
echo "tcp.sh: $STREAM_MIB MiB stream and $CONNECTIONS connections x $LINES lines, $ROUNDS rounds" \
    "($("$bin/tcp_server" --version | head -n 1), $socat_version)" >&2
# 16 MiB of random bytes repeated: as good as 1 GiB of /dev/urandom for TCP, and 20x faster.
head -c 16M /dev/urandom >"$work/chunk.bin"
for _ in $(seq $(((STREAM_MIB + 15) / 16))); do cat "$work/chunk.bin"; done |
    head -c "$((STREAM_MIB * 1048576))" >"$work/stream.bin"
rm "$work/chunk.bin"

declare -A stream=() rate=() memory=()
for round in $(seq "$ROUNDS"); do
    # Alternate who goes first, so drift (page cache, CPU clock) does not favour one side.
    if ((round % 2 == 1)); then order=(ours socat); else order=(socat ours); fi
    for side in "${order[@]}"; do
        measure_stream "$side"
        echo "  $side stream: $result_mbps MB/s (round $round)" >&2
        stream[$side]+="$result_mbps "
    done
    for side in "${order[@]}"; do
        measure_load "$side"
        rate[$side]+="$result_rate "
        memory[$side]+="$result_kib "
    done
done

values() { tr ' ' '\n' <<<"$1" | sed '/^$/d'; }
ours_mbps=$(values "${stream[ours]}" | median)
socat_mbps=$(values "${stream[socat]}" | median)
ours_rate=$(values "${rate[ours]}" | median)
socat_rate=$(values "${rate[socat]}" | median)
ours_kib=$(values "${memory[ours]}" | max)
socat_kib=$(values "${memory[socat]}" | max)

verdict=0
pass() { # pass CONDITION-IN-AWK
    if awk "BEGIN { exit !($1) }"; then echo PASS; else echo FAIL; fi
}
stream_ratio=$(awk -v a="$ours_mbps" -v b="$socat_mbps" 'BEGIN { printf "%.2f", a / b }')
rate_ratio=$(awk -v a="$ours_rate" -v b="$socat_rate" 'BEGIN { printf "%.2f", a / b }')
ours_mib=$(awk -v k="$ours_kib" 'BEGIN { printf "%.1f", k / 1024 }')
socat_mib=$(awk -v k="$socat_kib" 'BEGIN { printf "%.1f", k / 1024 }')
stream_result=$(pass "$stream_ratio >= $GOAL_STREAM_RATIO")
rss_result=$(pass "$ours_mib <= $GOAL_RSS_MIB")
[[ $stream_result == PASS && $rss_result == PASS ]] || verdict=1

echo
echo "tcp_server vs socat on loopback, $(date -u +%Y-%m-%d), $(nproc) cores," \
    "median of $ROUNDS rounds"
row() { printf '%-34s %12s %12s %8s  %-16s %s\n' "$@"; }
row "" tcp_server socat ratio goal result
row "stream $STREAM_MIB MiB, MB/s" "$ours_mbps" "$socat_mbps" "${stream_ratio}x" \
    ">= ${GOAL_STREAM_RATIO}x socat" "$stream_result"
row "$CONNECTIONS conns x $LINES lines, lines/s" "$ours_rate" "$socat_rate" "${rate_ratio}x" - -
row "memory at $CONNECTIONS conns, MiB (peak)" "$ours_mib" "$socat_mib" "" \
    "<= $GOAL_RSS_MIB MiB" "$rss_result"
echo "(memory: tcp_server's peak RSS (VmHWM); socat's sum of PSS over its $((CONNECTIONS + 1))" \
    "processes, all connections open)"
if ((stuck[ours] + stuck[socat] > 0)); then
    echo "(stuck stream runs, stopped after ${STREAM_TIMEOUT}s and run again:" \
        "tcp_server ${stuck[ours]}, socat ${stuck[socat]})"
fi
exit "$verdict"
