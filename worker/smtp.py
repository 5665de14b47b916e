"""Django's SMTP backend, waiting at each step as long as RFC 5321 recommends.

Django's backend gives one ``timeout`` to every SMTP step. RFC 5321 §4.5.3.2 asks a
client to wait up to 10 minutes for the reply that follows the message body, because
a server may take that long to queue it: a client that gives up sooner leaves a
message the server delivers anyway, and sends it again. Here each step has its own
wait (``settings.EMAIL_TIMEOUTS``): the socket's timeout changes as the session moves
from one step to the next.

Once the whole body is with the server, a missing answer (timeout, connection lost,
the task's time limit) no longer means "not delivered": :class:`DeliveryUnknown`
says so, and the outbox records the outcome as unknown instead of retrying it.
A reply from the server (4xx, 5xx) is still a plain refusal.

``EMAIL_URL=smtp://…`` selects this backend (``backend/settings.py``).
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail.backends import smtp


class DeliveryUnknown(smtplib.SMTPException):
    """The message body was sent and the server's answer never came: it may have been accepted."""


class _Steps(smtplib.SMTP):
    """``smtplib.SMTP`` (or, mixed in first, ``SMTP_SSL``) where the socket's timeout follows
    the step of the session."""

    timeouts: dict[str, float]
    body_sent = False
    _step = "connection"

    def _enter(self, step: str) -> None:
        self._step = step
        if self.sock is not None:
            self.sock.settimeout(self.timeouts[step])

    def mail(self, sender, options=()):
        self.body_sent = False
        self._enter("mail")
        return super().mail(sender, options)

    def rcpt(self, recip, options=()):
        self._enter("rcpt")
        return super().rcpt(recip, options)

    def data(self, msg):
        self._enter("data_initiation")
        return super().data(msg)

    def getreply(self):
        reply = super().getreply()
        if self._step == "data_initiation" and reply[0] == 354:
            self._enter("data_block")
        elif self._step == "data_termination":
            self._enter("connection")  # RSET, QUIT and the next message's EHLO
        return reply

    def send(self, s):
        super().send(s)
        if self._step == "data_block":
            # smtplib sends the body and its final dot in one call: from now on, the
            # server may hold the message whatever happens to the answer.
            self.body_sent = True
            self._enter("data_termination")


class SteppedSMTP(_Steps):
    pass


class SteppedSMTPSSL(_Steps, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    """Django's SMTP backend with a wait per step; raises :class:`DeliveryUnknown` when a
    message may have been accepted without the server saying so.

    ``timeout`` (Django's single timeout), when given, is the wait for the connection
    and the server's greeting only.
    """

    connection: _Steps | None

    def __init__(self, *args, timeout: float | None = None, **kwargs) -> None:
        self.timeouts = dict(settings.EMAIL_TIMEOUTS)
        if timeout is not None:
            self.timeouts["connection"] = timeout
        super().__init__(*args, timeout=self.timeouts["connection"], **kwargs)

    @property
    def connection_class(self):
        return SteppedSMTPSSL if self.use_ssl else SteppedSMTP

    def open(self) -> bool | None:
        created = super().open()
        if created and self.connection is not None:
            self.connection.timeouts = self.timeouts
        return created

    def _send(self, email_message) -> bool:
        try:
            return super()._send(email_message)  # type: ignore[misc]  # private: not in the stubs
        except smtplib.SMTPResponseException:
            raise  # the server answered: a refusal, nothing was accepted
        except Exception as exc:  # timeout, lost connection, the task's time limit…
            if self.connection is not None and self.connection.body_sent:
                raise DeliveryUnknown(f"{exc.__class__.__name__}: {exc}") from exc
            raise
