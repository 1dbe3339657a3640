# shellcheck shell=bash disable=SC2154  # bench_name, work, server_pid: set by bench/lib.sh
# Shared by bench/mail_server.sh and bench/mail_inbox.sh, sourced after bench/lib.sh: MailDev
# (found or installed with npm, outside the repository) and mail_server with its web inbox.

# MailDev 3 (the npm package maildev) lives in MAILDEV_DIR, a folder of its own outside the source
# tree; it is installed there with npm on first use (MAILDEV_INSTALL=0 forbids that).
MAILDEV_DIR=${MAILDEV_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/topdown-net/maildev}
readonly MAILDEV_VERSION=${MAILDEV_VERSION:-3}
readonly MAILDEV_INSTALL=${MAILDEV_INSTALL:-1}
maildev_bin=

# Sets maildev_bin, installing MailDev first when it is missing.
find_maildev() {
    maildev_bin=$MAILDEV_DIR/node_modules/.bin/maildev
    [[ -x $maildev_bin ]] && return
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        die "MailDev needs node and npm (apt-get install nodejs npm), or point MAILDEV_DIR at an" \
            "existing install"
    fi
    ((MAILDEV_INSTALL)) ||
        die "no MailDev in $MAILDEV_DIR (npm install --prefix $MAILDEV_DIR maildev@$MAILDEV_VERSION)"
    echo "$bench_name: installing maildev@$MAILDEV_VERSION into $MAILDEV_DIR (npm)..." >&2
    mkdir -p "$MAILDEV_DIR"
    npm install --prefix "$MAILDEV_DIR" --no-audit --no-fund --loglevel=error \
        "maildev@$MAILDEV_VERSION" >&2 || die "npm could not install maildev into $MAILDEV_DIR"
    [[ -x $maildev_bin ]] || die "npm installed no $maildev_bin"
}

maildev_version() {
    node -p "require('$MAILDEV_DIR/node_modules/maildev/package.json').version" 2>/dev/null ||
        echo '?'
}

# MailDev as it runs by default: its list in memory, each message's source (and attachments)
# written to $TMPDIR/maildev (not fsynced); here a TMPDIR of its own in $work for each start,
# removed with the rest. Its SMTP and web ports are both on 127.0.0.1: sets server_pid (see
# server_started), server_port (SMTP) and web_port. Retries on other ports when one was taken.
maildev_starts=0
start_maildev() {
    local attempt smtp web tmp
    for attempt in 1 2 3 4 5; do
        smtp=$(helper free-port)
        web=$(helper free-port)
        maildev_starts=$((maildev_starts + 1))
        tmp=$work/maildev-tmp.$maildev_starts
        mkdir "$tmp"
        : >"$work/server.out"
        TMPDIR=$tmp setsid "$maildev_bin" --ip 127.0.0.1 --web-ip 127.0.0.1 -s "$smtp" -w "$web" \
            --silent >"$work/server.out" 2>"$work/server.err" &
        server_started
        for _ in $(seq 400); do
            if listening "$smtp" && listening "$web"; then
                server_port=$smtp
                web_port=$web
                return
            fi
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.05
        done
        stop_server
        echo "$bench_name: MailDev did not listen on $smtp and $web (attempt $attempt):" \
            "$(tail -n 2 "$work/server.err")" >&2
    done
    die "MailDev did not start: $(cat "$work/server.err")"
}

# After mail_server was started with -p 0 and --web 127.0.0.1:0 (stdout in $work/server.out):
# waits up to SECONDS (20) for its SMTP line ("...: listening on HOST:PORT, ...") and its web
# line ("web inbox on http://HOST:PORT/") among its first lines; sets server_port and web_port.
mail_server_ports() { # [SECONDS]
    local limit=${1:-20} head
    for _ in $(seq $((limit * 20))); do
        head=$(head -n 5 "$work/server.out")
        server_port=$(sed -n 's/^.*: listening on [^ ]*:\([0-9]*\), .*/\1/p' <<<"$head" | head -n 1)
        web_port=$(sed -n 's|^.*web inbox on http://[^ ]*:\([0-9]*\)/.*|\1|p' <<<"$head" |
            head -n 1)
        [[ -n $server_port && -n $web_port ]] && return 0
        kill -0 "$server_pid" 2>/dev/null ||
            die "mail_server --web ended: $(cat "$work/server.err")"
        sleep 0.05
    done
    die "mail_server --web announced no SMTP and web port within $limit s: $head"
}

# The number of messages an inbox's list API says it holds: mail_server (Mailpit's "total") or
# MailDev ("total" of its summary). Empty when it does not answer.
inbox_total() { # mail_server|maildev WEB_PORT
    local path='/api/v1/messages?limit=1'
    [[ $1 == maildev ]] && path='/api/email/summary?limit=1'
    # Both documents have one "total" member, at the top level (read without a JSON parser, so
    # that polling costs little).
    { curl -sf --max-time 10 "http://127.0.0.1:$2$path" || true; } |
        grep -o '"total": *[0-9]*' | head -n 1 | sed 's/.*: *//'
}
