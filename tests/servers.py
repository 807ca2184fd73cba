"""Real servers the tests start for themselves on free loopback ports: Dovecot (IMAPS, a
self-signed certificate, one user and mailbox), an SMTP server (aiosmtpd) and an HTTP
receiver. Each is stopped by its fixture; none touches a shared service."""

from __future__ import annotations

import contextlib
import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"Nothing listens on port {port} after {seconds}s")


@dataclass
class Dovecot:
    """A private Dovecot: IMAPS on ``port`` with ``cafile`` as its certificate."""

    root: Path
    port: int
    user: str = "credit"
    password: str = "s3cret-mailbox"
    cafile: str = ""
    process: subprocess.Popen | None = None

    @classmethod
    def available(cls) -> bool:
        return os.path.exists(DOVECOT) and shutil.which("openssl") is not None

    def start(self) -> Dovecot:
        root = self.root
        for sub in ("run", "state", "home"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        cert, key = root / "cert.pem", root / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        self.cafile = str(cert)
        if os.geteuid() == 0:
            # Dovecot drops privileges: its own users for the login and internal processes,
            # nobody for the mailbox (first_valid_uid is 500).
            mail = pwd.getpwnam("nobody")
            login_user, internal_user = "dovenull", "dovecot"
        else:
            mail = pwd.getpwuid(os.geteuid())
            login_user = internal_user = mail.pw_name
        home = root / "home" / self.user
        home.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)
        for path in (root / "home", home):
            os.chown(path, mail.pw_uid, mail.pw_gid) if os.geteuid() == 0 else None
        (root / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        (root / "dovecot.conf").write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 1
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {self.port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail.pw_uid} gid={mail.pw_gid} home={home}
}}
""")
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            _wait(self.port)
        except RuntimeError:
            self.stop()
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            raise RuntimeError(f"Dovecot did not start: {log[-2000:]}") from None
        return self

    def client(self) -> imaplib.IMAP4_SSL:
        box = imaplib.IMAP4_SSL("127.0.0.1", self.port,
                                ssl_context=ssl.create_default_context(cafile=self.cafile))  # fmt: skip
        box.login(self.user, self.password)
        return box

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        """Put messages in the mailbox as a mail server would (IMAP APPEND, unseen)."""
        with self.client() as box:
            for raw in messages:
                box.append(folder, None, None, raw)
            box.logout()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


@contextlib.contextmanager
def dovecot_server(port: int | None = None):
    root = Path(tempfile.mkdtemp(prefix="cc-dovecot-"))
    server = Dovecot(root=root, port=port or free_port()).start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Receiver:
    """An HTTP server on loopback that keeps every request and answers ``status``."""

    port: int = 0
    status: int = 200
    requests: list[dict] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@contextlib.contextmanager
def http_receiver(status: int = 200):
    receiver = Receiver(status=status)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.requests.append({"path": self.path, "headers": dict(self.headers),
                                      "body": body})  # fmt: skip
            self.send_response(receiver.status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.server, receiver.port = server, server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def smtp_server(port: int | None = None):
    """An aiosmtpd SMTP server keeping every message it receives (as envelope objects)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink  # noqa: F401

    class Keep:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def _check_dovecot() -> None:
    """CI's smoke check: start a private Dovecot, deliver one message over IMAPS, read it."""
    with dovecot_server() as server:
        server.deliver(
            b"From: ci@example.com\r\nSubject: ci\r\nMessage-ID: <ci@example.com>\r\n\r\nok\r\n"
        )
        with server.client() as box:
            _typ, count = box.select("INBOX")
            box.logout()
        assert int(count[0]) == 1, count
        print(f"dovecot: IMAPS on 127.0.0.1:{server.port}, self-signed, 1 message delivered")  # noqa: T201


if __name__ == "__main__":
    _check_dovecot()
