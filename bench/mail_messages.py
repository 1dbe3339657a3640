"""Mail for the inbox benchmarks (bench/mail_inbox.sh): the same messages every run, varied the
way a test inbox is (senders with and without display names, RFC 2047 subjects, a multipart
message with an attachment every tenth), either sent over SMTP or written straight into a Maildir.

  python3 mail_messages.py smtp HOST PORT COUNT [SESSIONS]
      sends COUNT messages over SESSIONS (4) connections at once, each connection sending its
      share one after the other (MAIL, RCPT, DATA per message); prints the seconds taken.
  python3 mail_messages.py maildir DIR COUNT [SIZE]
      writes COUNT messages of about SIZE (2048) bytes into DIR/new (DIR/tmp and DIR/cur made
      too), named as a delivering server names them, with trace headers as mail_server writes
      them, and their times spread over the last COUNT minutes; prints the seconds taken.
"""
import base64, email.utils, os, smtplib, socket, sys, threading, time

NAMES = ["Alice Example", "Bob", "Jörg Müller", "Zoë Ångström", "", "Carol O'Neil", "李雷",
         "Dave (ops)"]
WORDS = ["report", "invoice", "meeting", "Grüße", "build", "failed", "passed", "weekly",
         "résumé", "review", "ticket", "deploy", "café", "notice", "reminder", "東京"]


def encoded_word(text):
    """text as one RFC 2047 encoded-word when it is not ASCII."""
    if text.isascii():
        return text
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def address(i):
    name = NAMES[i % len(NAMES)]
    mailbox = f"user{i % 97}@example.org"
    return f"{encoded_word(name)} <{mailbox}>" if name else mailbox


def subject(i):
    words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(3 + i % 4)]
    return f"#{i} " + " ".join(words)


def body_text(i, size):
    line = f"Message {i}: the quick brown fox jumps over the lazy dog. 0123456789\n"
    return (line * (size // len(line) + 1))[:size]


def message(i, size=2048, when=None):
    """Message i as bytes with CRLF line ends (LF for a Maildir: see lf())."""
    date = email.utils.formatdate(when if when is not None else time.time())
    head = (f"From: {address(i)}\r\n"
            f"To: {address(i + 3)}, team{i % 5}@example.net\r\n"
            f"Subject: {encoded_word(subject(i))}\r\n"
            f"Date: {date}\r\n"
            f"Message-ID: <bench-{i}@example.org>\r\n"
            "MIME-Version: 1.0\r\n")
    text = body_text(i, max(size - 600, 100)).replace("\n", "\r\n")
    if i % 10:
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text).encode()
    attachment = base64.encodebytes(bytes(range(256)) * 2).decode().replace("\n", "\r\n")
    return (head + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
            "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n"
            "--b\r\nContent-Type: application/octet-stream\r\n"
            f'Content-Disposition: attachment; filename="data-{i}.bin"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n" + attachment + "--b--\r\n").encode()


def send(host, port, count, sessions=4):
    errors = []

    def worker(first):
        try:
            with smtplib.SMTP(host, port, local_hostname="bench.example", timeout=60) as smtp:
                for i in range(first, count, sessions):
                    smtp.sendmail(f"user{i % 97}@example.org", ["inbox@example.org"], message(i))
        except (OSError, smtplib.SMTPException) as e:
            errors.append(f"{type(e).__name__}: {e}")

    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        sys.exit("mail_messages.py: " + "; ".join(errors))
    print(f"{time.monotonic() - start:.3f}")


def write_maildir(root, count, size=2048):
    start = time.monotonic()
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    host = socket.gethostname().replace("/", "_").replace(":", "_")
    now = int(time.time())
    new = os.path.join(root, "new")
    pid = os.getpid()
    for i in range(count):
        when = now - (count - i) * 60
        trace = (f"Return-Path: <user{i % 97}@example.org>\n"
                 f"Received: from bench.example ([127.0.0.1])\n"
                 f"\tby mail.test with ESMTP id {i:08X}\n"
                 f"\tfor <inbox@example.org>; {email.utils.formatdate(when)}\n")
        data = trace.encode() + message(i, size, when).replace(b"\r\n", b"\n")
        path = os.path.join(new, f"{when}.M{i}P{pid}.{host}")
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (when, when))
    print(f"{time.monotonic() - start:.3f}")


def main(argv):
    if len(argv) >= 5 and argv[1] == "smtp":
        send(argv[2], int(argv[3]), int(argv[4]), int(argv[5]) if len(argv) > 5 else 4)
    elif len(argv) >= 4 and argv[1] == "maildir":
        write_maildir(argv[2], int(argv[3]), int(argv[4]) if len(argv) > 4 else 2048)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
