"""aiosmtpd as the mail tests run it, and python's email module as they read messages back.

  aiosmtpd_server.py serve --dir DIR [--host 127.0.0.1] [--cert PEM --key PEM [--implicit-tls]]
                           [--user USER --password PASS]
      Listens on HOST, port 0 (the kernel picks a free one), through aiosmtpd's own Controller,
      and prints "aiosmtpd: listening on HOST:PORT, storing to DIR" once it accepts connections.
      With --cert/--key it offers STARTTLS (or, with --implicit-tls, speaks TLS from the first
      byte); with --user/--password it accepts AUTH PLAIN/LOGIN for that one pair, only over TLS.
      Each message is stored as DIR/NNNN.msg, written under another name and renamed, so a reader
      never sees half a file, and stored before the 250 goes out:
          mail_from <addr>            (one line each; values are UTF-8)
          mail_option BODY=8BITMIME   (one per MAIL FROM parameter)
          rcpt_to <addr>              (one per accepted RCPT TO, in order)
          helo NAME
          tls TLSv1.3 | none
          sni NAME | none             (the server name the client sent in its TLS hello)
          auth USER | none
          content
          <the message exactly as received after DATA, dot-unstuffing undone, CRLF line ends>
      SIGTERM or SIGINT stops it.

  aiosmtpd_server.py parse FILE
      Parses the RFC 5322 message in FILE (after a "content" line when FILE is one stored by
      serve) with python's email module and prints, one field a line, every value in hex so no
      byte of it can be mistaken for the framing:
          header NAME DECODED-VALUE   (each header, RFC 2047 encoded-words decoded)
          part CONTENT-TYPE FILENAME PAYLOAD   (each leaf part, its payload transfer-decoded;
                                                FILENAME is empty when there is none)
          end
"""

import argparse
import itertools
import os
import signal
import socket
import ssl
import sys


def serve(options):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    class StoringHandler:
        """Stores every message in options.dir, as the module docstring describes."""

        def __init__(self, directory):
            self.directory = directory
            self.numbers = itertools.count(1)

        async def handle_DATA(self, server, session, envelope):
            number = next(self.numbers)
            tls = server.transport.get_extra_info("ssl_object")  # STARTTLS or implicit
            lines = ["mail_from " + (envelope.mail_from or "")]
            lines += ["mail_option " + option for option in envelope.mail_options]
            lines += ["rcpt_to " + rcpt for rcpt in envelope.rcpt_tos]
            lines.append("helo " + (session.host_name or ""))
            lines.append("tls " + (tls.version() if tls else "none"))
            lines.append("sni " + (getattr(tls, "sni", None) or "none"))
            login = session.auth_data.login if session.authenticated else None
            lines.append("auth " + (login.decode("utf-8", "replace") if login else "none"))
            lines.append("content")
            head = ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")
            content = envelope.original_content
            if isinstance(content, str):
                content = content.encode("utf-8", "surrogateescape")
            name = "%04d.msg" % number
            partial = os.path.join(self.directory, "." + name + ".part")
            with open(partial, "wb") as out:
                out.write(head + content)
                out.flush()
                os.fsync(out.fileno())
            os.rename(partial, os.path.join(self.directory, name))
            return "250 2.0.0 Ok: stored as " + name

    def authenticator(server, session, envelope, mechanism, auth_data):
        good = (auth_data.login == options.user.encode()
                and auth_data.password == options.password.encode())
        return AuthResult(success=good, handled=False, auth_data=auth_data)

    class BoundController(Controller):
        """Controller on a socket bound already (port 0), so the port is known and never raced."""

        def __init__(self, handler, listener, **kwargs):
            self.listener = listener
            host, port = listener.getsockname()[:2]
            super().__init__(handler, hostname=host, port=port, **kwargs)

        def _create_server(self):
            return self.loop.create_server(self._factory_invoker, sock=self.listener,
                                           ssl=self.ssl_context)

    family = socket.AF_INET6 if ":" in options.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((options.host, 0))
    listener.listen(64)

    smtp_options = {"server_hostname": "aiosmtpd.test", "ready_timeout": 30.0}
    if options.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(options.cert, options.key)

        def remember_sni(ssl_object, server_name, context):
            ssl_object.sni = server_name  # read back by the handler through the transport

        context.sni_callback = remember_sni
        if options.implicit_tls:
            smtp_options["ssl_context"] = context
        else:
            smtp_options["tls_context"] = context
    if options.user is not None:
        smtp_options["authenticator"] = authenticator
        # aiosmtpd counts only STARTTLS as TLS (its _tls_protocol), so over implicit TLS, where
        # every byte is encrypted anyway, requiring TLS would hide AUTH.
        smtp_options["auth_require_tls"] = not options.implicit_tls

    # Blocked before the loop thread starts, so it inherits the mask and sigwait() below gets them.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    controller = BoundController(StoringHandler(options.dir), listener, **smtp_options)
    controller.start()
    port = listener.getsockname()[1]
    shown = "[%s]" % options.host if family == socket.AF_INET6 else options.host
    print("aiosmtpd: listening on %s:%d, storing to %s" % (shown, port, options.dir), flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


def parse(path):
    import email
    import email.header
    import email.policy

    with open(path, "rb") as source:
        raw = source.read()
    marker = b"\ncontent\n"
    if raw.startswith(b"mail_from ") and marker in raw:
        raw = raw[raw.index(marker) + len(marker):]
    message = email.message_from_bytes(raw, policy=email.policy.default)

    def hx(value):
        if isinstance(value, bytes):
            return value.hex()
        return str(value).encode("utf-8", "surrogateescape").hex()

    out = sys.stdout
    for name, value in message.items():
        out.write("header %s %s\n" % (hx(name), hx(str(value))))
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        out.write("part %s %s %s\n" % (hx(part.get_content_type()),
                                       hx(part.get_filename() or ""), hx(payload)))
    out.write("end\n")


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve")
    serve_parser.add_argument("--dir", required=True)
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--cert")
    serve_parser.add_argument("--key")
    serve_parser.add_argument("--implicit-tls", action="store_true")
    serve_parser.add_argument("--user")
    serve_parser.add_argument("--password")
    parse_parser = commands.add_parser("parse")
    parse_parser.add_argument("file")
    options = parser.parse_args()
    if options.command == "serve":
        serve(options)
    else:
        parse(options.file)


if __name__ == "__main__":
    main()
