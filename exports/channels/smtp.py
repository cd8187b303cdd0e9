"""E-mail through ``HUB_SMTP_URL``: deliveries with their files attached, and plain notices.

``smtp://host:port`` (plain), ``smtp+starttls://`` (STARTTLS) or ``smtps://`` (TLS from the start),
with optional ``user:password@``. Japanese subjects and bodies are encoded by
``email.message.EmailMessage`` (RFC 2047 headers, UTF-8 bodies in base64): :func:`build_message`
writes every mail the hub sends, and :func:`closing` the lines every mail ends with.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime as email_date
from email.utils import formataddr, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

from exports.channels.base import ChannelError, DeliveryFile, Parcel, Went, redact_url
from forms.tokyo import format_datetime, in_tokyo
from hub.config import Settings

TIMEOUT_SECONDS = 30
DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None = field(repr=False)

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        """The server of ``HUB_SMTP_URL``; a malformed URL is named without its password."""
        problem = ChannelError.saying("smtp_url_malformed", permanent=True, url=redact_url(url))
        try:
            parts = urlsplit(url)
            host, port = parts.hostname, parts.port
        except ValueError:
            raise problem from None
        if parts.scheme not in DEFAULT_PORTS or not host:
            raise problem
        return cls(
            scheme=parts.scheme,
            host=host,
            port=port or DEFAULT_PORTS[parts.scheme],
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def hide_password(self, text: str) -> str:
        """``text`` (a server's or library's message) with the password, if it appears, hidden."""
        return text.replace(self.password, "***") if self.password else text


ADDRESS_SEPARATORS = re.compile("[,;、，；､]")
"""What people put between addresses: commas and semicolons, and the Japanese ones their IME
types (読点 、 and ､, full-width ， and ；)."""


def addresses(text: str) -> list[str]:
    """The addresses in a list separated by commas or semicolons (Japanese ones too), blanks
    dropped."""
    return [a.strip() for a in ADDRESS_SEPARATORS.split(text) if a.strip()]


SENDER_NAME = "東京都 再犯防止 連携調査ハブ"
"""Who sends: the From's name when ``HUB_MAIL_FROM`` is a bare address, and every mail's last
line (in English, the hub's English name: the same message of the catalog as the pages' footer)."""

Say = Callable[..., str]
"""A message written in Japanese, in the language it is said in: ``flask_babel.gettext`` for the
hub's mails, :func:`as_written` (Japanese) for the deliveries' mails."""


def as_written(text: str, **values: object) -> str:
    """A message as written, in Japanese, its values put in (as ``gettext`` puts them)."""
    return text % values if values else text


def automatic(_: Say = as_written) -> str:
    """The line that says a mail was sent by the system."""
    return _("このメールはシステムから自動送信されています。")


AUTOMATIC = automatic()


def closing(settings: Settings, *, note: str = "", _: Say = as_written) -> list[str]:
    """The closing lines every mail ends with, written once: sent by the system (``note`` added,
    such as 「行き違いの場合はご容赦ください。」), whom to ask or to tell to stop — the
    ``HUB_MAIL_REPLY_TO`` address when set —, and the sender; in Japanese, or said by ``_`` (the
    English part of a mail to readers of whom some chose English ends with them in English)."""
    reply_to = settings.mail_reply_to and parseaddr(settings.mail_reply_to)[1]
    ask = (
        _("ご不明な点、宛先の変更や配信の停止は %(address)s までご連絡ください。", address=reply_to)
        if reply_to
        else _("ご不明な点、宛先の変更や配信の停止は、東京都の担当者にご連絡ください。")
    )
    return ["", automatic(_) + note, ask, "", _(SENDER_NAME)]


def build_message(
    *,
    sender: str,
    to: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[DeliveryFile] = (),
    reply_to: str | None = None,
) -> EmailMessage:
    """One message as a Japanese office's mail program reads it: the sender named (Japanese
    names RFC 2047-encoded by ``EmailMessage``), the date in Tokyo's time, marked as sent by a
    machine (``Auto-Submitted``, RFC 3834; ``X-Auto-Response-Suppress`` for Exchange) so that
    不在通知 do not come back, and a UTF-8 body in base64, which every relay passes unchanged
    (no 8-bit text, no line over 76 characters)."""
    name, address = parseaddr(sender)
    message = EmailMessage()
    message["From"] = sender if name else formataddr((SENDER_NAME, address))
    message["To"] = ", ".join(to)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = subject
    message["Date"] = email_date(in_tokyo(datetime.now(UTC)))
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "OOF, AutoReply"  # not NDR: a bounce still comes back
    message.set_content(body, charset="utf-8", cte="base64")
    for item in attachments:
        kind, _, parameters = item.media_type.partition(";")
        maintype, _, subtype = kind.strip().partition("/")
        params = dict(p.strip().split("=", 1) for p in parameters.split(";") if "=" in p)
        message.add_attachment(
            item.content,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=item.name,
            params=params,
        )
    return message


def send_mail(
    settings: Settings,
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[DeliveryFile] = (),
) -> dict[str, str]:
    """Send one message through ``HUB_SMTP_URL``; raise ``ChannelError`` when it does not go;
    the addresses the server refused while it took the others, with its replies
    (:meth:`MailSession.send`)."""
    with MailSession(settings) as session:
        return session.send(to=to, subject=subject, body=body, attachments=attachments)


class MailServerUnavailable(ChannelError):
    """The mail server could not be reached, refused the login or went away: the messages after
    this one would fail the same way, so a batch stops here instead of waiting on each."""


class MailSession:
    """Several messages over one connection and one login, as a batch of reminders needs:
    connecting (TLS and login included) is most of what one message costs.

    A relay may close a connection after so many messages (``421``, or simply hanging up); the
    session then connects again once and sends that message on the new connection. Any other
    failure of a message drops the connection, so that the next message starts clean."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._server: SmtpServer | None = None
        self._smtp: smtplib.SMTP | None = None
        self._sent_on_connection = 0

    @property
    def server(self) -> SmtpServer:
        """``HUB_SMTP_URL``'s server; when it is unset or malformed no message can go."""
        if self._server is None:
            if not self.settings.smtp_url:
                raise MailServerUnavailable.saying("smtp_url_unset", permanent=True)
            try:
                self._server = SmtpServer.parse(self.settings.smtp_url)
            except ChannelError as exc:
                raise MailServerUnavailable(
                    exc.message, permanent=True, says=exc.says, params=exc.params
                ) from None
        return self._server

    def __enter__(self) -> MailSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def send(
        self,
        *,
        to: Sequence[str],
        subject: str,
        body: str,
        attachments: Sequence[DeliveryFile] = (),
    ) -> dict[str, str]:
        """Send one message; ``MailServerUnavailable`` when the server cannot be used at all,
        ``ChannelError`` when only this message was refused (every address refused among them).
        The addresses the server refused while it took the message for the others, each with
        the server's reply (``550 5.1.1 …``): the message went, but not to them."""
        self.server  # noqa: B018 -- unset or malformed: say so before anything else
        if not to:
            raise ChannelError.saying("no_addresses", permanent=True)
        message = build_message(
            sender=self.settings.mail_from,
            to=to,
            subject=subject,
            body=body,
            attachments=attachments,
            reply_to=self.settings.mail_reply_to,
        )
        try:
            return self._send(message)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException):
            self.close()  # a reused connection the relay closed: once more on a new one
            return self._send(message)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None
        self._sent_on_connection = 0

    def _send(self, message: EmailMessage) -> dict[str, str]:
        """One attempt. Only a reused connection that the server closed is raised as smtplib's
        own exception, for :meth:`send` to try again; every other failure is final here."""
        smtp = self._connection()
        try:
            refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise ChannelError.saying(
                "addresses_refused",
                for_log=f"宛先{len(exc.recipients)}件が受け付けられませんでした",
                addresses=list(exc.recipients),
                replies=replies(exc.recipients),
            ) from None
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException) as exc:
            if self._sent_on_connection and self._went_away(exc):
                raise
            self.close()
            raise (self._unavailable(exc) if self._went_away(exc) else self._refused(exc)) from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise self._unavailable(exc) from None
        self._sent_on_connection += 1
        return replies(refused)

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            try:
                smtp = _connect(self.server)
                if self.server.username:
                    smtp.login(self.server.username, self.server.password or "")
            except (smtplib.SMTPException, OSError) as exc:
                raise self._unavailable(exc) from None
            self._smtp, self._sent_on_connection = smtp, 0
        return self._smtp

    @staticmethod
    def _went_away(exc: Exception) -> bool:
        return isinstance(exc, smtplib.SMTPServerDisconnected) or (
            isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code == 421
        )

    def _failure(self, says: type[ChannelError], exc: Exception) -> ChannelError:
        """``exc`` said of the server, with what it or the library said (password hidden)."""
        return says.saying(
            "mail_server_failed",
            server=f"{self.server.host}:{self.server.port}",
            reason=self.server.hide_password(str(exc)),
        )

    def _unavailable(self, exc: Exception) -> ChannelError:
        return self._failure(MailServerUnavailable, exc)

    def _refused(self, exc: Exception) -> ChannelError:
        return self._failure(ChannelError, exc)


def replies(refused: Mapping[str, tuple[int, bytes]]) -> dict[str, str]:
    """smtplib's refused addresses (address → code and reply) as address → the reply as the
    server said it: ``550 5.1.1 no such user``."""
    return {
        address: f"{code} {reply.decode('utf-8', 'replace') if isinstance(reply, bytes) else reply}"
        for address, (code, reply) in refused.items()
    }


def _connect(server: SmtpServer) -> smtplib.SMTP:
    if server.scheme == "smtps":
        return smtplib.SMTP_SSL(
            server.host, server.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
    if server.scheme == "smtp+starttls":
        smtp.starttls(context=ssl.create_default_context())
    return smtp


def send(parcel: Parcel, settings: Settings) -> Went:
    """Mail the parcel's files (and manifest) to the recipient's address(es): ``mailto:`` those
    that took it, and those the server refused while it took the others, with its replies."""
    to = addresses(parcel.address)
    if not to:
        raise ChannelError.saying(
            "no_recipient_address", permanent=True, recipient=parcel.recipient_title
        )
    refused = send_mail(
        settings,
        to=to,
        subject=delivery_subject(parcel),
        body=delivery_body(parcel, settings),
        attachments=(*parcel.files, parcel.manifest_file()),
    )
    return Went("mailto:" + ",".join(a for a in to if a not in refused), refused)


def delivery_subject(parcel: Parcel) -> str:
    marker = "【訂正版】" if parcel.correction_of else ""
    return f"{marker}再犯防止 連携調査ハブ: {parcel.round_title} 集計データ（{parcel.recipient_title}）"


def delivery_body(parcel: Parcel, settings: Settings) -> str:
    lines = [
        f"{parcel.recipient_title} 御中",
        "",
        f"東京都 再犯防止 連携調査ハブから「{parcel.round_title}」の集計データをお送りします。",
        f"作成日時: {format_datetime(parcel.created_at)}（日本時間）",
        f"配信ID: {parcel.delivery_id}",
    ]
    if parcel.correction_of:
        lines += [
            "",
            f"これは配信 {parcel.correction_of} の訂正版です。変更のあった表:",
            *(f"  - {title}" for title in (parcel.changes or {}).get("titles", [])),
        ]
    lines += ["", "添付ファイル（SHA-256）:"]
    lines += [f"  {f.name}  {f.size} bytes  {f.sha256}" for f in parcel.files]
    lines += closing(settings)
    return "\n".join(lines) + "\n"
