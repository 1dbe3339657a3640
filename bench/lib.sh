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
