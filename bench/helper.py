"""Small measuring helpers shared by the benchmark scripts (called as `helper NAME ARGS...`,
see bench/lib.sh): free ports, monotonic timing, memory and CPU of a process group, a disk's
fsync rate."""
import os, socket, subprocess, sys, threading, time


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


COMMANDS = {"free-port": free_port, "timed": timed, "group-pss": group_pss, "sampled": sampled,
            "ticks": ticks, "fsync-rate": fsync_rate}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](*sys.argv[2:])
