#!/usr/bin/env bash
# bench/udp_ping.sh: what udp_ping's measuring costs, side by side with sockperf on loopback.
#   flood   udp_ping -f -c 20000 -q  vs  sockperf ping-pong --full-rtt -t 3     goal: p50 <= 1.1x
#   paced   udp_ping -c 2000 -i 0.001 -q  vs  sockperf ping-pong --mps 1000      goal: p50 <= 1.0x
#   floor   ping -c 2000 -i 0.001 -q 127.0.0.1 (ICMP, answered in the kernel): avg, for the table
#   capacity  datagrams/s udp_ping_server echoes with SENDERS flooding clients at once
# udp_ping's pings go to udp_ping_server; sockperf's to `sockperf server`.
# Usage: bench/udp_ping.sh [BIN_DIR]; knobs: ROUNDS=3 SENDERS=4
# Exit status: 0 when every goal is met, 1 when one is missed, 2 when the benchmark broke.
set -euo pipefail

readonly ROUNDS=${ROUNDS:-3}
readonly SENDERS=${SENDERS:-4}
readonly HOST=127.0.0.1

bench_name=udp_ping.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_find_bin "${1:-}" udp_ping udp_ping_server
for tool in sockperf python3 setsid timeout; do
    command -v "$tool" >/dev/null || die "$tool is needed (apt-get install sockperf python3)"
done

# Starts udp_ping_server; sets ours_port.
start_ours() {
    setsid "$bin/udp_ping_server" -b "$HOST" -p 0 -q >"$work/ours.out" 2>"$work/ours.err" &
    servers+=("$!")
    local line
    for _ in $(seq 100); do
        line=$(head -n 1 "$work/ours.out")
        [[ $line == *"listening on "* ]] && break
        sleep 0.05
    done
    ours_port=${line##*:}
    [[ -n $ours_port ]] || die "udp_ping_server did not start: $(cat "$work/ours.err")"
}

# Starts sockperf's server; sets theirs_port.
start_sockperf() {
    theirs_port=$(helper free-port udp)
    setsid sockperf server -i "$HOST" -p "$theirs_port" >"$work/sockperf.out" 2>&1 &
    servers+=("$!")
    for _ in $(seq 100); do
        grep -q "Waiting\|waiting\|Starting" "$work/sockperf.out" 2>/dev/null && break
        sleep 0.05
    done
}

# The p50 in microseconds from udp_ping's "rtt p50/p90/p99 = a/b/c ms" line.
ours_p50() { awk -F'[ /=]+' '/rtt p50/ { printf "%.3f", $5 * 1000 }'; }
# The p50 in microseconds from sockperf's "---> percentile 50.000 = X" line.
sockperf_p50() { sed 's/\x1b\[[0-9;]*m//g' | awk '/percentile 50.000/ { printf "%.3f", $NF }'; }

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

start_ours
start_sockperf
declare -A results
for round in $(seq "$ROUNDS"); do
    r=$(timeout 120 "$bin/udp_ping" -f -c 20000 -q "$HOST" "$ours_port" | ours_p50)
    results[ours_flood]+="$r "
    r=$(timeout 60 sockperf ping-pong -i "$HOST" -p "$theirs_port" --full-rtt -t 3 2>&1 | sockperf_p50)
    results[sockperf_flood]+="$r "
    r=$(timeout 60 "$bin/udp_ping" -c 2000 -i 0.001 -q "$HOST" "$ours_port" | ours_p50)
    results[ours_paced]+="$r "
    r=$(timeout 60 sockperf ping-pong -i "$HOST" -p "$theirs_port" --full-rtt --mps 1000 -t 2 2>&1 | sockperf_p50)
    results[sockperf_paced]+="$r "
    echo "  round $round: flood ${results[ours_flood]##* } ... done" >&2
done

floor="-"
if command -v ping >/dev/null; then
    floor=$(timeout 60 ping -c 2000 -i 0.001 -q "$HOST" 2>/dev/null |
        awk -F'[ /=]+' '/rtt min/ { printf "%.3f", $7 * 1000 }') || floor="-"
    [[ -n $floor ]] || floor="-"
fi

# Capacity: SENDERS flood clients at once; echoed datagrams per second in all.
start=$(date +%s.%N)
pids=()
for _ in $(seq "$SENDERS"); do
    timeout 120 "$bin/udp_ping" -f -c 20000 -q -W 0.2 "$HOST" "$ours_port" >"$work/cap.$_" &
    pids+=("$!")
done
for pid in "${pids[@]}"; do wait "$pid" || true; done
end=$(date +%s.%N)
received=$(cat "$work"/cap.* | awk '/packets transmitted/ { sum += $4 } END { print sum + 0 }')
capacity=$(awk -v n="$received" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", n / (e - s) }')

ours_flood=$(echo "${results[ours_flood]}" | median)
theirs_flood=$(echo "${results[sockperf_flood]}" | median)
ours_paced=$(echo "${results[ours_paced]}" | median)
theirs_paced=$(echo "${results[sockperf_paced]}" | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict=0
check() { # ratio goal -> PASS/FAIL
    if awk -v r="$1" -v g="$2" 'BEGIN { exit !(r <= g) }'; then echo PASS; else echo FAIL; verdict=1; fi
}
flood_ratio=$(ratio "$ours_flood" "$theirs_flood")
paced_ratio=$(ratio "$ours_paced" "$theirs_paced")
flood_result=$(check "$flood_ratio" 1.1)
paced_result=$(check "$paced_ratio" 1.0)
[[ $flood_result == PASS && $paced_result == PASS ]] || verdict=1

echo
echo "udp_ping vs sockperf on loopback, $(date +%F), $(nproc) cores, median of $ROUNDS rounds (p50 RTT, us)"
printf '%-34s %10s %10s %7s  %s\n' "" udp_ping sockperf ratio "goal / result"
printf '%-34s %10s %10s %7s  %s\n' "flood (one in flight)" "$ours_flood" "$theirs_flood" "${flood_ratio}x" "<= 1.1x  $flood_result"
printf '%-34s %10s %10s %7s  %s\n' "paced, 1,000 per second" "$ours_paced" "$theirs_paced" "${paced_ratio}x" "<= 1.0x  $paced_result"
printf '%-34s %10s\n' "ICMP ping avg (kernel floor)" "$floor"
printf '%-34s %10s\n' "udp_ping_server, $SENDERS flooding senders, replies/s" "$capacity"
exit "$verdict"
