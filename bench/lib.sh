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
