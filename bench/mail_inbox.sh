#!/usr/bin/env bash
# bench/mail_inbox.sh: mail_server's web inbox side by side with MailDev 3 on loopback (run by
# bench/mail_server.sh after its SMTP table, or alone):
#   list   the same LIST_MESSAGES (10,000) messages sent over SMTP to both (mail_server storing
#          to a Maildir, MailDev as it runs by default: its list in memory, each message's source
#          written to a temp folder), then wrk -t2 -c8 on each list:
#          MailDev's /api/email/summary?skip=0&limit=50 (what its web UI lists) vs mail_server's
#          /api/v1/messages?start=0&limit=50 and its HTML list page /.
#          Goals: both >= 20x MailDev's req/s, p99 under 10 ms.
#   index  INDEX_MESSAGES (100,000) messages of ~2 KiB written straight into a Maildir; mail_server
#          --web started on it: seconds until its API lists them all (goal <= 5 s, page cache
#          warm: the files were just written), and its peak RSS (VmHWM) minus that of the same
#          server on an empty Maildir (goal <= 64 MiB); also `mail_server --list --json` on it.
# Every run is checked: each list answers 200 with a full page before wrk, wrk saw no error
# status, and each inbox holds every message sent.
# Usage: bench/mail_inbox.sh [BIN_DIR]   (or TOPDOWN_BIN=BIN_DIR)
# Knobs: PARTS="list index" ROUNDS=3 DURATION=4 WRK_THREADS=2 WRK_CONNECTIONS=8 PAGE=50
#        LIST_MESSAGES=10000 INDEX_MESSAGES=100000 SENDERS=4 MAILDEV_DIR=... (see inbox_lib.sh)
#        TMPDIR: where the Maildirs go; INDEX_TMPDIR: where the 100,000 go instead (e.g. /dev/shm:
#        a disk that discards removed blocks takes minutes to delete them; read from the page
#        cache, as they are here, a tmpfs and a disk cost about the same).
# Exit status: 0 when every goal is met, 1 when one is missed, 2 when the benchmark failed.
set -euo pipefail

readonly PARTS=${PARTS:-list index}
readonly ROUNDS=${ROUNDS:-3}
readonly DURATION=${DURATION:-4}
readonly WRK_THREADS=${WRK_THREADS:-2}
readonly WRK_CONNECTIONS=${WRK_CONNECTIONS:-8}
readonly WRK_TIMEOUT=${WRK_TIMEOUT:-5s}
readonly PAGE=${PAGE:-50}
readonly LIST_MESSAGES=${LIST_MESSAGES:-10000}
readonly INDEX_MESSAGES=${INDEX_MESSAGES:-100000}
readonly SENDERS=${SENDERS:-4}
readonly INDEX_TMPDIR=${INDEX_TMPDIR:-}
readonly GOAL_LIST_RATIO=20
readonly GOAL_P99_MS=10
readonly GOAL_INDEX_SECONDS=5
readonly GOAL_INDEX_MIB=64
readonly HOST=127.0.0.1

bench_name=mail_inbox.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=bench/inbox_lib.sh
source "$bench_dir/inbox_lib.sh"

bench_find_bin "${1:-}" mail_server
for tool in wrk curl python3 setsid; do
    command -v "$tool" >/dev/null || die "$tool is needed (apt-get install wrk curl python3)"
done
wants() { [[ " $PARTS " == *" $1 "* ]]; }
wants list && find_maildev
messages() { python3 "$bench_dir/mail_messages.py" "$@"; }

server_pid=
server_port=
web_port=

# mail_server on the Maildir DIR with its web inbox, quiet; sets server_pid, server_port and
# web_port, and start_ms (seconds from launch until its ports were announced).
start_mail_server() { # DIR
    : >"$work/server.out"
    local before=$EPOCHREALTIME
    setsid "$bin/mail_server" -b "$HOST" -p 0 --maildir "$1" --web "$HOST:0" -q \
        >"$work/server.out" 2>"$work/server.err" &
    server_started
    mail_server_ports 60
    start_ms=$(awk -v a="$before" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
}

# Fails unless the list at URL answers 200 with PAGE entries (JSON: Mailpit's "messages" or
# MailDev's "items"; HTML: PAGE links to messages are not counted, only the status and size).
check_list() { # LABEL URL
    local out=$work/check.out status
    status=$(curl -s -o "$out" -w '%{http_code}' --max-time 10 "$2") || die "$1: $2 does not answer"
    [[ $status == 200 ]] || die "$1: $2 answered $status: $(head -c 300 "$out")"
    case $1 in
        maildev | json)
            python3 - "$out" "$PAGE" "$1" <<'EOF' || die "$1: $2 is not a full page"
import json, sys
document = json.load(open(sys.argv[1]))
entries = document["items"] if sys.argv[3] == "maildev" else document["messages"]
sys.exit(0 if len(entries) == int(sys.argv[2]) else f"{len(entries)} entries, not {sys.argv[2]}")
EOF
            ;;
    esac
    list_bytes[$1]=$(stat -c %s "$out")
}

thousands() { LC_ALL=C awk -v n="$1" 'BEGIN {
    s = sprintf("%.0f", n); out = ""
    while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
    print s out }'; }
vmhwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

machine="$(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), Linux"
machine+=" $(uname -r), $(df --output=fstype "$work" | tail -n 1) on $(df --output=source "$work" |
    tail -n 1)"
versions="$("$bin/mail_server" --version | head -n 1), $({ wrk -v 2>&1 || true; } | head -n 1 | cut -d ' ' -f 1-2)"
wants list && versions+=", MailDev $(maildev_version) on node $(node --version)"
verdict=0
declare -A list_bytes=()

# ---------------------------------------------------------------------------- list: vs MailDev

if wants list; then
    echo "mail_inbox.sh: $LIST_MESSAGES messages into mail_server and MailDev, then $ROUNDS" \
        "rounds of wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${DURATION}s; $versions; $machine;" \
        "load average $(cut -d ' ' -f 1-3 /proc/loadavg)" >&2
    mkdir "$work/list-maildir"
    start_mail_server "$work/list-maildir"
    ms_pid=$server_pid ms_web=$web_port
    seconds=$(messages smtp "$HOST" "$server_port" "$LIST_MESSAGES" "$SENDERS")
    echo "  mail_server took $LIST_MESSAGES messages in $seconds s" >&2
    start_maildev
    md_pid=$server_pid md_web=$web_port
    seconds=$(messages smtp "$HOST" "$server_port" "$LIST_MESSAGES" "$SENDERS")
    echo "  MailDev took $LIST_MESSAGES messages in $seconds s" >&2
    [[ $(inbox_total mail_server "$ms_web") == "$LIST_MESSAGES" ]] ||
        die "mail_server lists $(inbox_total mail_server "$ms_web") messages, not $LIST_MESSAGES"
    [[ $(inbox_total maildev "$md_web") == "$LIST_MESSAGES" ]] ||
        die "MailDev lists $(inbox_total maildev "$md_web") messages, not $LIST_MESSAGES"

    declare -A url=([maildev]="http://$HOST:$md_web/api/email/summary?skip=0&limit=$PAGE"
        [json]="http://$HOST:$ms_web/api/v1/messages?start=0&limit=$PAGE"
        [html]="http://$HOST:$ms_web/")
    declare -A pid_of=([maildev]=$md_pid [json]=$ms_pid [html]=$ms_pid)
    declare -A label=([maildev]="MailDev /api/email/summary" [json]="mail_server /api/v1/messages"
        [html]="mail_server / (HTML)")
    declare -A rps=() p99=() others=()
    targets=(maildev json html)
    for target in "${targets[@]}"; do check_list "$target" "${url[$target]}"; done
    for round in $(seq "$ROUNDS"); do
        order=("${targets[@]}")
        ((round % 2 == 0)) && order=(html json maildev)
        echo "round $round (load average $(cut -d ' ' -f 1-3 /proc/loadavg))" >&2
        for target in "${order[@]}"; do
            server_pid=${pid_of[$target]}
            run_wrk "$target" "$WRK_THREADS" "$WRK_CONNECTIONS" "$DURATION" nopin "${url[$target]}"
            rps[$target]+="$result_rps "
            p99[$target]+="$result_p99_ms "
            others[$target]+="$result_others "
            printf '  %-30s %9s req/s  p99 %7s ms  others %3s%%\n' "${label[$target]}" \
                "$(thousands "$result_rps")" "$result_p99_ms" "$result_others" >&2
        done
    done
    ms_list_hwm=$(vmhwm_kib "$ms_pid")
    md_list_hwm=$(vmhwm_kib "$md_pid")
    for pid in "$md_pid" "$ms_pid"; do
        server_pid=$pid
        stop_server
    done

    declare -A med=() med_p99=()
    for target in "${targets[@]}"; do
        med[$target]=$(values "${rps[$target]}" | median)
        med_p99[$target]=$(values "${p99[$target]}" | median)
    done
    echo
    echo "web inbox vs MailDev, $LIST_MESSAGES messages stored, first page of $PAGE, wrk" \
        "-t$WRK_THREADS -c$WRK_CONNECTIONS -d${DURATION}s, $(date -u +%Y-%m-%d), $machine;" \
        "median of $ROUNDS rounds"
    row() { printf '%-32s %10s %9s %8s %7s  %-30s %s\n' "$@"; }
    row "" "req/s" "p99 ms" "bytes" ratio goal result
    row "${label[maildev]}" "$(thousands "${med[maildev]}")" "${med_p99[maildev]}" \
        "${list_bytes[maildev]}" "" "" ""
    for target in json html; do
        r=$(ratio "${med[$target]}" "${med[maildev]}")
        result=$(pass "${r%x} >= $GOAL_LIST_RATIO && ${med_p99[$target]} < $GOAL_P99_MS")
        [[ $result == PASS ]] || verdict=1
        row "${label[$target]}" "$(thousands "${med[$target]}")" "${med_p99[$target]}" \
            "${list_bytes[$target]}" "$r" ">= ${GOAL_LIST_RATIO}x, p99 < $GOAL_P99_MS ms" "$result"
    done
    echo "per round, req/s: $(for t in "${targets[@]}"; do
        printf '%s %s; ' "$t" "$(values "${rps[$t]}" | tr '\n' ' ' | sed 's/ $//; s/ /, /g')"
    done | sed 's/; $//'); other jobs' CPU per run, %: $(for t in "${targets[@]}"; do
        values "${others[$t]}"; done | tr '\n' ' ' | sed 's/ $//')"
    echo "peak RSS after the runs: mail_server $(mib "$ms_list_hwm") MiB, MailDev" \
        "$(mib "$md_list_hwm") MiB"
    for key in "${!wrk_errors[@]}"; do echo "wrk socket errors on $key: ${wrk_errors[$key]}"; done
fi

# ---------------------------------------------------------------------------- index: 100,000

if wants index; then
    index_maildir=$work/index-maildir
    if [[ -n $INDEX_TMPDIR ]]; then
        index_work=$(mktemp -d "$INDEX_TMPDIR/mail_inbox-index.XXXXXX")
        trap 'rm -rf "$index_work"; bench_cleanup' EXIT
        index_maildir=$index_work/maildir
    fi
    echo "mail_inbox.sh: writing $INDEX_MESSAGES messages into a Maildir in" \
        "$(dirname "$index_maildir")..." >&2
    seconds=$(messages maildir "$index_maildir" "$INDEX_MESSAGES")
    echo "  written in $seconds s ($(du -sh "$index_maildir" | cut -f 1))" >&2
    index_fs=$(df --output=fstype "$index_maildir" | tail -n 1)
    sync -f "$index_maildir"

    # An empty Maildir first: what the server holds without an index.
    mkdir -p "$work/empty-maildir"
    start_mail_server "$work/empty-maildir"
    curl -sf --max-time 10 -o /dev/null "http://$HOST:$web_port/api/v1/messages?limit=$PAGE" ||
        die "mail_server on an empty Maildir does not answer its list"
    empty_hwm=$(vmhwm_kib "$server_pid")
    stop_server

    # Ready = its API lists every message (whether it indexes before or after announcing its
    # ports); polled every 20 ms.
    before=$EPOCHREALTIME
    start_mail_server "$index_maildir"
    total=
    for _ in $(seq 3000); do
        total=$(inbox_total mail_server "$web_port")
        [[ $total == "$INDEX_MESSAGES" ]] && break
        kill -0 "$server_pid" 2>/dev/null || die "mail_server ended: $(cat "$work/server.err")"
        sleep 0.02
    done
    ready=$(awk -v a="$before" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
    [[ $total == "$INDEX_MESSAGES" ]] ||
        die "mail_server lists $total messages of $INDEX_MESSAGES after $ready s"
    curl -sf --max-time 10 -o /dev/null "http://$HOST:$web_port/api/v1/messages?limit=$PAGE"
    curl -sf --max-time 10 -o /dev/null "http://$HOST:$web_port/api/v1/search?query=review"
    index_hwm=$(vmhwm_kib "$server_pid")
    index_cpu=$(awk '{ printf "%.2f", ($14 + $15) / '"$(getconf CLK_TCK)"' }' \
        "/proc/$server_pid/stat")
    announced=$start_ms
    stop_server

    # --list --json, for comparison: the same reading of the store, printed (to /dev/null).
    list_seconds=-
    if "$bin/mail_server" --help 2>&1 | grep -q -- '--list'; then
        list_start=$EPOCHREALTIME
        "$bin/mail_server" --list "$index_maildir" --json >/dev/null 2>"$work/list.err" ||
            die "mail_server --list --json failed: $(cat "$work/list.err")"
        list_seconds=$(awk -v a="$list_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
    fi

    index_mib=$(awk -v a="$index_hwm" -v b="$empty_hwm" 'BEGIN { printf "%.1f", (a - b) / 1024 }')
    time_result=$(pass "$ready <= $GOAL_INDEX_SECONDS")
    memory_result=$(pass "$index_mib <= $GOAL_INDEX_MIB")
    [[ $time_result == PASS && $memory_result == PASS ]] || verdict=1
    echo
    echo "start-up on $INDEX_MESSAGES messages (~2 KiB each, Maildir new/ on $index_fs, page" \
        "cache warm)," \
        "$(date -u +%Y-%m-%d), $machine"
    printf '%-46s %10s  %-12s %s\n' "" "" goal result
    printf '%-46s %10s  %-12s %s\n' "seconds until the API lists them all" "$ready" \
        "<= $GOAL_INDEX_SECONDS s" "$time_result"
    printf '%-46s %10s  %-12s %s\n' "index's peak RSS, MiB (VmHWM - empty store's)" "$index_mib" \
        "<= $GOAL_INDEX_MIB MiB" "$memory_result"
    echo "(ports announced after $announced s; CPU time used by then $index_cpu s; VmHWM" \
        "$(mib "$index_hwm") MiB, on an empty Maildir $(mib "$empty_hwm") MiB;" \
        "mail_server --list --json on the same Maildir: $list_seconds s)"
    echo "removing the $INDEX_MESSAGES files..." >&2
fi
echo "($versions)"
exit "$verdict"
