#!/usr/bin/env bash
# bench/mail_server.sh: mail_server side by side with Postfix's smtp-sink and aiosmtpd on loopback,
# loaded by Postfix's smtp-source -s 20 -m 10000 -l 4096 (20 sessions at once, a new connection
# per message, 4 KiB of body), the servers taken in turn within each round:
#   no store  mail_server --no-store -q  vs  smtp-sink (discards)        msg/s  goal: >= 1.0x
#   Maildir   mail_server --maildir -q (each message durable, synced in tmp/ and in new/, before
#             its 250)
#             vs aiosmtpd's Mailbox handler (python3-aiosmtpd; writes, never fsyncs)
#                                                                        msg/s  goal: >= 5x
#   --web     mail_server --maildir --web 127.0.0.1:0 -q (its web inbox on, the index told of
#             every message before its 250)  vs  the same without --web    goal: >= 0.9x
#             and vs MailDev 3 (npm maildev as it runs by default: its list in memory, each
#             message's source written to a temp folder, never fsynced)      goal: >= 20x
# Then bench/mail_inbox.sh: the web inbox's list vs MailDev's, and start-up on 100,000 messages.
# Also measured, informative: mail_server with its transcript on (no -q, stdout to a file), once
# for each store in the first round, right after the quiet run it is compared with; the servers'
# and smtp-source's CPU time per message; and, every round, this disk's fsync rate from 1 and 16
# threads (new 4 KiB files, as a Maildir delivery makes), since the Maildir goal depends on it.
# Messages/s = messages / wall time of smtp-source. Every run is checked: smtp-source's failures
# (it runs with -A, so a refused message is a warning line, not the end of the run) are counted,
# and for both Maildir servers the files in new/ must be as many as the messages sent.
# Usage: bench/mail_server.sh [BIN_DIR]   (or TOPDOWN_BIN=BIN_DIR)
#        default BIN_DIR: build/release/bin, then build/test/bin
# Knobs: ROUNDS=3 SESSIONS=20 MESSAGES=10000 LENGTH=4096 AIOSMTPD_MESSAGES=2000
#        WEB=1 (0: without the --web and MailDev runs) MAILDEV_MESSAGES=2000 MAILDEV_DIR=...
#        INBOX=1 (0: without bench/mail_inbox.sh, which has knobs of its own)
#        MAIL_SERVER_ARGS="..." FSYNC_SECONDS=1 AIOSMTPD_PYTHON=/usr/bin/python3 RUN_TIMEOUT=180
#        BUSY_LIMIT=25 RERUNS=0: a run during which other jobs kept more than BUSY_LIMIT % of the
#        CPUs busy is run again, at most RERUNS times, and the least disturbed run counts (the
#        machine may be shared); with RERUNS=0 such runs are only flagged.
#        TMPDIR: where the Maildirs go (on a real disk, or the fsyncs mean nothing).
# Exit status: 0 when every goal is met, 1 when one is missed, 2 when the benchmark itself failed.
set -euo pipefail

readonly ROUNDS=${ROUNDS:-3}
readonly SESSIONS=${SESSIONS:-20}
readonly MESSAGES=${MESSAGES:-10000}
readonly LENGTH=${LENGTH:-4096}
# aiosmtpd stores 450-700 msg/s here (under 200 when the machine is busy): 10,000 would take
# 15-60 s a run, most of the benchmark. 2,000 say as much; the table notes it.
readonly AIOSMTPD_MESSAGES=${AIOSMTPD_MESSAGES:-2000}
# MailDev takes ~110 msg/s from smtp-source: 2,000 messages are ~20 s a run.
readonly MAILDEV_MESSAGES=${MAILDEV_MESSAGES:-2000}
readonly WEB=${WEB:-1}
readonly INBOX=${INBOX:-1}
readonly MAIL_SERVER_ARGS=${MAIL_SERVER_ARGS:-}
readonly FSYNC_SECONDS=${FSYNC_SECONDS:-1}  # each fsync probe (1 and 16 threads), every round
readonly AIOSMTPD_PYTHON=${AIOSMTPD_PYTHON:-/usr/bin/python3}  # Debian's, where the package is
readonly RUN_TIMEOUT=${RUN_TIMEOUT:-180}    # seconds for one smtp-source run (most take 2-10 s)
readonly BUSY_LIMIT=${BUSY_LIMIT:-25}
readonly RERUNS=${RERUNS:-0}  # each redone Maildir run is 10,000 more files to store and remove
readonly GOAL_SINK_RATIO=1.0
readonly GOAL_MAILDIR_RATIO=5
readonly GOAL_WEB_RATIO=0.9      # --web on vs off
readonly GOAL_MAILDEV_RATIO=20   # --web on vs MailDev
readonly FSYNC_THREADS="1 16"
readonly BACKLOG=1024  # smtp-sink's listen backlog (a required argument)
readonly HOST=127.0.0.1

# ---------------------------------------------------------------------------- binaries and tools

bench_name=mail_server.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=bench/inbox_lib.sh
source "$bench_dir/inbox_lib.sh"

bench_find_bin "${1:-}" mail_server
PATH=$PATH:/usr/sbin  # smtp-source and smtp-sink live there; a user's PATH may lack it
for tool in smtp-source smtp-sink; do
    command -v "$tool" >/dev/null ||
        die "$tool is needed (apt-get install postfix; the postfix daemon need not run)"
done
for tool in python3 setsid sync; do
    command -v "$tool" >/dev/null ||
        die "$tool is needed (apt-get install python3 coreutils util-linux)"
done
[[ -x $AIOSMTPD_PYTHON ]] || die "no $AIOSMTPD_PYTHON (apt-get install python3 python3-aiosmtpd)"
"$AIOSMTPD_PYTHON" -c 'import aiosmtpd.controller, aiosmtpd.handlers' 2>/dev/null ||
    die "$AIOSMTPD_PYTHON cannot import aiosmtpd (apt-get install python3-aiosmtpd; or point" \
        "AIOSMTPD_PYTHON at a python that has it)"

if ((WEB)); then
    command -v curl >/dev/null || die "curl is needed (apt-get install curl)"
    find_maildev
fi

# smtp-sink refuses to run as root unless told whom to become after it has bound its socket.
sink_user=()
((EUID == 0)) && sink_user=(-u nobody)

filesystem=$(df --output=fstype "$work" | tail -n 1)
[[ $filesystem != tmpfs && $filesystem != ramfs ]] ||
    die "$work is on $filesystem, where fsync costs nothing: set TMPDIR to a folder on a disk"
device=$(df --output=source "$work" | tail -n 1)

# ---------------------------------------------------------------------------- servers

# aiosmtpd's documented way to run a server in a program: its Controller (a thread with an asyncio
# loop) and its own Mailbox handler, which adds each message to a mailbox.Maildir (write in tmp/,
# rename into new/; no fsync). server_hostname is given once here: without it aiosmtpd calls
# socket.getfqdn() for every connection (~0.3 ms here), a cost of set-up rather than of SMTP.
cat >"$work/aiosmtpd_maildir.py" <<'EOF'
import signal, socket, sys
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

host, port, maildir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})  # the loop thread too
controller = Controller(Mailbox(maildir), hostname=host, port=port,
                        server_hostname=socket.getfqdn())
controller.start()
print(f"aiosmtpd: listening on {host}:{port}, storing to {maildir} (Maildir)", flush=True)
signal.sigwait({signal.SIGTERM, signal.SIGINT})
controller.stop()
EOF

server_pid=
server_port=
maildir=  # the Maildir of the server running now, empty for the sinks
web_port=  # the web port of the server running now (ms_web, maildev), else empty

# Starts SERVER (ms_nostore, ms_maildir, ms_web, smtp_sink, aiosmtpd, maildev) on an ephemeral port, in a session of
# its own. MODE: "quiet" passes mail_server -q; "transcript" leaves its transcript on (server.out).
start_server() { # SERVER [MODE]
    local name=$1 mode=${2:-quiet} q=()
    [[ $mode == quiet ]] && q=(-q)
    maildir=
    web_port=
    # Emptied here, not only by the server's redirection (done after the fork, maybe later than
    # the first look at it): the last server's first line must not be read as this one's.
    : >"$work/server.out"
    case $name in
        ms_nostore | ms_maildir)
            local store=(--no-store)
            if [[ $name == ms_maildir ]]; then
                maildir=$work/maildir
                store=(--maildir "$maildir")
            fi
            # shellcheck disable=SC2086  # MAIL_SERVER_ARGS is a list of options
            setsid "$bin/mail_server" -b "$HOST" -p 0 "${store[@]}" "${q[@]}" $MAIL_SERVER_ARGS \
                >"$work/server.out" 2>"$work/server.err" &
            server_started
            port_from_first_line mail_server 's/^.*: listening on [^ ]*:\([0-9]*\), .*/\1/p' ||
                die "mail_server did not start: $(cat "$work/server.err")"
            ;;
        ms_web)
            maildir=$work/maildir
            # shellcheck disable=SC2086  # MAIL_SERVER_ARGS is a list of options
            setsid "$bin/mail_server" -b "$HOST" -p 0 --maildir "$maildir" --web "$HOST:0" \
                "${q[@]}" $MAIL_SERVER_ARGS >"$work/server.out" 2>"$work/server.err" &
            server_started
            mail_server_ports 20
            ;;
        maildev) start_maildev ;;
        aiosmtpd)
            maildir=$work/maildir
            start_on_free_port aiosmtpd launch_aiosmtpd
            ;;
        smtp_sink) start_on_free_port smtp-sink launch_smtp_sink ;;
        *) die "unknown server $name" ;;
    esac
}

# shellcheck disable=SC2317  # called by start_on_free_port
launch_aiosmtpd() { # PORT
    setsid "$AIOSMTPD_PYTHON" "$work/aiosmtpd_maildir.py" "$HOST" "$1" "$maildir" \
        >"$work/server.out" 2>"$work/server.err" &
    server_started
}

# shellcheck disable=SC2317  # called by start_on_free_port
launch_smtp_sink() { # PORT
    setsid smtp-sink "${sink_user[@]}" "$HOST:$1" "$BACKLOG" \
        >"$work/server.out" 2>"$work/server.err" &
    server_started
}

# A clean start for every run: an empty Maildir, and the disk's queue empty (aiosmtpd leaves
# ~8 MB of dirty pages the kernel would otherwise write during the next run). The last run's
# Maildir is moved aside, not deleted (all go at the end): on this VM's disk (ext4 without a
# journal, mounted with discard) removing a file discards its blocks synchronously (10,000 files
# took 30 s on a busy day), and without a journal ext4 does not reuse an inode freed less than
# 60 s ago (360 s while its inode table block is dirty): creating a file then steps over every
# such inode (recently_deleted(), 18-35% of mail_server's CPU samples in perf here). So a run
# right after many files were removed, by this script or by anyone, stores more slowly.
kept_maildirs=0
fresh_disk() {
    if [[ -e $work/maildir ]]; then
        kept_maildirs=$((kept_maildirs + 1))
        mv "$work/maildir" "$work/maildir.$kept_maildirs"
    fi
    sync -f "$work"
}

clock_ticks=$(getconf CLK_TCK)

# Runs smtp-source with MESSAGES against the current server; sets result_rate (msg/s),
# result_failures (smtp-source's warning lines: refused commands), result_stored (files in new/,
# or - for the sinks), result_short (stored files shorter than the body sent), result_cpu_us
# and result_client_us (the server's and smtp-source's CPU time per message) and result_others
# (% of both CPUs other jobs kept busy).
run_source() { # KEY MESSAGES
    local key=$1 messages=$2 before after seconds
    before=$(helper ticks "$server_pid" "$$")
    # bash's time keyword gives smtp-source's own CPU time (the helpers' would blur it).
    rm -f "$work/source.err" "$work/source.cpu"
    # shellcheck disable=SC2016  # expanded by that inner bash
    if ! seconds=$(helper timed /dev/null "$RUN_TIMEOUT" bash -c \
        'TIMEFORMAT="%3U %3S"; { time smtp-source "${@:3}" 2>"$1"; } 2>"$2"' _ \
        "$work/source.err" "$work/source.cpu" -A -s "$SESSIONS" -m "$messages" -l "$LENGTH" \
        "$HOST:$server_port" 2>&1); then
        die "smtp-source failed on $key: $(tail -n 3 "$work/source.err" 2>/dev/null) $seconds"
    fi
    [[ $seconds != timeout ]] || die "smtp-source took more than ${RUN_TIMEOUT}s on $key"
    [[ $seconds =~ ^[0-9.]+$ ]] || die "no time for $key: $seconds"
    after=$(helper ticks "$server_pid" "$$")
    result_rate=$(awk -v n="$messages" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
    result_failures=$(grep -c 'warning:' "$work/source.err" || true)
    result_cpu_us=$(awk -v a="$before" -v b="$after" -v n="$messages" -v hz="$clock_ticks" '
        BEGIN { split(a, x); split(b, y); printf "%.0f", (y[3] - x[3]) * 1e6 / hz / n }')
    result_client_us=$(awk -v n="$messages" '{ printf "%.0f", ($1 + $2) * 1e6 / n }' \
        "$work/source.cpu")
    result_others=$(awk -v a="$before" -v b="$after" 'BEGIN {
        split(a, x); split(b, y)
        others = (y[1] - x[1]) - (y[3] - x[3]) - (y[4] - x[4])
        printf "%.0f", (others > 0 ? others : 0) * 100 / (y[2] - x[2]) }')
    result_stored=-
    result_short=0
    if [[ -z $maildir && -n $web_port ]]; then
        # MailDev's list is in memory: what its list API counts.
        result_stored=$(inbox_total maildev "$web_port")
        [[ -n $result_stored ]] || die "MailDev does not answer its list API"
    fi
    if [[ -n $maildir ]]; then
        # Every 250 came before smtp-source ended: each of those messages must be in new/ now.
        result_stored=$(find "$maildir/new" -type f | wc -l)
        result_short=$(find "$maildir/new" -type f -size -"$((LENGTH * 9 / 10))"c | wc -l)
    fi
}

# Adds the disk's fsyncs/s from each of FSYNC_THREADS to fsync_rate, and the CPU time a file took
# from one thread to file_cpu_us (new 4 KiB files in a folder beside the Maildirs, left there like
# them). That CPU time is ~150 us here on a settled disk and more than twice that shortly after
# many files were removed (see fresh_disk): it says in what state the Maildir runs found the disk.
probes=0
probe_fsync() {
    local threads rate cpu
    sync -f "$work"
    for threads in $FSYNC_THREADS; do
        probes=$((probes + 1))
        mkdir "$work/fsync.$probes"
        read -r rate cpu < <(helper fsync-rate "$work/fsync.$probes" "$threads" "$FSYNC_SECONDS")
        [[ -n $cpu ]] || die "the fsync probe failed"
        fsync_rate[$threads]+="$rate "
        if ((threads == 1)); then file_cpu_us+="$cpu "; fi
    done
}

# Removes the stored messages and the probes' files, and says how long that took: on this VM's
# disk every removed file's blocks are discarded synchronously (~0.05-3 ms a file).
remove_files() {
    local files start=$SECONDS
    files=$(find "$work" -type f | wc -l)
    echo "removing the $files files stored..." >&2
    rm -rf "$work"/maildir* "$work"/fsync.* "$work"/maildev-tmp.*
    echo "removed in $((SECONDS - start)) s" >&2
}

median() {
    sort -g | awk '{ v[NR] = $1 }
        END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
max() { sort -g | tail -n 1; }
values() { tr ' ' '\n' <<<"$1" | sed '/^$/d'; }
sum() { awk '{ s += $1 } END { print s + 0 }'; }
thousands() { LC_ALL=C awk -v n="$1" 'BEGIN {
    s = sprintf("%.0f", n); out = ""
    while (length(s) > 3) {
        out = "," substr(s, length(s) - 2) out
        s = substr(s, 1, length(s) - 3)
    }
    print s out }'; }

# ---------------------------------------------------------------------------- the rounds

declare -A label=([ms_nostore]="mail_server --no-store" [smtp_sink]="smtp-sink"
    [ms_maildir]="mail_server Maildir" [aiosmtpd]="aiosmtpd Maildir"
    [ms_web]="mail_server Maildir --web" [maildev]="MailDev")
declare -A where_stored=([maildev]="listed")
declare -A messages_for=([ms_nostore]=$MESSAGES [smtp_sink]=$MESSAGES [ms_maildir]=$MESSAGES
    [aiosmtpd]=$AIOSMTPD_MESSAGES [ms_web]=$MESSAGES [maildev]=$MAILDEV_MESSAGES)
server_list=(ms_nostore smtp_sink ms_maildir aiosmtpd)
((WEB)) && server_list+=(ms_web maildev)

machine="$(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1),"
machine+=" Linux $(uname -r), $filesystem on $device"
versions="$("$bin/mail_server" --version | head -n 1), postfix $(dpkg-query -W -f '${Version}' \
    postfix 2>/dev/null || echo '?') (smtp-sink, smtp-source), aiosmtpd $("$AIOSMTPD_PYTHON" -c \
    'import aiosmtpd; print(aiosmtpd.__version__)') on $("$AIOSMTPD_PYTHON" --version)"
load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)
started=$SECONDS
echo "mail_server.sh: $ROUNDS rounds of smtp-source -s $SESSIONS -m $MESSAGES -l $LENGTH" \
    "(aiosmtpd -m $AIOSMTPD_MESSAGES); $versions; $machine; load average $load_before" >&2

declare -A rate=() cpu_us=() client_us=() failures=() lost=() short=() others=() fsync_rate=()
file_cpu_us=
declare -A transcript_rate=() transcript_quiet=()
reruns=0

# One run of SERVER, on a fresh Maildir, run again (at most RERUNS times) while other jobs kept
# more than BUSY_LIMIT % of the CPUs busy; of those runs the one they disturbed least counts
# (its figures are left in result_*). Prints each run's line and adds every run to the checks.
# MODE "quiet" (mail_server -q) or "transcript" (its transcript on, stdout to a file).
measure() { # SERVER MODE
    local server=$1 mode=$2 n=${messages_for[$1]} attempt missing note='' best=''
    [[ $n == "$MESSAGES" ]] || note="  (-m $n)"
    for attempt in $(seq $((RERUNS + 1))); do
        fresh_disk
        start_server "$server" "$mode"
        run_source "$server" "$n"
        stop_server
        missing=0
        [[ $result_stored == - ]] || missing=$((n - result_failures - result_stored))
        if [[ $mode == transcript ]]; then
            note="  (transcript on: $(awk -v b="$(stat -c %s "$work/server.out")" \
                'BEGIN { printf "%.1f", b / 1e6 }') MB of stdout)"
        fi
        printf '  %-24s %6s msg/s  CPU us/msg: server %4s, client %3s  failures %s%s' \
            "${label[$server]}" "$(thousands "$result_rate")" "$result_cpu_us" \
            "$result_client_us" "$result_failures" \
            "$([[ $result_stored == - ]] || echo "  ${where_stored[$server]:-in new/} $result_stored")" >&2
        printf '  others %3s%%%s\n' "$result_others" "$note" >&2
        failures[$server]+="$result_failures "
        lost[$server]+="$missing "
        short[$server]+="$result_short "
        if [[ -z $best ]] || ((result_others < ${best%% *})); then
            best="$result_others $result_rate $result_cpu_us $result_client_us"
        fi
        ((result_others > BUSY_LIMIT && attempt <= RERUNS)) || break
        reruns=$((reruns + 1))
        echo "    other jobs kept ${result_others}% of the CPUs busy: run again" >&2
    done
    read -r result_others result_rate result_cpu_us result_client_us <<<"$best"
    others[all]+="$result_others "
}

for round in $(seq "$ROUNDS"); do
    # Alternate who goes first, so drift (page cache, the disk, neighbours) favours no one.
    if ((round % 2 == 1)); then
        order=("${server_list[@]}")
    else
        order=()
        for ((i = ${#server_list[@]} - 1; i >= 0; i--)); do order+=("${server_list[i]}"); done
    fi
    echo "round $round (load average $(cut -d ' ' -f 1-3 /proc/loadavg))" >&2
    probe_fsync
    printf '  %-24s %s; CPU per new file %s us\n' "disk fsyncs/s" "$(for t in $FSYNC_THREADS; do
        printf '%s threads %s, ' "$t" "$(thousands "$(values "${fsync_rate[$t]}" | tail -n 1)")"
    done | sed 's/, $//; s/^1 threads/1 thread/')" "$(values "$file_cpu_us" | tail -n 1)" >&2
    for server in "${order[@]}"; do
        measure "$server" quiet
        rate[$server]+="$result_rate "
        cpu_us[$server]+="$result_cpu_us "
        client_us[$server]+="$result_client_us "
        # In the first round only, informative: mail_server again with its transcript on, right
        # after its quiet run, so that the two meet the same conditions.
        if ((round == 1)) && [[ $server == ms_nostore || $server == ms_maildir ]]; then
            transcript_quiet[$server]=$result_rate
            measure "$server" transcript
            transcript_rate[$server]=$result_rate
        fi
    done
done
load_after=$(cut -d ' ' -f 1-3 /proc/loadavg)
measured=$((SECONDS - started))
remove_files

# ---------------------------------------------------------------------------- the table

verdict=0
pass() { # pass CONDITION-IN-AWK
    if awk "BEGIN { exit !($1) }"; then echo PASS; else echo FAIL; fi
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
declare -A med=() med_cpu=() med_client=()
for server in "${server_list[@]}"; do
    med[$server]=$(values "${rate[$server]}" | median)
    med_cpu[$server]=$(values "${cpu_us[$server]}" | median)
    med_client[$server]=$(values "${client_us[$server]}" | median)
done

# A goal holds only if mail_server lost nothing and refused nothing: a server that drops
# messages would be fast for nothing.
clean() { # SERVER
    (($(values "${failures[$1]}" | sum) == 0 && $(values "${lost[$1]:-0}" | sum) == 0 &&
        $(values "${short[$1]:-0}" | sum) == 0))
}

sink_ratio=$(ratio "${med[ms_nostore]}" "${med[smtp_sink]}")
sink_result=$(pass "${sink_ratio%x} >= $GOAL_SINK_RATIO")
clean ms_nostore || sink_result="FAIL (failures)"
maildir_ratio=$(ratio "${med[ms_maildir]}" "${med[aiosmtpd]}")
maildir_result=$(pass "${maildir_ratio%x} >= $GOAL_MAILDIR_RATIO")
clean ms_maildir || maildir_result="FAIL (messages lost or refused)"
[[ $sink_result == PASS && $maildir_result == PASS ]] || verdict=1
if ((WEB)); then
    web_ratio=$(ratio "${med[ms_web]}" "${med[ms_maildir]}")
    web_result=$(pass "${web_ratio%x} >= $GOAL_WEB_RATIO")
    maildev_ratio=$(ratio "${med[ms_web]}" "${med[maildev]}")
    maildev_result=$(pass "${maildev_ratio%x} >= $GOAL_MAILDEV_RATIO")
    clean ms_web || { web_result="FAIL (messages lost or refused)" maildev_result=$web_result; }
    [[ $web_result == PASS && $maildev_result == PASS ]] || verdict=1
fi

fsync1=$(values "${fsync_rate[1]}" | median)
fsync16=$(values "${fsync_rate[16]}" | median)
echo
echo "mail_server vs smtp-sink and aiosmtpd on loopback, smtp-source -s $SESSIONS -m $MESSAGES" \
    "-l $LENGTH (a connection per message), $(date -u +%Y-%m-%d), $machine;" \
    "median of $ROUNDS rounds ($measured s of runs, $((SECONDS - started)) s in all)"
echo "load average (1, 5, 15 min): $load_before before, $load_after after; CPU kept busy by" \
    "other jobs during the runs (median, max): $(values "${others[all]}" | median)%," \
    "$(values "${others[all]}" | max)%; runs redone for it: $reruns"
busy_runs=$(values "${others[all]}" | awk -v limit="$BUSY_LIMIT" '$1 > limit' | wc -l)
if ((busy_runs > 0)); then
    echo "WARNING: in $busy_runs of the $(values "${others[all]}" | wc -l) runs counted," \
        "other jobs kept more than $BUSY_LIMIT% of the CPUs busy: these figures measure the" \
        "neighbours too"
fi
row() { printf '%-26s %12s %10s %7s  %-26s %s\n' "$@"; }
row "messages/s" mail_server peer ratio goal result
row "no store vs smtp-sink" "$(thousands "${med[ms_nostore]}")" \
    "$(thousands "${med[smtp_sink]}")" "$sink_ratio" ">= ${GOAL_SINK_RATIO}x smtp-sink" \
    "$sink_result"
row "Maildir vs aiosmtpd" "$(thousands "${med[ms_maildir]}")" \
    "$(thousands "${med[aiosmtpd]}")" "$maildir_ratio" ">= ${GOAL_MAILDIR_RATIO}x aiosmtpd" \
    "$maildir_result"
if ((WEB)); then
    row "Maildir --web vs without" "$(thousands "${med[ms_web]}")" \
        "$(thousands "${med[ms_maildir]}")" "$web_ratio" ">= ${GOAL_WEB_RATIO}x without --web" \
        "$web_result"
    row "Maildir --web vs MailDev" "$(thousands "${med[ms_web]}")" \
        "$(thousands "${med[maildev]}")" "$maildev_ratio" ">= ${GOAL_MAILDEV_RATIO}x MailDev" \
        "$maildev_result"
fi
echo "per round, msg/s: $(for server in "${server_list[@]}"; do
    printf '%s %s; ' "${label[$server]}" "$(values "${rate[$server]}" | tr '\n' ' ' |
        sed 's/ $//; s/ /, /g')"
done | sed 's/; $//')"
echo "CPU per message (medians, us; server + smtp-source): $(for server in "${server_list[@]}"; do
    printf '%s %s + %s; ' "${label[$server]}" "${med_cpu[$server]}" "${med_client[$server]}"
done | sed 's/; $//')"
echo "transcript on (no -q, stdout to a file; one run each in round 1, no goal):" \
    "--no-store $(thousands "${transcript_rate[ms_nostore]}") msg/s" \
    "($(ratio "${transcript_rate[ms_nostore]}" "${transcript_quiet[ms_nostore]}")" \
    "of the quiet run just before), Maildir $(thousands "${transcript_rate[ms_maildir]}") msg/s" \
    "($(ratio "${transcript_rate[ms_maildir]}" "${transcript_quiet[ms_maildir]}"))"
echo "fsync context: this disk took $(thousands "$fsync1") fsyncs/s from 1 thread and" \
    "$(thousands "$fsync16") from 16 (medians; per round: $(values "${fsync_rate[1]}" |
        tr '\n' ' ' | sed 's/ $//; s/ /, /g') and $(values "${fsync_rate[16]}" | tr '\n' ' ' |
        sed 's/ $//; s/ /, /g')), CPU per new file $(values "$file_cpu_us" | tr '\n' ' ' |
        sed 's/ $//; s/ /, /g') us; mail_server makes messages durable in batches (the" \
    "messages that arrive while the previous batch is synced: one syncfs, or an fsync for a" \
    "batch of one, then one fsync of new/); the goal asks" \
    "$(thousands "$(awk -v r="${med[aiosmtpd]}" -v g="$GOAL_MAILDIR_RATIO" \
        'BEGIN { print r * g }')") msg/s (aiosmtpd does not fsync)"
if awk -v lo="$(values "$file_cpu_us" | sort -g | head -n 1)" -v hi="$(values "$file_cpu_us" |
    max)" 'BEGIN { exit !(hi > 1.5 * lo) }'; then
    echo "WARNING: creating a file cost from $(values "$file_cpu_us" | sort -g | head -n 1) to" \
        "$(values "$file_cpu_us" | max) us of CPU across the rounds: the disk was not settled" \
        "(many files removed in the minutes before, by an earlier run or another job), which" \
        "slows both Maildir servers; a run started 6 minutes after the last is steadier"
fi
if [[ $AIOSMTPD_MESSAGES != "$MESSAGES" ]]; then
    echo "(aiosmtpd ran with -m $AIOSMTPD_MESSAGES, the others with -m $MESSAGES)"
fi
if ((WEB)) && [[ $MAILDEV_MESSAGES != "$MESSAGES" ]]; then
    echo "(MailDev ran with -m $MAILDEV_MESSAGES, mail_server with -m $MESSAGES)"
fi
echo "checks: smtp-source failures (refused messages) per server: $(for server in \
    "${server_list[@]}"; do printf '%s %s; ' "${label[$server]}" "$(values \
    "${failures[$server]}" | sum)"; done | sed 's/; $//'); messages missing from new/ after" \
    "their 250: mail_server $(values "${lost[ms_maildir]}" | sum)," \
    "aiosmtpd $(values "${lost[aiosmtpd]}" | sum)$( ((WEB)) && printf ', mail_server --web %s, MailDev %s (its list)' \
        "$(values "${lost[ms_web]}" | sum)" "$(values "${lost[maildev]}" | sum)"); stored files shorter than the body:" \
    "$(($(values "${short[ms_maildir]}" | sum) + $(values "${short[aiosmtpd]}" | sum) +
        $(values "${short[ms_web]:-0}" | sum)))"
((WEB)) && versions+=", MailDev $(maildev_version) on node $(node --version)"
echo "($versions)"
if ((INBOX)); then
    # The web inbox's own figures, with a temp dir of their own (this one's files are gone).
    echo
    inbox_verdict=0
    "$bench_dir/mail_inbox.sh" "$bin" || inbox_verdict=$?
    ((inbox_verdict != 2)) || die "bench/mail_inbox.sh failed"
    ((inbox_verdict == 0)) || verdict=1
fi
exit "$verdict"
