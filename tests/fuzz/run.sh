#!/usr/bin/env bash
# Runs every fuzz target in turn for SECONDS each, starting from its seed corpus, and stops at
# the first crash (a broken check is one) with the input that caused it.
#   tests/fuzz/run.sh SECONDS [TARGET...]      e.g. tests/fuzz/run.sh 30, tests/fuzz/run.sh 300 uri
# Builds nothing: the targets come from `cmake --workflow --preset fuzz` (build/fuzz/bin), or from
# another build tree with TOPDOWN_FUZZ=ON given as FUZZ_BIN=<its bin folder>. The seeds are
# copied to a scratch folder first: what libFuzzer finds goes there, never into the repository.
# FUZZ_SEED=N fixes libFuzzer's random seed, so a run takes the same path each time (CI does:
# a new finding should come from a change, not from the dice); without it every run differs.
# One process, one core per target.
set -euo pipefail
fuzz_dir=$(cd "$(dirname "$0")" && pwd)

if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]] || [ "$1" -eq 0 ]; then
  echo "usage: tests/fuzz/run.sh SECONDS [TARGET...]" >&2
  exit 64
fi
seconds=$1
shift
bin=${FUZZ_BIN:-$fuzz_dir/../../build/fuzz/bin}
if [ ! -d "$bin" ]; then
  echo "run.sh: no folder $bin (build the targets with: cmake --workflow --preset fuzz)" >&2
  exit 66
fi
bin=$(cd "$bin" && pwd)

# Every target of CMakeLists.txt (<name>_fuzz.cpp, seeds in <name>_corpus/), or those named.
if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for source in "$fuzz_dir"/*_fuzz.cpp; do
    name=$(basename "$source" _fuzz.cpp)
    targets+=("$name")
  done
fi

# The dictionary and longest input for each target: long enough for a head with a few fields
# or a short exchange, short enough that a run spends its time on structure, not bulk.
options_for() {
  case $1 in
    http_request | web_proxy | http_chunked | http_response) echo "-dict=$fuzz_dir/http.dict -max_len=4096" ;;
    uri) echo "-dict=$fuzz_dir/http.dict -max_len=512" ;;
    request_path) echo "-dict=$fuzz_dir/http.dict -max_len=1024" ;;
    smtp_path) echo "-dict=$fuzz_dir/smtp_path.dict -max_len=512" ;;
    ping_message) echo "-max_len=256" ;;
    cache_rules) echo "-dict=$fuzz_dir/cache.dict -max_len=4096" ;;
    mime) echo "-dict=$fuzz_dir/mime.dict -max_len=8192" ;;
    *) echo "-max_len=4096" ;;
  esac
}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/topdown-fuzz.XXXXXX")
keep_scratch=0
trap '[ "$keep_scratch" = 1 ] || rm -rf "$scratch"' EXIT

for name in "${targets[@]}"; do
  binary=$bin/${name}_fuzz
  if [ ! -x "$binary" ] || [ ! -d "$fuzz_dir/${name}_corpus" ]; then
    echo "run.sh: no target $name (build with: cmake --workflow --preset fuzz)" >&2
    exit 66
  fi
  work=$scratch/$name
  mkdir -p "$work/corpus" "$work/crashes"
  cp "$fuzz_dir/${name}_corpus"/* "$work/corpus/"
  # shellcheck disable=SC2046  # the options are words
  if "$binary" $(options_for "$name") ${FUZZ_SEED:+-seed=$FUZZ_SEED} \
      -max_total_time="$seconds" -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$work/crashes/" "$work/corpus" \
      > "$work/log" 2>&1; then
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -n 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
    cov=$(sed -E 's/.* cov: ([0-9]+).*/\1/' <<< "$done_line")
    features=$(sed -E 's/.* ft: ([0-9]+).*/\1/' <<< "$done_line")
    corpus=$(find "$work/corpus" -type f | wc -l)
    printf '%-14s %10s execs in %s s, cov %s, ft %s, corpus %s\n' \
      "$name" "$execs" "$seconds" "$cov" "$features" "$corpus"
  else
    keep_scratch=1
    echo "run.sh: $name FAILED; its log ends:" >&2
    tail -n 40 "$work/log" >&2
    for input in "$work"/crashes/*; do
      [ -e "$input" ] && echo "reproducer: $input  (run: $binary $input)" >&2
    done
    exit 1
  fi
done
