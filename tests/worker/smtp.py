"""A local SMTP server that misbehaves on request, for the outbox's delivery outcomes."""

from __future__ import annotations

import socketserver
import threading
import time
from dataclasses import dataclass


@dataclass
class Behaviour:
    """What the server does; change it between attempts.

    ``refuse`` maps a step (``greeting``, ``MAIL``, ``RCPT``, ``DATA``, ``final``) to the
    reply that refuses it (e.g. ``"451 4.3.0 try later"``). ``final_delay`` delays the
    250 after the body; ``drop_after_body`` closes the connection instead of answering.
    """

    refuse: dict[str, str] | None = None
    final_delay: float = 0.0
    drop_after_body: bool = False


class MisbehavingSmtp:
    """Counts the bodies it received in full (``count``): a message it may deliver."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour = behaviour or Behaviour()
        self.received: list[bytes] = []
        self._lock = threading.Lock()
        smtp = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, step: str, ok: str) -> bool:
                refusal = (smtp.behaviour.refuse or {}).get(step)
                self.wfile.write(((refusal or ok) + "\r\n").encode())
                return refusal is None

            def handle(self) -> None:
                if not self.reply("greeting", "220 slow ESMTP"):
                    return
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.wfile.write(b"250-slow\r\n250 8BITMIME\r\n")
                    elif verb == b"MAIL":
                        self.reply("MAIL", "250 ok")
                    elif verb == b"RCPT":
                        self.reply("RCPT", "250 ok")
                    elif verb == b"DATA":
                        if not self.reply("DATA", "354 go ahead"):
                            continue
                        body = self._read_body()
                        if body is None:
                            return
                        behaviour = smtp.behaviour
                        if (behaviour.refuse or {}).get("final"):
                            self.reply("final", "")
                            continue
                        with smtp._lock:
                            smtp.received.append(body)
                        if behaviour.drop_after_body:
                            return
                        time.sleep(behaviour.final_delay)
                        try:
                            self.wfile.write(b"250 queued\r\n")
                        except OSError:
                            return
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

            def _read_body(self) -> bytes | None:
                lines = []
                while line := self.rfile.readline():
                    if line in (b".\r\n", b".\n"):
                        return b"".join(lines)
                    lines.append(line)
                return None

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.received)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
