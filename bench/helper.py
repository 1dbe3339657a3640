"""Small measuring helpers shared by the benchmark scripts (called as `helper NAME ARGS...`,
see bench/lib.sh): free ports, monotonic timing, memory and CPU of a process group, a disk's
fsync rate, many idle keep-alive clients of a proxy."""
import errno, os, resource, selectors, socket, subprocess, sys, threading, time


def free_port(kind="tcp"):
    """A port the kernel just handed out on 127.0.0.1 (and took back) for TCP or UDP."""
    with socket.socket(type=socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def timed(stdin_path, timeout, *command):
    """Runs command with stdin from the file and stdout to /dev/null; prints its seconds,
    or "timeout" (the caller decides: retry, or give up)."""
    with open(stdin_path, "rb") as f:
        start = time.monotonic()
        try:
            rc = subprocess.run(command, stdin=f, stdout=subprocess.DEVNULL,
                                timeout=float(timeout)).returncode
        except subprocess.TimeoutExpired:
            print("timeout")
            return
        seconds = time.monotonic() - start
    if rc != 0:
        sys.exit(f"helper.py: {command[0]} exited with {rc}")
    print(f"{seconds:.3f}")


def pss_kib(pgid):
    """The sum of PSS (shared pages split between their users) over a process group."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.getpgid(int(pid)) != int(pgid):
                continue
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except (OSError, ValueError):
            pass  # the process ended meanwhile
    return total


def group_pss(pgid):
    print(pss_kib(pgid))


def sampled(pgid, *command):
    """Runs command, passing on its first stdout line (the result, printed while it holds its
    connections open) and then the process group's PSS, read at that moment."""
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    result = child.stdout.readline()
    pss = pss_kib(pgid) if result else 0
    rc = child.wait()
    if rc != 0 or not result:
        sys.exit(f"helper.py: {command[0]} exited with {rc}")
    print(result, end="")
    print(f"pss_kib={pss}")


def stat_fields(pid):
    """The fields of /proc/PID/stat after the command name (which may hold spaces)."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def ticks(pgid, shell_pid):
    """CPU ticks: busy and total on the whole machine, the process group's, and those of the
    shell's finished children (wrk): the caller works out how busy everything else kept the CPUs."""
    with open("/proc/stat") as f:
        cpu = [int(v) for v in f.readline().split()[1:]]
    busy = sum(cpu[:8]) - cpu[3] - cpu[4]  # all but idle and iowait
    group = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = stat_fields(pid)
            if int(fields[2]) == int(pgid):
                group += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, ValueError, IndexError):
            pass
    fields = stat_fields(shell_pid)
    children = int(fields[13]) + int(fields[14])  # cutime, cstime
    print(busy, sum(cpu[:8]), group, children)


def fsync_rate(directory, threads, seconds):
    """fsyncs/s this disk completes from THREADS threads for SECONDS, and the CPU time each file
    took (us): each thread creates new 4 KiB files in DIRECTORY, each written then fsynced, as a
    mail server stores messages (a new file's fsync also writes its inode). The files are left
    for the caller to remove when its measuring is done: removing files costs the disk work of its
    own (discards, on some)."""
    threads, seconds = int(threads), float(seconds)
    data = b"x" * 4096
    counts = [0] * threads
    errors = []
    stop = time.monotonic() + seconds

    def work(index):
        n = 0
        try:
            while time.monotonic() < stop:
                path = f"{directory}/{index}.{n}"
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                try:
                    os.write(fd, data)
                    os.fsync(fd)
                finally:
                    os.close(fd)
                n += 1
        except OSError as e:
            errors.append(e)
        counts[index] = n

    start, cpu = time.monotonic(), time.process_time()
    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        sys.exit(f"helper.py: fsync-rate: {errors[0]}")
    files = max(sum(counts), 1)
    elapsed, cpu = time.monotonic() - start, time.process_time() - cpu
    print(f"{files / elapsed:.0f} {cpu * 1e6 / files:.0f}")


class IdleClient:
    """One connection of idle_clients: sends its request once connected, then reads the response
    (status line, headers, Content-Length body) and keeps the connection open."""

    def __init__(self, request):
        self.sock = socket.socket()
        self.sock.setblocking(False)
        self.out = request
        self.got = bytearray()
        self.body_end = None  # the size of the whole response, once its head is in

    def on_writable(self):
        """Sends what is left of the request; True when it is all sent. Raises OSError when the
        connect failed."""
        error = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if error:
            raise OSError(error, os.strerror(error))
        self.out = self.out[self.sock.send(self.out):]
        return not self.out

    def on_readable(self):
        """Reads what came; True once the whole response is in. Raises OSError when the proxy
        closed first or answered with other than 200 or without a Content-Length."""
        data = self.sock.recv(65536)
        if not data:
            raise OSError("closed before the end of the response")
        self.got += data
        if self.body_end is None:
            head_end = self.got.find(b"\r\n\r\n")
            if head_end < 0:
                return False
            head = self.got[:head_end].decode("latin-1").split("\r\n")
            if head[0].split(" ")[1:2] != ["200"]:
                raise OSError(f"answered '{head[0]}'")
            lengths = [line.split(":", 1)[1].strip() for line in head[1:]
                       if line.lower().startswith("content-length:")]
            if not lengths:
                raise OSError("answered without a Content-Length")
            self.body_end = head_end + 4 + int(lengths[0])
        if len(self.got) > self.body_end:
            raise OSError("sent more than the response")
        return len(self.got) == self.body_end


def idle_clients(pgid, host, port, count, target, window, hold, timeout):
    """COUNT keep-alive clients of a proxy at HOST:PORT, each a connection of its own that sends one
    GET for TARGET (an absolute URL) and reads the whole response, at most WINDOW of them under way
    at once (as clients that arrive over time, not in one burst); then every connection is held
    open and idle for HOLD seconds. Prints one line: clients, answered, failed, open (answered ones
    the proxy had not closed by the end of the hold), seconds (until the last answer), and pss_kib:
    the process group PGID's PSS read at the end of the hold, every connection still open. Gives
    up on clients not answered within TIMEOUT seconds (counted as failed)."""
    count, window, port = int(count), int(window), int(port)
    hold, timeout = float(hold), float(timeout)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < count + 100:
        sys.exit(f"helper.py: idle-clients: {count} connections need more descriptors than {hard}")
    authority = target.split("/")[2]
    request = f"GET {target} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: idle-clients\r\n\r\n"
    request = request.encode()
    selector = selectors.DefaultSelector()
    idle, started, failed, errors = [], 0, 0, {}
    under_way = 0
    start = time.monotonic()
    deadline = start + timeout

    def fail(client, error):
        nonlocal failed, under_way
        selector.unregister(client.sock)
        client.sock.close()
        failed += 1
        under_way -= 1
        errors[str(error)] = errors.get(str(error), 0) + 1

    while len(idle) + failed < count and time.monotonic() < deadline:
        while under_way < window and started < count:
            client = IdleClient(request)
            error = client.sock.connect_ex((host, port))
            started += 1
            under_way += 1
            selector.register(client.sock, selectors.EVENT_WRITE, client)
            if error not in (0, errno.EINPROGRESS):
                fail(client, os.strerror(error))
        for key, _ in selector.select(timeout=max(0.0, min(1.0, deadline - time.monotonic()))):
            client = key.data
            try:
                if key.events & selectors.EVENT_WRITE:
                    if client.on_writable():
                        selector.modify(client.sock, selectors.EVENT_READ, client)
                elif client.on_readable():
                    selector.unregister(client.sock)
                    idle.append(client)
                    under_way -= 1
            except OSError as error:
                fail(client, error.strerror or error)
    seconds = time.monotonic() - start
    if count - len(idle) - failed > 0:
        errors[f"no answer within {timeout:g} s"] = count - len(idle) - failed
        failed = count - len(idle)
    for key in list(selector.get_map().values()):
        key.fileobj.close()
    selector.close()

    # The hold: an idle connection that turns readable was closed by the proxy (or spoke unasked).
    selector = selectors.DefaultSelector()
    for client in idle:
        selector.register(client.sock, selectors.EVENT_READ, client)
    closed = 0
    hold_end = time.monotonic() + hold
    while (left := hold_end - time.monotonic()) > 0:
        for key, _ in selector.select(timeout=left):
            selector.unregister(key.fileobj)
            closed += 1
    pss = pss_kib(pgid)
    print(f"clients={count} answered={len(idle)} failed={failed} open={len(idle) - closed} "
          f"seconds={seconds:.2f} pss_kib={pss}", flush=True)
    for reason, n in sorted(errors.items()):
        print(f"helper.py: idle-clients: {n} x {reason}", file=sys.stderr)
    for client in idle:
        client.sock.close()


COMMANDS = {"free-port": free_port, "timed": timed, "group-pss": group_pss, "sampled": sampled,
            "ticks": ticks, "fsync-rate": fsync_rate, "idle-clients": idle_clients}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](*sys.argv[2:])
