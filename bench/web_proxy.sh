#!/usr/bin/env bash
# bench/web_proxy.sh: web_proxy side by side with tinyproxy and Squid on loopback, all three in
# front of one nginx origin that sends its files with Cache-Control: max-age=3600, and with that
# nginx itself (wrk straight to the origin). wrk -t2 sends absolute-form requests to each proxy in
# turn; every proxy is started fresh for every run:
#   miss     cache off, 1 KiB file, 32 keep-alive conns, req/s: web_proxy --cache-size 0,
#            tinyproxy (no cache), Squid with `cache deny all`, nginx direct
#            goals: >= 5x tinyproxy, >= 1.5x Squid, >= 0.5x nginx direct
#   hit      all hits, the same load: web_proxy and Squid with their memory caches, warmed by one
#            request; every response must be a hit (the origin sees no request during the run)
#            goals: >= 2x Squid, >= 0.8x nginx direct (the miss test's figure)
#   large    cache off, 100 MiB file, 4 conns, MB/s          goal: >= 1.0x tinyproxy
#   crowd    cache off, 1 KiB file, 1,000 conns, req/s       (no goal)
#   idle     10,000 keep-alive clients, each makes one request and stays connected: web_proxy's
#            peak RSS (VmHWM)                                 goal: <= 64 MiB
#   tunnel   a 1 GiB download by curl through CONNECT, MB/s   goal: >= 0.8x the same download direct
# The cache rows need web_proxy's --cache-size: without it (read from --help) web_proxy has no
# cache, runs the cache-off rows as it is and the hit row is "not measured".
# Usage: bench/web_proxy.sh [BIN_DIR]   (or TOPDOWN_BIN=BIN_DIR)
#        default BIN_DIR: build/release/bin, then build/test/bin
# Knobs: ROUNDS=3 DURATION=4 KEEPALIVE_CONNECTIONS=32 LARGE_CONNECTIONS=4 CONNECTIONS=1000
#        IDLE_CLIENTS=10000 IDLE_WINDOW=256 IDLE_HOLD=2 DOWNLOAD_MIB=1024 THREADS=2
#        ORIGIN_WORKERS=2 TESTS="miss hit large crowd idle tunnel" (a goal whose test is left out is
#        "not measured")
# Exit status: 0 when every goal is met, 1 when one is missed or not measured, 2 when the
# benchmark itself failed.
set -euo pipefail

readonly ROUNDS=${ROUNDS:-3}
readonly DURATION=${DURATION:-4}  # seconds of each wrk run
readonly KEEPALIVE_CONNECTIONS=${KEEPALIVE_CONNECTIONS:-32}
readonly LARGE_CONNECTIONS=${LARGE_CONNECTIONS:-4}
readonly CONNECTIONS=${CONNECTIONS:-1000}
readonly IDLE_CLIENTS=${IDLE_CLIENTS:-10000}
readonly IDLE_WINDOW=${IDLE_WINDOW:-256}  # idle clients making their request at the same time
readonly IDLE_HOLD=${IDLE_HOLD:-2}        # seconds every idle client stays connected, then PSS
readonly IDLE_TIMEOUT=60                  # seconds for all idle clients to get their answer
readonly DOWNLOAD_MIB=${DOWNLOAD_MIB:-1024}
readonly DOWNLOAD_TIMEOUT=120  # seconds for one download (1-3 s expected)
readonly THREADS=${THREADS:-2}              # web_proxy -t; Squid runs one worker
readonly ORIGIN_WORKERS=${ORIGIN_WORKERS:-2}  # nginx worker_processes
readonly TESTS=${TESTS:-miss hit large crowd idle tunnel}
readonly GOAL_MISS_TINYPROXY=5 GOAL_MISS_SQUID=1.5 GOAL_MISS_NGINX=0.5
readonly GOAL_HIT_SQUID=2 GOAL_HIT_NGINX=0.8
readonly GOAL_LARGE_RATIO=1.0
readonly GOAL_IDLE_MIB=64
readonly GOAL_TUNNEL_RATIO=0.8
readonly KEEPALIVE_REQUESTS=100000  # nginx: per connection, so clients and proxies seldom reconnect
readonly CACHE_MAX_AGE=3600
readonly WRK_TIMEOUT=10s
readonly HOST=127.0.0.1

# ---------------------------------------------------------------------------- binaries and tools

bench_name=web_proxy.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_find_bin "${1:-}" web_proxy
PATH=$PATH:/usr/sbin  # squid and nginx live there; a user's PATH may lack it
for tool in wrk nginx tinyproxy squid python3 curl setsid timeout; do
    command -v "$tool" >/dev/null ||
        die "$tool is needed (apt-get install wrk nginx-light tinyproxy squid python3 curl" \
            "util-linux; squid's package starts its daemon unless /usr/sbin/policy-rc.d exits 101)"
done
has_test() { [[ " $TESTS " == *" $1 "* ]]; }
for test in $TESTS; do
    [[ $test =~ ^(miss|hit|large|crowd|idle|tunnel)$ ]] || die "unknown test '$test' in TESTS"
done
has_test hit && ! has_test miss && die "the hit test needs the miss test (its nginx figure)"

# Ten thousand clients, and as many descriptors in the proxy: take the hard limit for everything
# started here (raised first when root may: web_proxy keeps a descriptor per client for its
# server connection, so 10,000 clients need more than a hard limit of 20,000 leaves it).
if ((EUID == 0)); then ulimit -Hn 65536 2>/dev/null || true; fi
ulimit -n "$(ulimit -Hn)"
FD_LIMIT=$(ulimit -n)
readonly FD_LIMIT
needed=$((CONNECTIONS + 100))
has_test idle && needed=$((IDLE_CLIENTS + 2 * IDLE_WINDOW + 100))
((FD_LIMIT >= needed)) ||
    die "the descriptor limit $FD_LIMIT is too low for this run (needs $needed: ulimit -Hn)"

# What this web_proxy can be told: the cache and the per-address cap came later than the rest.
help=$("$bin/web_proxy" --help)
has_cache_flag=
[[ $help == *--cache-size* ]] && has_cache_flag=yes
proxy_args=(-b "$HOST" -p 0 -t "$THREADS" -q
    --max-clients $((CONNECTIONS > IDLE_CLIENTS ? CONNECTIONS + 100 : IDLE_CLIENTS + 100)))
# All the idle clients come from 127.0.0.1: one address over the default cap of 256.
[[ $help == *--max-per-client* ]] && proxy_args+=(--max-per-client 20000)
# The origin listens on a free port: CONNECT to it must be allowed (the default is 443 only).
[[ $help == *--connect-ports* ]] && proxy_args+=(--connect-ports 1-65535)

# ---------------------------------------------------------------------------- the origin

# Readable by all: nginx started as root serves from its workers, which run as nobody; Squid
# started as root runs as nobody too.
chmod 755 "$work"
www=$work/www
mkdir -m 755 "$www" "$work/nginx" "$work/squid"
head -c 1024 /dev/urandom >"$www/1k.bin"
head -c 100M /dev/urandom >"$www/100m.bin"
if has_test tunnel; then
    # 16 MiB of random bytes repeated: as good as fresh random bytes for a TCP stream, and faster.
    head -c 16M /dev/urandom >"$work/chunk.bin"
    for _ in $(seq $(((DOWNLOAD_MIB + 15) / 16))); do cat "$work/chunk.bin"; done |
        head -c "$((DOWNLOAD_MIB * 1048576))" >"$www/download.bin"
    rm "$work/chunk.bin"
fi
chmod 644 "$www"/*

# nginx as the origin (and the "direct" peer): the configuration of bench/web_server.sh, plus the
# cache lifetime on every response and its request counter (stub_status) at /status, which the
# hit test reads to prove no request got past the caches.
# shellcheck disable=SC2317  # called by start_on_free_port
launch_origin() { # PORT
    write_nginx_conf "$work/nginx" "$1" "$ORIGIN_WORKERS" "$FD_LIMIT" "$www" \
        "add_header Cache-Control \"max-age=$CACHE_MAX_AGE\"; location = /status { stub_status; }"
    setsid nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" \
        >"$work/server.out" 2>"$work/server.err" &
    server_started
}

# The origin runs for the whole benchmark: started as a "current server" of lib.sh, then set
# aside (it stays in servers[], so the EXIT trap stops it).
server_pid=
server_port=
start_on_free_port nginx launch_origin
origin_pid=$server_pid
origin=http://$HOST:$server_port
server_pid=

# The origin must send the small file whole, with its cache lifetime.
reply=$(curl -s --max-time 10 -D "$work/head" -o "$work/got" -w '%{http_code}' "$origin/1k.bin") ||
    die "nginx did not answer"
if [[ $reply != 200 ]] || ! cmp -s "$work/got" "$www/1k.bin"; then
    die "nginx answered 1k.bin with status $reply or other bytes"
fi
grep -qi "^Cache-Control: max-age=$CACHE_MAX_AGE" "$work/head" ||
    die "nginx sent no Cache-Control: max-age=$CACHE_MAX_AGE: $(cat "$work/head")"

# The origin's count of requests so far (each reading counts itself too).
origin_requests() {
    local count
    count=$(curl -s --max-time 10 "$origin/status" | awk 'NR == 3 { print $3 }')
    [[ -n $count ]] || die "nginx's /status did not answer"
    echo "$count"
}

# ---------------------------------------------------------------------------- the proxies

# tinyproxy 1.11: -d stays in the foreground; MaxClients bounds its connections (a thread each).
# With no ConnectPort line it tunnels to any port.
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

# Squid 5 in the foreground (-N: no daemon, no kid processes), one worker, a memory cache only (no
# cache_dir), no access log (as the others: web_proxy -q, nginx access_log off), its cache.log in
# the temp dir. squid_cache=off adds `cache deny all`: requests are relayed, nothing is stored.
# The name servers are loopback only: every URL here is an IP address, and Squid must send no
# query elsewhere. shutdown_lifetime 0: SIGTERM ends it at once (30 s by default).
squid_cache=on
# shellcheck disable=SC2317  # called by start_on_free_port
launch_squid() { # PORT
    local user=
    if ((EUID == 0)); then
        user="cache_effective_user nobody"
        chown nobody "$work/squid"
    fi
    cat >"$work/squid/squid.conf" <<EOF
workers 1
http_port $HOST:$1
visible_hostname bench
http_access allow localhost
http_access deny all
cache_mem 64 MB
$( [[ $squid_cache == off ]] && echo "cache deny all")
cache_log $work/squid/cache.log
access_log none
pid_filename $work/squid/squid.pid
coredump_dir $work/squid
$user
max_filedescriptors $FD_LIMIT
dns_nameservers $HOST
pinger_enable off
shutdown_lifetime 0 seconds
EOF
    setsid squid -N -f "$work/squid/squid.conf" >"$work/server.out" 2>"$work/server.err" &
    server_started
}

# Starts CONFIG as the current server: web_proxy (its cache as by default), web_proxy_off
# (--cache-size 0, when it has a cache), tinyproxy, squid (memory cache), squid_off (no cache).
start_proxy() { # CONFIG
    : >"$work/server.out"
    case $1 in
        web_proxy | web_proxy_off)
            local cache=()
            [[ $1 == web_proxy_off && -n $has_cache_flag ]] && cache=(--cache-size 0)
            setsid "$bin/web_proxy" "${proxy_args[@]}" "${cache[@]}" \
                >"$work/server.out" 2>"$work/server.err" &
            server_started
            port_from_first_line web_proxy 's/^web_proxy: listening on .*:\([0-9]*\)$/\1/p' ||
                die "web_proxy did not start: $(cat "$work/server.err")"
            ;;
        tinyproxy) start_on_free_port tinyproxy launch_tinyproxy ;;
        squid | squid_off)
            squid_cache=on
            [[ $1 == squid_off ]] && squid_cache=off
            start_on_free_port squid launch_squid
            ;;
        *) die "unknown proxy $1" ;;
    esac
    proxy=http://$HOST:$server_port
}

# Checks the proxy just started passes FILE whole, byte for byte.
verify() { # CONFIG FILE
    local expected reply
    expected=$(stat -c %s "$www/$2")
    reply=$(curl -s --max-time 60 -x "$proxy" -o "$work/got" -w '%{http_code} %{size_download}' \
        "$origin/$2") || die "$1 did not answer"
    [[ $reply == "200 $expected" ]] || die "$1 answered $2 with '$reply' (200 $expected expected)"
    cmp -s "$work/got" "$www/$2" || die "$1 passed other bytes than $2"
}

# True when the proxy just started answers FILE from its cache: Squid's X-Cache says HIT,
# web_proxy's Cache-Status (RFC 9211) has the hit parameter.
answers_from_cache() { # CONFIG FILE
    local head
    head=$(curl -s --max-time 10 -x "$proxy" -o /dev/null -D - "$origin/$2") ||
        die "$1 did not answer"
    case $1 in
        squid) grep -qi '^X-Cache: *HIT' <<<"$head" ;;
        web_proxy) grep -i '^Cache-Status:' <<<"$head" | grep -qi 'hit' ;;
        *) return 1 ;;
    esac
}

# Sets result_mbps: one download of download.bin by curl, through the current proxy's CONNECT
# tunnel, or straight from the origin when CONFIG is nginx.
download() { # CONFIG
    local via=() reply expected
    [[ $1 == nginx ]] || via=(--proxytunnel -x "$proxy")
    expected=$(stat -c %s "$www/download.bin")
    reply=$(curl -s --max-time "$DOWNLOAD_TIMEOUT" "${via[@]}" -o /dev/null \
        -w '%{http_connect} %{http_code} %{size_download} %{time_total}' \
        "$origin/download.bin") || die "$1: the download failed or took over ${DOWNLOAD_TIMEOUT}s"
    local connect code size seconds
    read -r connect code size seconds <<<"$reply"
    [[ $code == 200 && $size == "$expected" ]] ||
        die "$1: the download ended with status $code after $size bytes (CONNECT: $connect)"
    [[ $1 == nginx || $connect == 200 ]] || die "$1 answered CONNECT with $connect"
    result_mbps=$(awk -v b="$size" -v s="$seconds" 'BEGIN { printf "%.1f", b / s / 1e6 }')
}

# Sets result_kib (web_proxy's peak RSS, else the sum of PSS over the proxy's processes),
# result_open and result_answered: IDLE_CLIENTS clients of the current proxy, each one request for
# the 1 KiB file and then idle, all connected for IDLE_HOLD seconds.
hold_idle_clients() { # CONFIG
    local out
    out=$(timeout $((IDLE_TIMEOUT + ${IDLE_HOLD%.*} + 60)) python3 "$bench_dir/helper.py" \
        idle-clients "$server_pid" "$HOST" "$server_port" "$IDLE_CLIENTS" "$origin/1k.bin" \
        "$IDLE_WINDOW" "$IDLE_HOLD" "$IDLE_TIMEOUT" 2>"$work/idle.err") ||
        die "the idle clients failed on $1: $(cat "$work/idle.err")"
    idle_field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<" $out"; }
    result_answered=$(idle_field answered)
    result_open=$(idle_field open)
    result_seconds=$(idle_field seconds)
    result_kib=$(idle_field pss_kib)
    [[ $1 == web_proxy* ]] && result_kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")
    [[ -n $result_open && -n $result_kib ]] || die "could not read the idle clients' results: $out"
    if [[ -s $work/idle.err ]]; then sed 's/^/    /' "$work/idle.err" >&2; fi
}

# ---------------------------------------------------------------------------- the rounds

# What each test runs (nginx: wrk or curl straight to the origin), and with what. tinyproxy
# answers its clients in HTTP/1.0 and closes each connection after the response: it holds no idle
# clients, so it is not in the idle test.
declare -A test_configs=([miss]="web_proxy_off tinyproxy squid_off nginx"
    [hit]="web_proxy squid" [large]="web_proxy_off tinyproxy squid_off"
    [crowd]="web_proxy_off tinyproxy squid_off" [idle]="web_proxy squid"
    [tunnel]="web_proxy tinyproxy squid nginx")
# Without a cache in web_proxy there are no hits to compare.
[[ -n $has_cache_flag ]] || test_configs[hit]=""
declare -A test_connections=([miss]=$KEEPALIVE_CONNECTIONS [hit]=$KEEPALIVE_CONNECTIONS
    [large]=$LARGE_CONNECTIONS [crowd]=$CONNECTIONS)
declare -A test_file=([miss]=1k.bin [hit]=1k.bin [large]=100m.bin [crowd]=1k.bin)
read -r -a test_list <<<"$TESTS"

versions="$("$bin/web_proxy" --version | head -n 1), $(tinyproxy -v 2>&1 | head -n 1),"
versions+=" $(squid -v | sed -n '1s/.*Version /Squid /p'), $(nginx -v 2>&1 | sed 's/.*: //'),"
versions+=" wrk $(wrk -v 2>&1 | sed -n '1s/^wrk \([^ ]*\).*/\1/p' || true),"
versions+=" $(curl --version | sed -n '1s/^\(curl [^ ]*\).*/\1/p')"
load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)
echo "web_proxy.sh: $ROUNDS rounds of ${DURATION}s wrk runs, tests: $TESTS; $versions;" \
    "load average $load_before" >&2
[[ -n $has_cache_flag ]] ||
    echo "web_proxy.sh: web_proxy has no --cache-size: it runs the cache-off tests as it is," \
        "and the hit test is not measured" >&2

declare -A rps=() mbps=() memory=() open=() answered=() others=() misses=()
for round in $(seq "$ROUNDS"); do
    echo "round $round (load average $(cut -d ' ' -f 1-3 /proc/loadavg))" >&2
    for test in "${test_list[@]}"; do
        read -r -a order <<<"${test_configs[$test]}"
        # Alternate who goes first, so drift (page cache, CPU clock, neighbours) favours no one.
        if ((round % 2 == 0)); then
            reversed=()
            for ((i = ${#order[@]} - 1; i >= 0; i--)); do reversed+=("${order[i]}"); done
            order=("${reversed[@]}")
        fi
        for config in "${order[@]}"; do
            key=$test/$config
            if [[ $config == nginx ]]; then
                # The origin itself is measured: it is the current server for the run only.
                server_pid=$origin_pid
            else
                start_proxy "$config"
            fi
            case $test in
                tunnel)
                    download "$config"
                    mbps[$key]+="$result_mbps "
                    printf '  %-6s %-13s %12s\n' "$test" "$config" "$result_mbps MB/s" >&2
                    ;;
                idle)
                    verify "$config" 1k.bin
                    hold_idle_clients "$config"
                    memory[$key]+="$result_kib "
                    open[$key]+="$result_open "
                    answered[$key]+="$result_answered "
                    printf '  %-6s %-13s %9s MiB  %s of %s answered in %s s, %s open after %s s\n' \
                        "$test" "$config" "$(mib "$result_kib")" "$result_answered" \
                        "$IDLE_CLIENTS" "$result_seconds" "$result_open" "$IDLE_HOLD" >&2
                    ;;
                *)
                    target=http://$HOST:$server_port
                    path=$origin/${test_file[$test]}
                    if [[ $config == nginx ]]; then
                        target=$path
                        path=
                    else
                        verify "$config" "${test_file[$test]}"
                    fi
                    if [[ $test == hit ]]; then
                        answers_from_cache "$config" "${test_file[$test]}" ||
                            misses[$config]+="not a hit after warming; "
                        before=$(origin_requests)
                    fi
                    run_wrk "$key" 2 "${test_connections[$test]}" "$DURATION" no "$target" \
                        ${path:+"$path"}
                    if [[ $test == hit ]]; then
                        # Less the reading itself: what reached the origin during the run.
                        passed=$(($(origin_requests) - before - 1))
                        ((passed == 0)) ||
                            misses[$config]+="$passed requests reached the origin in round $round; "
                    fi
                    figure="$result_rps req/s"
                    [[ $test == large ]] && figure="$result_mbps MB/s"
                    printf '  %-6s %-13s %12s  p99 %7s ms  others %3s%%%s\n' "$test" "$config" \
                        "$figure" "$result_p99_ms" "$result_others" \
                        "$( ((result_errors == 0)) || echo "  ($result_errors socket errors)")" >&2
                    rps[$key]+="$result_rps "
                    mbps[$key]+="$result_mbps "
                    others[$test]+="$result_others "
                    ;;
            esac
            if [[ $config == nginx ]]; then server_pid=; else stop_server; fi
        done
    done
done
load_after=$(cut -d ' ' -f 1-3 /proc/loadavg)

# ---------------------------------------------------------------------------- the table

verdict=0
figure() { # ARRAY-NAME KEY: the median, or - for a run that did not happen
    local -n array=$1
    if [[ -n ${array[$2]:-} ]]; then values "${array[$2]}" | median; else echo -; fi
}
# Sets fields=(ratio, goal, result) for row(): OURS / THEIRS against GOAL (a ratio) to WHAT. A
# missed goal, or one without figures ("not measured"), sets the verdict.
goal_fields() { # OURS THEIRS GOAL WHAT
    if [[ $1 == - || $2 == - ]]; then
        verdict=1
        fields=("" ">= ${3}x $4" "not measured")
        return
    fi
    local r
    r=$(ratio "$1" "$2")
    fields=("$r" ">= ${3}x $4" "$(pass "${r%x} >= $3")")
    [[ ${fields[2]} == PASS ]] || verdict=1
}
row() { printf '%-38s %10s %10s %10s %10s %7s  %-24s %s\n' "$@"; }

echo
echo "web_proxy vs tinyproxy, Squid and nginx direct on loopback, $(date -u +%Y-%m-%d)," \
    "$(nproc) cores, median of $ROUNDS rounds; load average $load_before before, $load_after after"
row "" web_proxy tinyproxy Squid nginx ratio goal result

declare -A fig=()
for test in miss hit large crowd; do
    for config in web_proxy web_proxy_off tinyproxy squid squid_off nginx; do
        if [[ $test == large ]]; then
            fig[$test/$config]=$(figure mbps "$test/$config")
        else
            fig[$test/$config]=$(figure rps "$test/$config")
        fi
    done
done

cache_off="cache off"
[[ -n $has_cache_flag ]] || cache_off="no cache"
goal_fields "${fig[miss/web_proxy_off]}" "${fig[miss/tinyproxy]}" "$GOAL_MISS_TINYPROXY" tinyproxy
row "$cache_off: 1 KiB, $KEEPALIVE_CONNECTIONS conns, req/s" "${fig[miss/web_proxy_off]}" \
    "${fig[miss/tinyproxy]}" "${fig[miss/squid_off]}" "${fig[miss/nginx]}" "${fields[@]}"
goal_fields "${fig[miss/web_proxy_off]}" "${fig[miss/squid_off]}" "$GOAL_MISS_SQUID" \
    "Squid (no cache)"
row "" "" "" "" "" "${fields[@]}"
goal_fields "${fig[miss/web_proxy_off]}" "${fig[miss/nginx]}" "$GOAL_MISS_NGINX" "nginx direct"
row "" "" "" "" "" "${fields[@]}"

if [[ -z $has_cache_flag ]]; then
    verdict=1
    row "all hits: 1 KiB, $KEEPALIVE_CONNECTIONS conns, req/s" - - - "${fig[miss/nginx]}" "" \
        ">= ${GOAL_HIT_SQUID}x Squid, ${GOAL_HIT_NGINX}x nginx" \
        "not measured: web_proxy has no --cache-size"
else
    hit_label="all hits: 1 KiB, $KEEPALIVE_CONNECTIONS conns, req/s"
    goal_fields "${fig[hit/web_proxy]}" "${fig[hit/squid]}" "$GOAL_HIT_SQUID" "Squid (hits)"
    squid_fields=("${fields[@]}")
    goal_fields "${fig[hit/web_proxy]}" "${fig[miss/nginx]}" "$GOAL_HIT_NGINX" "nginx direct"
    nginx_fields=("${fields[@]}")
    # A figure with misses in it is no hit figure: the goals it would meet are not met.
    if [[ -n ${misses[web_proxy]:-} || -n ${misses[squid]:-} ]]; then
        verdict=1
        squid_fields[2]="not all hits"
        nginx_fields[2]="not all hits"
    fi
    row "$hit_label" "${fig[hit/web_proxy]}" - "${fig[hit/squid]}" "${fig[miss/nginx]}" \
        "${squid_fields[@]}"
    row "" "" "" "" "" "${nginx_fields[@]}"
fi

goal_fields "${fig[large/web_proxy_off]}" "${fig[large/tinyproxy]}" "$GOAL_LARGE_RATIO" tinyproxy
row "$cache_off: 100 MiB, $LARGE_CONNECTIONS conns, MB/s" "${fig[large/web_proxy_off]}" \
    "${fig[large/tinyproxy]}" "${fig[large/squid_off]}" - "${fields[@]}"

crowd_ratio=-
[[ ${fig[crowd/web_proxy_off]} == - || ${fig[crowd/tinyproxy]} == - ]] ||
    crowd_ratio=$(ratio "${fig[crowd/web_proxy_off]}" "${fig[crowd/tinyproxy]}")
row "$cache_off: 1 KiB, $CONNECTIONS conns, req/s" "${fig[crowd/web_proxy_off]}" \
    "${fig[crowd/tinyproxy]}" "${fig[crowd/squid_off]}" - "$crowd_ratio" "(vs tinyproxy)" -

idle_label="$IDLE_CLIENTS idle keep-alive clients, MiB"
if [[ -n ${memory[idle/web_proxy]:-} ]]; then
    idle_mib=$(mib "$(values "${memory[idle/web_proxy]}" | max)")
    squid_mib=-
    [[ -z ${memory[idle/squid]:-} ]] || squid_mib=$(mib "$(values "${memory[idle/squid]}" | max)")
    held=$(values "${open[idle/web_proxy]}" | sort -g | head -n 1)
    idle_result=$(pass "$idle_mib <= $GOAL_IDLE_MIB")
    # The figure counts only when every client got its answer and stayed connected.
    ((held == IDLE_CLIENTS)) || idle_result="FAIL: $held of $IDLE_CLIENTS held"
    [[ $idle_result == PASS ]] || verdict=1
    row "$idle_label" "$idle_mib" - "$squid_mib" - "" "<= $GOAL_IDLE_MIB MiB (peak RSS)" \
        "$idle_result"
else
    verdict=1
    row "$idle_label" - - - - "" "<= $GOAL_IDLE_MIB MiB (peak RSS)" "not measured"
fi

tunnel_ours=$(figure mbps tunnel/web_proxy)
tunnel_direct=$(figure mbps tunnel/nginx)
goal_fields "$tunnel_ours" "$tunnel_direct" "$GOAL_TUNNEL_RATIO" "direct"
row "CONNECT, $DOWNLOAD_MIB MiB download, MB/s" "$tunnel_ours" "$(figure mbps tunnel/tinyproxy)" \
    "$(figure mbps tunnel/squid)" "$tunnel_direct" "${fields[@]}"

ours="web_proxy -t $THREADS, --cache-size 0 when the cache is off"
[[ -n $has_cache_flag ]] || ours="web_proxy -t $THREADS, which has no cache"
echo "($ours; Squid: one worker, cache_mem 64 MB, \`cache deny all\` when off; nginx:" \
    "$ORIGIN_WORKERS workers, the origin of every proxy, Cache-Control: max-age=$CACHE_MAX_AGE."
echo " idle: web_proxy's peak RSS (VmHWM), Squid's PSS with every client connected; tinyproxy" \
    "closes each connection after its response. CONNECT: curl through the tunnel; nginx: curl" \
    "direct."
if [[ -n ${answered[idle/squid]:-} ]]; then
    echo " idle clients still connected at the end (min over rounds): web_proxy" \
        "$(values "${open[idle/web_proxy]:-}" | sort -g | head -n 1), Squid" \
        "$(values "${open[idle/squid]}" | sort -g | head -n 1) of $IDLE_CLIENTS."
fi
if ((${#others[@]} > 0)); then
    busy=()
    for test in miss hit large crowd; do
        [[ -z ${others[$test]:-} ]] || busy+=("$test $(values "${others[$test]}" | median)%")
    done
    echo " CPU other jobs (and the origin) kept busy, median per test: ${busy[*]}"
fi
echo " $versions)"
for config in web_proxy squid; do
    [[ -z ${misses[$config]:-} ]] || echo "not all hits, $config: ${misses[$config]%; }"
done
if ((${#wrk_errors[@]} > 0)); then
    echo "wrk socket errors (no run had error responses):"
    for key in $(printf '%s\n' "${!wrk_errors[@]}" | sort); do
        echo "  $key: ${wrk_errors[$key]%; }"
    done
fi
exit "$verdict"
