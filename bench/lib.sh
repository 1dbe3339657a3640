# shellcheck shell=bash
# Shared by the benchmark scripts in this folder: sourced, not run.
# Set bench_name before sourcing (it prefixes messages and names the temp dir).
: "${bench_name:?set bench_name before sourcing bench/lib.sh}"

die() {
    echo "$bench_name: $*" >&2
    exit 2
}

# bench_find_bin ARG PROGRAM...: sets bin to the folder holding every PROGRAM: ARG (the script's
# first argument) or $TOPDOWN_BIN if given, else build/release/bin, else build/test/bin.
bench_find_bin() {
    local given=$1
    shift
    local repo program candidate
    repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    bin=${given:-${TOPDOWN_BIN:-}}
    if [[ -z $bin ]]; then
        for candidate in "$repo/build/release/bin" "$repo/build/test/bin"; do
            if [[ -x $candidate/$1 ]]; then
                bin=$candidate
                break
            fi
        done
    fi
    for program in "$@"; do
        if [[ -z $bin || ! -x $bin/$program ]]; then
            die "no $program in ${bin:-build/release/bin or build/test/bin}; build it first:
  cmake --workflow --preset release     (then: bench/$bench_name)
or pass the folder holding $*: bench/$bench_name BIN_DIR"
        fi
    done
}

# helper NAME ARGS...: the measuring helpers in bench/helper.py (free-port, timed, group-pss,
# sampled, ticks, fsync-rate).
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
helper() { python3 "$bench_dir/helper.py" "$@"; }

# A temp dir in $work, and servers=(): process groups (each server runs in a session of its own,
# under setsid) that are killed, and waited for, when the script exits for any reason.
work=$(mktemp -d "${TMPDIR:-/tmp}/${bench_name%.sh}-bench.XXXXXX")
servers=()

# shellcheck disable=SC2317  # called by the EXIT trap
bench_cleanup() {
    local pid
    for pid in "${servers[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    for pid in "${servers[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the server under test: each script starts one at a time, in server_pid / server_port

# True once something listens on 127.0.0.1:$1 (read from /proc, so no test connection is made).
listening() {
    local hex
    hex=$(printf '0100007F:%04X' "$1")
    awk -v want="$hex" '$2 == want && $4 == "0A" { found = 1 } END { exit !found }' /proc/net/tcp
}

# Call right after starting a server in the background (under setsid, stdout and stderr in
# $work/server.out and $work/server.err): it becomes the current server.
server_started() {
    server_pid=$!
    servers+=("$server_pid")
}

# Stops the current server and every process of its group (workers, per-connection children).
stop_server() {
    kill -TERM -- "-$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    local kept=() pid
    for pid in "${servers[@]}"; do
        [[ $pid == "$server_pid" ]] || kept+=("$pid")
    done
    servers=("${kept[@]}")
}

# For a server that picks its own port (-p 0) and names it in its first line: waits for that
# line and sets server_port with SED-EXPRESSION (which prints the port). Returns 1 when the
# server exits first; dies when no port shows within 10 s.
port_from_first_line() { # NAME SED-EXPRESSION
    local line
    for _ in $(seq 200); do
        line=$(head -n 1 "$work/server.out")
        server_port=$(sed -n "$2" <<<"$line")
        [[ -n $server_port ]] && return 0
        kill -0 "$server_pid" 2>/dev/null || return 1
        sleep 0.05
    done
    die "$1 did not announce its port within 10 s"
}

# For a server that must be handed a port: LAUNCH PORT starts it (see server_started) on a free
# port, up to 5 times, since another program may take the port first. Returns once it listens.
start_on_free_port() { # NAME LAUNCH
    local attempt
    for attempt in 1 2 3 4 5; do
        : >"$work/server.out"
        server_port=$(helper free-port)
        "$2" "$server_port"
        for _ in $(seq 100); do
            listening "$server_port" && return
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.05
        done
        stop_server
        echo "$bench_name: $1 could not listen on port $server_port (attempt $attempt)," \
            "retrying: $(tail -n 1 "$work/server.err")" >&2
    done
    die "$1 did not start: $(cat "$work/server.err")"
}

# ---- wrk runs and their figures (web_server.sh, web_proxy.sh)

# wrk's own summary rounds to two decimals ("0.99GB"); this prints the exact counts on one line.
write_report_lua() { # FILE
    cat >"$1" <<'EOF'
done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "result requests=%d bytes=%d us=%d connect=%d read=%d write=%d status=%d timeout=%d "
        .. "p50_us=%d p99_us=%d\n",
        summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write,
        e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end
EOF
}

# Runs wrk against the current server (server_pid) at TARGET, a URL; with PATH, every request
# names PATH as its target instead (an absolute URL, for a proxy at TARGET). Sets the result_*
# variables from report.lua's line (result_rps, result_mbps, result_p99_ms, result_errors,
# result_others: % of the CPUs other jobs kept busy). While it runs, samples the sum of PSS over
# the server's processes halfway through (result_pss_kib). Needs WRK_TIMEOUT.
declare -A wrk_errors=()  # "config/test/server" -> the socket errors wrk saw, when any
run_wrk() { # KEY THREADS CONNECTIONS SECONDS PIN TARGET [PATH]
    local key=$1 pin=() out=$work/wrk.out script=$work/report.lua
    [[ $5 == pin ]] && pin=(taskset -c 1)
    [[ -f $script ]] || write_report_lua "$script"
    if [[ -n ${7:-} ]]; then
        script=$work/wrk-path.lua
        { printf 'wrk.path = "%s"\n' "$7"; cat "$work/report.lua"; } >"$script"
    fi
    local before
    before=$(helper ticks "$server_pid" "$$")
    timeout $(($4 + 60)) "${pin[@]}" wrk -t"$2" -c"$3" -d"$4s" --timeout "$WRK_TIMEOUT" \
        --latency -s "$script" "$6" >"$out" 2>&1 &
    local wrk_pid=$!
    sleep "$(awk -v s="$4" 'BEGIN { print s / 2 }')"
    result_pss_kib=$(helper group-pss "$server_pid")
    wait "$wrk_pid" || die "wrk failed on $key: $(cat "$out")"
    # Whatever else kept the CPUs busy meanwhile (other jobs on a shared machine), in % of all CPUs.
    result_others=$(awk -v a="$before" -v b="$(helper ticks "$server_pid" "$$")" 'BEGIN {
        split(a, x); split(b, y)
        others = (y[1] - x[1]) - (y[3] - x[3]) - (y[4] - x[4])
        printf "%.0f", (others > 0 ? others : 0) * 100 / (y[2] - x[2]) }')
    local line
    line=$(grep '^result ' "$out") || die "wrk printed no result on $key: $(cat "$out")"
    field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
    local requests bytes us errors
    requests=$(field requests)
    bytes=$(field bytes)
    us=$(field us)
    ((requests > 0 && us > 0)) || die "wrk completed no request on $key: $(cat "$out")"
    # errors.status counts responses with a status of 400 or more: the server served wrongly.
    (($(field status) == 0)) || die "$key: $(field status) error responses: $(cat "$out")"
    errors=$(($(field connect) + $(field read) + $(field write) + $(field timeout)))
    if ((errors > 0)); then
        wrk_errors[$key]+="connect $(field connect), read $(field read), write $(field write), "
        wrk_errors[$key]+="timeout $(field timeout); "
    fi
    result_rps=$(awk -v n="$requests" -v us="$us" 'BEGIN { printf "%.0f", n * 1e6 / us }')
    result_mbps=$(awk -v b="$bytes" -v us="$us" 'BEGIN { printf "%.1f", b / us }')
    result_p99_ms=$(awk -v us="$(field p99_us)" 'BEGIN { printf "%.2f", us / 1000 }')
    result_errors=$errors
}

median() {
    sort -g | awk '{ v[NR] = $1 }
        END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
max() { sort -g | tail -n 1; }
values() { tr ' ' '\n' <<<"$1" | sed '/^$/d'; }
pass() { # pass CONDITION-IN-AWK
    if awk "BEGIN { exit !($1) }"; then echo PASS; else echo FAIL; fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# nginx's configuration for the benchmarks: static files from WWW on HOST:PORT, WORKERS worker
# processes, CONNECTIONS connections each, everything it writes under DIR, and EXTRA (more
# directives for the server block) as given. Written to DIR/nginx.conf.
write_nginx_conf() { # DIR PORT WORKERS CONNECTIONS WWW [EXTRA]
    cat >"$1/nginx.conf" <<EOF
worker_processes $3;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log;
events { worker_connections $4; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests $KEEPALIVE_REQUESTS;
    default_type application/octet-stream;
    client_body_temp_path $1/body;
    proxy_temp_path $1/proxy;
    fastcgi_temp_path $1/fastcgi;
    uwsgi_temp_path $1/uwsgi;
    scgi_temp_path $1/scgi;
    server {
        listen $HOST:$2 backlog=1024;
        root $5;
        ${6:-}
    }
}
EOF
}
