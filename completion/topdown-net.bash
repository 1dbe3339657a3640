# bash completion for the topdown-net programs. One script for all ten: it is installed as
# share/bash-completion/completions/topdown-net with a link per program name beside it, the
# names bash-completion looks for when a command is first completed.
#
# The option tables below are what each program's --help lists; a test
# (tests/packaging/completion_test.cpp) fails when --help lists an option missing here.

# The options of a program, each as NAMES or NAMES=KIND: NAMES are its short and long names
# (comma-separated), KIND what its value is: file, file- (a file or - for stdout/stdin), dir,
# host, addr (a local address to listen on), env (an environment variable), a|b|c (a choice),
# or any (no completion). Without =KIND the option takes no value.
_topdown_net_options() {
    local listen="-b,--bind=addr -p,--port=any"
    local threads="-t,--threads=any"
    local always="-h,--help -V,--version"
    case $1 in
        tcp_server)
            echo "$listen $threads --timeout=any -q,--quiet -v,--verbose $always" ;;
        tcp_client)
            echo "-W,--timeout=any -q,--quiet $always" ;;
        udp_server)
            echo "$listen -q,--quiet -v,--verbose $always" ;;
        udp_client)
            echo "-W,--timeout=any -r,--retries=any -q,--quiet $always" ;;
        web_server)
            echo "$listen $threads -r,--root=dir --no-listing --hidden --mime-types=file" \
                 "--access-log=file- --timeout=any --min-rate=any --max-conns=any -q,--quiet" \
                 "$always" ;;
        udp_ping)
            echo "-c,--count=any -i,--interval=any -W,--timeout=any -s,--size=any" \
                 "-w,--deadline=any -f,--flood -q,--quiet --json -4,--ipv4 -6,--ipv6 $always" ;;
        udp_ping_server)
            echo "$listen --loss=any --delay=any --seed=any --heartbeat-timeout=any -q,--quiet" \
                 "$always" ;;
        mail_server)
            echo "$listen $threads --maildir=dir --mbox=file- --no-store --hostname=any" \
                 "--max-size=any --max-rcpt=any --domain=any --timeout=any --tls-cert=file" \
                 "--tls-key=file --auth=any --allow-insecure-auth --web=any --log=file- -q,--quiet" \
                 "-v,--verbose --command-time=any --data-time=any --min-rate=any" \
                 "--auth-delay=any --auth-failures=any --auth-window=any --list --json $always" ;;
        mail_client)
            echo "-s,--server=host -f,--from=any -t,--to=any --cc=any --bcc=any --subject=any" \
                 "--body=any --body-file=file -a,--attach=file --header=any --message=file-" \
                 "--tls=auto|starttls|implicit|none -u,--user=any --password-env=env" \
                 "--password-file=file --auth=auto|plain|login --helo=any --cafile=file" \
                 "-k,--insecure --timeout=any -q,--quiet -v,--verbose $always" ;;
        web_proxy)
            echo "$listen $threads --timeout=any --connect-timeout=any --allow-client=any" \
                 "--allow-host=host --connect-ports=any --http-ports=any --max-clients=any" \
                 "--max-per-client=any --cache-size=any --cache-max-object=any" \
                 "--access-log=file- -q,--quiet -v,--verbose $always" ;;
    esac
}

# Fills COMPREPLY with the values an option of this KIND may take, matching $cur.
_topdown_net_values() {
    local kind=$1
    case $kind in
        file) _filedir ;;
        file-)
            _filedir
            [[ - == "$cur"* ]] && COMPREPLY+=(-)
            ;;
        dir) _filedir -d ;;
        host) _known_hosts_real -- "$cur" ;;
        addr)
            COMPREPLY=($(compgen -W '127.0.0.1 0.0.0.0 :: ::1' -- "$cur"))
            __ltrim_colon_completions "$cur"
            ;;
        env) COMPREPLY=($(compgen -e -- "$cur")) ;;
        *\|*) COMPREPLY=($(compgen -W "${kind//|/ }" -- "$cur")) ;;
        *) COMPREPLY=() ;;
    esac
}

_topdown_net() {
    local cur prev words cword split
    _init_completion -s || return

    local program=${1##*/}
    local -a names=()
    local -A kinds=()
    local entry kind name
    for entry in $(_topdown_net_options "$program"); do
        kind=
        if [[ $entry == *=* ]]; then
            kind=${entry#*=}
            entry=${entry%%=*}
        fi
        for name in ${entry//,/ }; do
            names+=("$name")
            [[ -n $kind ]] && kinds[$name]=$kind
        done
    done

    # The value of the option before it: "--root DIR", "--root=DIR", "-r DIR".
    if [[ -n ${kinds[$prev]-} ]]; then
        _topdown_net_values "${kinds[$prev]}"
        return
    fi
    $split && return  # --flag=: a flag takes no value

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "${names[*]}" -- "$cur"))
        return
    fi
    # The clients' positional HOST [PORT]: host names for the first one.
    case $program in
        tcp_client | udp_client | udp_ping) _known_hosts_real -- "$cur" ;;
        mail_server) [[ " ${words[*]} " == *" --list "* ]] && _filedir ;;
    esac
} &&
    complete -F _topdown_net tcp_server tcp_client udp_server udp_client web_server udp_ping \
        udp_ping_server mail_server mail_client web_proxy

# ex: filetype=sh
