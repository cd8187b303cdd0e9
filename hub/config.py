"""One frozen, typed settings object, read from ``HUB_*`` environment variables at start.

A wrong setting fails when the hub starts, with a message naming the variable, not later in a
request or a scheduled job.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from email.utils import getaddresses
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from forms.tokyo import LONGEST_CLOSURE, NATIONAL, OFFICE_OPENS, TIMEZONE, OfficeDays, closed_day
from hub.crypto import DataKeyError, DataKeys, load_or_create

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def N_(text: str) -> str:
    """Marks ``text`` as a message of the hub's catalog (for the extractor) without translating
    it: the settings are read before any app or language exists."""
    return text


class ConfigError(ValueError):
    """A setting is missing or malformed. ``message`` is the Japanese text naming the variable —
    the msgid of the hub's catalog, ``%(name)s`` placeholders filled from ``values`` — so that
    the entry points (the ``hub`` command, ``wsgi.py``, ``hub serve``'s workers) say it in their
    language (:meth:`worded`); ``str()`` is the Japanese."""

    def __init__(self, message: str, **values: Any) -> None:
        self.message = message
        self.values = values
        super().__init__(self.worded())

    def worded(self, gettext: Callable[[str], str] | None = None) -> str:
        """The message through ``gettext`` (a catalog's; none: the Japanese), values put in."""
        said = gettext(self.message) if gettext is not None else self.message
        return said % self.values if self.values else said


@dataclass(frozen=True)
class Settings:
    instance_dir: Path
    database_url: str
    secret_key: str
    port: int = 5000
    outbox_dir: Path = Path("instance/outbox")
    delivery_copies_dir: Path = Path("instance/delivery-copies")
    """Where the hub keeps a copy of what it sent by mail or HTTPS, for the counterpart to download
    again (``HUB_DELIVERY_COPIES_DIR``; ``<recipient>/<delivery-id>/`` as in the outbox)."""
    delivery_copy_days: int = 90
    """How long those copies are kept after they were sent (``HUB_DELIVERY_COPY_DAYS``); the
    hourly housekeeping removes older ones."""
    smtp_url: str | None = None
    mail_from: str = "saihan-hub@localhost"
    """The sender of every mail (``HUB_MAIL_FROM``): an address, or ``名前 <address>``; a bare
    address is shown with the hub's name (``exports/channels/smtp.py::SENDER_NAME``)."""
    mail_reply_to: str | None = None
    """Whom the readers of a mail may write to (``HUB_MAIL_REPLY_TO``: the 担当's shared
    address): the mails' Reply-To, and named in their closing lines."""
    testing: bool = False
    max_upload_bytes: int = 5 * 1024 * 1024
    default_locale: str = "ja"
    timezone: str = TIMEZONE
    run_scheduler: bool = False
    demo: bool = False
    behind_proxy: bool = False
    """Trust one reverse proxy's X-Forwarded-For/-Proto/-Host/-Port (``HUB_BEHIND_PROXY``)."""
    secure_cookies: bool = False
    """Session cookies only over HTTPS (``HUB_SECURE_COOKIES``; on by default behind a proxy)."""
    data_keys: DataKeys | None = field(default=None, repr=False)
    """The AES-GCM keys of personal fields (``HUB_DATA_KEY``, or ``instance/data_key``)."""
    public_url: str = "http://127.0.0.1:5000"
    """The hub's address as users reach it, for links in e-mails (``HUB_PUBLIC_URL``)."""
    referral_retention_days: int = 365
    """Personal fields of referrals closed longer ago are erased (``HUB_REFERRAL_RETENTION_DAYS``)."""
    min_responses_shared: int = 3
    """Below this many submitted responses a round's summary is not shown to respondents or
    counterparts nor delivered: it would be one municipality's unpublished answer
    (``HUB_MIN_RESPONSES``; staff see everything)."""
    office_days: OfficeDays = NATIONAL
    """When the offices are open (``HUB_OFFICE_OPENS``, ``HUB_CLOSED_DAYS``): the scheduler's own
    mails wait for them, deadlines on other days are warned of, working days count them."""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def flask_config(self) -> dict[str, Any]:
        return {
            "SECRET_KEY": self.secret_key,
            "TESTING": self.testing,
            "MAX_CONTENT_LENGTH": self.max_upload_bytes,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "REMEMBER_COOKIE_SECURE": self.secure_cookies,
            "BABEL_DEFAULT_LOCALE": self.default_locale,
            "BABEL_DEFAULT_TIMEZONE": self.timezone,
            "API_TITLE": "再犯防止 連携調査ハブ API",
            "API_VERSION": "v1",
            "OPENAPI_VERSION": "3.0.3",
            "OPENAPI_URL_PREFIX": "/api/v1",
            "OPENAPI_JSON_PATH": "openapi.json",
            "API_SPEC_OPTIONS": {"security": [{"bearerAuth": []}]},
            "WTF_CSRF_TIME_LIMIT": None,
            **self.extra,
        }


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(
            N_("%(name)s は整数で指定してください: %(value)s"), name=name, value=repr(raw)
        ) from None
    if not low <= value <= high:
        raise ConfigError(
            N_("%(name)s は %(low)s〜%(high)s の数で指定してください: %(value)s"),
            name=name,
            low=low,
            high=high,
            value=value,
        )
    return value


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise ConfigError(
        N_("%(name)s は 1/true/yes/on か 0/false/no/off で指定してください: %(value)s"),
        name=name,
        value=repr(env.get(name)),
    )


DATABASE_URL_SHAPES = {
    "postgresql": "postgresql://user[:password]@host[:port]/database",
    "sqlite": "sqlite:////path/hub.sqlite3",
}
DATABASE_DRIVERS = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg"}
"""The schemes written without the driver, and the driver the hub installs (psycopg 3)."""
KNOWN_DRIVERS = frozenset({"postgresql+psycopg", "sqlite", "sqlite+pysqlite"})


def _database_url(env: Mapping[str, str], instance_dir: Path) -> str:
    """The database URL; a mistyped scheme, driver or port is named here, at start, never
    repeating the URL (it may hold a password)."""
    url = env.get("HUB_DATABASE_URL") or f"sqlite:///{instance_dir / 'hub.sqlite3'}"
    try:
        parsed = make_url(url)
        _port = parsed.port
    except (ArgumentError, ValueError):
        raise ConfigError(
            N_(
                "HUB_DATABASE_URL がデータベースの URL として読めません。"
                "%(postgresql)s か %(sqlite)s の形で指定してください。"
            ),
            **DATABASE_URL_SHAPES,
        ) from None
    if "@" in (parsed.host or ""):
        # pa@ss read as the password "pa" and the host "ss@db…": the connection's error would
        # print the host, the password's end with it
        raise ConfigError(
            N_(
                "HUB_DATABASE_URL のユーザー名かパスワードに「@」があります。URL の中では「@」を"
                "%(encoded)s と書いてください（例: パスワード pa@ss は %(example)s）。"
            ),
            encoded="%40",
            example="pa%40ss",
        )
    scheme = parsed.drivername
    if scheme in DATABASE_DRIVERS:
        return DATABASE_DRIVERS[scheme] + url[len(scheme) :]
    if scheme not in KNOWN_DRIVERS:
        raise ConfigError(
            N_(
                "HUB_DATABASE_URL は postgresql:// か sqlite:// の URL で指定してください: %(scheme)s"
            ),
            scheme=repr(scheme),
        )
    return url


SECRET_KEY_LENGTH = 32


def _secret_key(env: Mapping[str, str], instance_dir: Path) -> str:
    key = env.get("HUB_SECRET_KEY")
    if key:
        if len(key) < SECRET_KEY_LENGTH:
            raise ConfigError(
                N_("HUB_SECRET_KEY は %(length)s 文字以上で指定してください。"),
                length=SECRET_KEY_LENGTH,
            )
        return key
    path = instance_dir / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        kept = path.read_text().strip()
        if len(kept) < SECRET_KEY_LENGTH:
            raise ConfigError(
                N_(
                    "%(path)s（生成した HUB_SECRET_KEY）が %(length)s 文字より短くなっています。"
                    "削除すると新しい鍵が生成されます。"
                ),
                path=str(path),
                length=SECRET_KEY_LENGTH,
            ) from None
        return kept
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def _public_url(env: Mapping[str, str]) -> str:
    port = _int(env, "HUB_PORT", 5000, 1, 65535)
    url = (env.get("HUB_PUBLIC_URL") or f"http://127.0.0.1:{port}").rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            N_("HUB_PUBLIC_URL は %(shape)s の形で指定してください。"),
            shape="https://hub.example.lg.jp[/path]",
        )
    return url


def _data_keys(env: Mapping[str, str], instance_dir: Path) -> DataKeys:
    try:
        return load_or_create(env.get("HUB_DATA_KEY") or None, instance_dir)
    except DataKeyError as exc:
        raise ConfigError(exc.message, **exc.values) from None


def _mail_address(env: Mapping[str, str], name: str) -> str | None:
    """An address for a mail header: ``someone@example.lg.jp`` or ``東京都 福祉局 <someone@…>``."""
    value = (env.get(name) or "").strip()
    if not value:
        return None
    found = getaddresses([value])
    address = found[0][1] if len(found) == 1 else ""
    local, _at, domain = address.rpartition("@")
    if not local or not domain or any(c in address for c in " <>,;"):
        raise ConfigError(
            N_(
                "%(name)s はメールアドレスか、名前とメールアドレス（%(example)s）で"
                "指定してください。"
            ),
            name=name,
            example="東京都 福祉局 <hub@example.lg.jp>",
        )
    return value


def _smtp_url(env: Mapping[str, str]) -> str | None:
    """The mail server URL, which must name a host (and a numeric port, if any).

    The messages never repeat the URL: it may hold a password.
    """
    url = env.get("HUB_SMTP_URL") or None
    if url is None:
        return None
    shape = {"shape": "smtp://[user:password@]host[:port]", "others": "smtps://, smtp+starttls://"}
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port
    except ValueError:
        raise ConfigError(
            N_(
                "HUB_SMTP_URL が URL として読めません。%(shape)s の形で指定してください"
                "（%(others)s も使えます）。"
            ),
            **shape,
        ) from None
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls"):
        raise ConfigError(
            N_("HUB_SMTP_URL は %(shape)s の形で指定してください（%(others)s も使えます）。"),
            **shape,
        )
    if not host:
        raise ConfigError(
            N_(
                "HUB_SMTP_URL にメールサーバーのホスト名がありません。%(shape)s の形で"
                "指定してください（%(others)s も使えます）。"
            ),
            **shape,
        )
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise ConfigError(
            N_(
                "HUB_SMTP_URL の host:port の後に文字があります。パスワードの /、?、# は"
                "パーセントエンコードしてください。"
            )
        )
    return url


def _office_opens(env: Mapping[str, str]) -> time:
    """``HUB_OFFICE_OPENS``: when the offices open, ``08:30`` (:data:`forms.tokyo.OFFICE_OPENS`)
    unless set."""
    raw = (env.get("HUB_OFFICE_OPENS") or "").strip()
    if not raw:
        return OFFICE_OPENS
    found = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", raw)
    if found is None or int(found.group(1)) > 23 or int(found.group(2)) > 59:
        raise ConfigError(
            N_("HUB_OFFICE_OPENS は東京の時刻を HH:MM（08:30）で指定してください: %(value)s"),
            value=repr(raw),
        )
    return time(int(found.group(1)), int(found.group(2)))


def _closed_days(env: Mapping[str, str], opens: time) -> OfficeDays:
    """``HUB_CLOSED_DAYS``: the days 都 closes its offices on besides the national calendar, as
    ``YYYY-MM-DD`` separated by commas or spaces; none may make the offices closed more than
    :data:`forms.tokyo.LONGEST_CLOSURE` days in a row (the reminders look no further ahead)."""
    days = set()
    for word in re.split(r"[\s,、]+", (env.get("HUB_CLOSED_DAYS") or "").strip()):
        if not word:
            continue
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", word):
                raise ValueError(word)
            days.add(date.fromisoformat(word))
        except ValueError:
            raise ConfigError(
                N_(
                    "HUB_CLOSED_DAYS は日付を YYYY-MM-DD で、カンマで区切って指定してください"
                    "（2027-08-13,2027-08-14）: %(value)s"
                ),
                value=repr(word),
            ) from None
    office = OfficeDays(opens=opens, closed=frozenset(days))
    for day in sorted(days):
        first = last = day
        while closed_day(first - timedelta(days=1), office) is not None:
            first -= timedelta(days=1)
        while closed_day(last + timedelta(days=1), office) is not None:
            last += timedelta(days=1)
        if (last - first).days + 1 > LONGEST_CLOSURE:
            raise ConfigError(
                N_(
                    "HUB_CLOSED_DAYS では %(first)s から %(last)s まで閉庁日が %(days)s 日を"
                    "超えて続きます。ハブのリマインドはそれより先を見ません。"
                ),
                first=first.isoformat(),
                last=last.isoformat(),
                days=LONGEST_CLOSURE,
            )
    return office


def office_days() -> OfficeDays:
    """The running hub's office days (``Settings.office_days``): what every service hands to
    :mod:`forms.tokyo`'s ``is_office_day``, ``office_open``, ``closed_day`` …; outside a running
    hub (no app context: a calculation on its own), the national calendar."""
    if not has_app_context():
        return NATIONAL
    settings: Settings = current_app.extensions["hub_settings"]
    return settings.office_days


def _instance_file_problem(exc: OSError, variable: str) -> ConfigError:
    """A key file under the instance folder that cannot be made or read (an unwritable folder)."""
    return ConfigError(
        N_(
            "%(file)s: %(problem)s。ハブを動かすユーザーが HUB_INSTANCE_DIR に書き込めるように"
            "してください（または %(variable)s を指定してください）。"
        ),
        file=str(exc.filename),
        problem=exc.strerror,
        variable=variable,
    )


def _default_instance_dir() -> Path:
    """``instance/`` beside the code: the checkout's (``make run``, a clone, an editable install).
    A release installed into a virtual environment has no checkout around its code: there the
    folder would be inside ``site-packages``, and the data key, the secret key, the SQLite
    database and the backups would go with the next fresh virtual environment — so a new
    installation must name its folder. One an earlier release already made there is used."""
    beside = PROJECT_ROOT / "instance"
    if (PROJECT_ROOT / "pyproject.toml").is_file() or beside.is_dir():
        return beside
    raise ConfigError(
        N_(
            "HUB_INSTANCE_DIR を指定してください（例: HUB_INSTANCE_DIR=/var/lib/hub）。"
            "インストールしたハブの既定のフォルダー %(path)s は仮想環境の中にあり、データの鍵や"
            "バックアップが仮想環境を作り直すと失われます。"
        ),
        path=str(beside),
    )


def load_settings(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read and validate the settings; raise ``ConfigError`` naming the bad variable."""
    env = os.environ if env is None else env
    instance_dir = Path(env.get("HUB_INSTANCE_DIR") or _default_instance_dir()).resolve()
    try:
        instance_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            N_("HUB_INSTANCE_DIR の %(path)s をフォルダーにできません: %(problem)s"),
            path=str(instance_dir),
            problem=exc.strerror,
        ) from None
    behind_proxy = _bool(env, "HUB_BEHIND_PROXY", False)
    try:
        secret_key = _secret_key(env, instance_dir)
    except OSError as exc:
        raise _instance_file_problem(exc, "HUB_SECRET_KEY") from None
    try:
        data_keys = _data_keys(env, instance_dir)
    except OSError as exc:
        raise _instance_file_problem(exc, "HUB_DATA_KEY") from None
    settings = Settings(
        instance_dir=instance_dir,
        database_url=_database_url(env, instance_dir),
        secret_key=secret_key,
        port=_int(env, "HUB_PORT", 5000, 1, 65535),
        outbox_dir=Path(env.get("HUB_OUTBOX_DIR") or instance_dir / "outbox").resolve(),
        delivery_copies_dir=Path(
            env.get("HUB_DELIVERY_COPIES_DIR") or instance_dir / "delivery-copies"
        ).resolve(),
        delivery_copy_days=_int(env, "HUB_DELIVERY_COPY_DAYS", 90, 1, 36500),
        smtp_url=_smtp_url(env),
        mail_from=_mail_address(env, "HUB_MAIL_FROM") or "saihan-hub@localhost",
        mail_reply_to=_mail_address(env, "HUB_MAIL_REPLY_TO"),
        max_upload_bytes=_int(
            env, "HUB_MAX_UPLOAD_BYTES", 5 * 1024 * 1024, 1024, 100 * 1024 * 1024
        ),
        behind_proxy=behind_proxy,
        secure_cookies=_bool(env, "HUB_SECURE_COOKIES", behind_proxy),
        data_keys=data_keys,
        public_url=_public_url(env),
        referral_retention_days=_int(env, "HUB_REFERRAL_RETENTION_DAYS", 365, 0, 36500),
        min_responses_shared=_int(env, "HUB_MIN_RESPONSES", 3, 1, 10000),
        office_days=_closed_days(env, _office_opens(env)),
    )
    return settings.with_(**overrides) if overrides else settings
