"""Accounts, passwords (argon2id) and API tokens (only their SHA-256 is stored).

An administrator manages accounts but reads no survey data, so never holds a working credential
of anyone else: a token is minted only by the account it belongs to (an administrator may revoke
any), and an administrator's password reset mails a temporary password to the account's own
address, which must be replaced at the next login (``User.must_change_password``)."""

from __future__ import annotations

import base64
import binascii
import contextlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from exports.channels import ChannelError
from exports.channels.smtp import send_mail
from forms import tokyo
from forms.normalize import (
    InvalidValue,
    clean_text,
    fold_text,
    normalize_email,
    normalize_phone,
    same_ke,
    search_key,
)
from hub.auth.passwords import guessability_problems, typed_in_full_width
from hub.auth.tokens import TOKEN_PREFIX, new_token, token_hash
from hub.crypto import DataKeyError, DataKeys
from hub.db import MAX_ID, db, searchable, utcnow
from hub.errors import Conflict, Forbidden, Invalid, NotFound
from hub.models import (
    ROLE_LABELS,
    TOKEN_DESCRIPTION_LENGTH,
    ApiToken,
    Municipality,
    Recipient,
    Role,
    User,
)
from hub.services import audit
from hub.services.mails import closing, in_language, link, reads_english, with_english
from hub.services.municipalities import municipality_typed
from hub.services.paging import Page, page_of

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 12
MIN_MAILBOX_CHECKED = 3
"""Shorter mailbox names (``r@…``) occur by chance in good passwords; they are not checked."""
TEMPORARY_PASSWORD_LIFETIME = timedelta(hours=72)
"""How long a password that must be changed (an administrator's reset or a new account's first
password) signs in; after that an administrator resets it again."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


@cache
def _unknown_account_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


class AccountUnusable(Exception):
    """The password was right but the account cannot sign in: deactivated, or its temporary
    password has expired. Said only to someone who typed the right password (which is all it
    tells), so that they ask an administrator instead of trying again until they are locked out."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail address and password, or ``None``.

    An unknown address costs the same argon2 verification as a known one, so the time a
    failed login takes does not tell an attacker which addresses have accounts. Raises
    :class:`AccountUnusable` for the right password of a deactivated account or an expired
    temporary one.
    """
    user = find_by_email(email)
    if user is None:
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher.verify(_unknown_account_hash(), password)
        return None
    if not verify_password(user, password):
        return None
    if not user.active:
        raise AccountUnusable(
            _("このアカウントは無効化されています。システム管理者に問い合わせてください。")
        )
    if user.must_change_password and _temporary_password_expired(user):
        hours = int(TEMPORARY_PASSWORD_LIFETIME.total_seconds() // 3600)
        raise AccountUnusable(
            _(
                "仮パスワードの有効期限（%(hours)s時間）が切れています。システム管理者に"
                "パスワードの再設定を依頼してください。",
                hours=hours,
            )
        )
    return user


def _temporary_password_expired(user: User) -> bool:
    changed = user.password_changed_at
    return changed is None or utcnow() - changed > TEMPORARY_PASSWORD_LIFETIME


def password_problems(password: str, email: str = "") -> list[str]:
    """Why a new password is not acceptable (empty when it is): too short or long, containing
    the mailbox name, or guessable (``hub.auth.passwords``: common, keyboard runs, repeats).
    A short one is told only its length: every other check is of the password one chooses once
    it is long enough (four different characters are too few only in a long one). One typed
    with the IME on (全角 letters or spaces) is refused first: the same keys typed later with the
    IME off would not sign in."""
    if typed_in_full_width(password):
        return [
            _(
                "パスワードに全角の英数字・記号・空白が含まれています。入力モードを半角英数に"
                "してから入力してください。"
            )
        ]
    if len(password) < MIN_PASSWORD_LENGTH:
        return [_("パスワードは%(length)s文字以上にしてください。", length=MIN_PASSWORD_LENGTH)]
    problems = []
    if len(password) > 256:
        problems.append(_("パスワードは256文字以内にしてください。"))
    mailbox = email.split("@")[0].casefold()
    if len(mailbox) >= MIN_MAILBOX_CHECKED and mailbox in password.casefold():
        problems.append(_("メールアドレスを含むパスワードは使えません。"))
    if len(set(password)) < 4:
        problems.append(_("同じ文字の繰り返しが多すぎます。"))
    elif len(password) <= 256:
        problems.extend(guessability_problems(password))
    return problems


MUNICIPAL_ROLES = frozenset({Role.RESPONDENT, Role.WINDOW})
"""Roles bound to one municipality (a respondent answers for it, a window receives its referrals)."""


def email_key(email: str) -> str:
    """How an account is looked up by what was typed: 全角 (an IME left on), outer spaces and
    case do not matter (addresses are stored as :func:`~forms.normalize.normalize_email` reads
    them, so folding the typed text finds the account it names)."""
    return fold_text(email).lower()


def _role_of(typed: str) -> str:
    """A role as typed (ｓｔａｆｆ, Staff) as its code."""
    return fold_text(typed or "").lower()


def takes_municipality(role: str) -> bool:
    """Whether an account of ``role`` (as typed) is bound to a municipality."""
    return _role_of(role) in MUNICIPAL_ROLES


def takes_recipient(role: str) -> bool:
    """Whether an account of ``role`` (as typed) is bound to a recipient."""
    return _role_of(role) == Role.COUNTERPART


def _role_problem(role: str) -> str | None:
    if role in {r.value for r in Role}:
        return None
    return _("役割は %(roles)s のいずれかです。", roles=", ".join(r.value for r in Role))


def _binding_errors(
    role: str, municipality_code: str | None, recipient_name: str | None
) -> dict[str, list[str]]:
    """What is wrong with binding an account of ``role`` to a municipality and a recipient, by
    field: respondents and windows need a municipality that exists today and others take none;
    counterparts need a registered recipient and others take none."""
    errors: dict[str, list[str]] = {}
    if role in MUNICIPAL_ROLES:
        if not municipality_code:
            errors["municipality"] = [
                _("回答者には自治体コードが必要です。")
                if role == Role.RESPONDENT
                else _("相談窓口（window）には自治体コードが必要です。")
            ]
        elif problem := _municipality_problem(municipality_code):
            errors["municipality"] = [problem]
    elif municipality_code:
        errors["municipality"] = [_not_municipal()]
    if role == Role.COUNTERPART:
        if not recipient_name:
            errors["recipient"] = [_("連携先（counterpart）には送付先名が必要です。")]
        elif db.session.get(Recipient, recipient_name) is None:
            known = db.session.scalars(select(Recipient).order_by(Recipient.name))
            errors["recipient"] = [
                _(
                    "送付先 %(name)s は登録されていません（登録されている送付先: %(names)s）。",
                    name=recipient_name,
                    names=_("、").join(f"{r.name}（{r.title}）" for r in known),
                )
            ]
    elif recipient_name:
        errors["recipient"] = [_("送付先を結び付けられるのは連携先（counterpart）だけです。")]
    return errors


def recipient_typed(typed: str) -> str:
    """The recipient an operator typed for a counterpart's account: its name (``moj``, any
    case or width) or its title as the pages show it (東京保護観察所); what names none comes back
    folded, to be refused with the names there are."""
    text = fold_text(typed)
    for recipient in db.session.scalars(select(Recipient)):
        if text.casefold() in (recipient.name.casefold(), fold_text(recipient.title).casefold()):
            return recipient.name
    return text


def _municipality_problem(code: str) -> str | None:
    """Why an account cannot be bound to the municipality ``code`` (``None`` when it can): it
    must exist today — one retired on a day still to come is offered until then, as on the
    admin page's list — so a respondent or window is not bound to a merged one."""
    municipality = db.session.get(Municipality, code)
    if municipality is None and not code.isdigit():
        named = sum(
            same_ke(name) == same_ke(code) for name in db.session.scalars(select(Municipality.name))
        )
        if named > 1:
            return _(
                "%(name)s という名前の区市町村が複数あります。団体コード（6桁）で指定してください。",
                name=code,
            )
        return _(
            "「%(typed)s」という区市町村はありません。団体コード（6桁、例: 132012）か名前（例: 八王子市）"
            "で指定してください。",
            typed=code,
        )
    if municipality is None:
        return _("自治体コード %(code)s は登録されていません。", code=code)
    if not municipality.existed_on(tokyo.today()):
        return _(
            "自治体コード %(code)s の区市町村は廃止されています。今ある区市町村を選んでください。",
            code=code,
        )
    return None


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email_key(email)))


def create_user(
    email: str,
    *,
    role: str,
    password: str,
    municipality_code: str | None = None,
    recipient_name: str | None = None,
    display_name: str = "",
    organisation: str = "",
    phone: str = "",
    actor: User | None = None,
    check_password: bool = True,
    must_change_password: bool = False,
) -> User:
    """A new account. ``must_change_password``: the first password is someone else's (the
    administrator who typed or was shown it); the user must choose their own at first login."""
    try:
        email = normalize_email(email)
    except InvalidValue as exc:
        raise Invalid({"email": [str(exc)]}) from exc
    if problem := _role_problem(role):
        raise Invalid({"role": [problem]})
    if municipality_code:
        municipality_code = municipality_typed(municipality_code)  # １３１０１６, 八王子市
    if recipient_name:
        recipient_name = recipient_typed(recipient_name)
    errors = _binding_errors(role, municipality_code, recipient_name)
    if check_password and (problems := password_problems(password, email)):
        errors["password"] = problems
    profile, profile_errors = read_profile(display_name, organisation, phone)
    errors.update(profile_errors)
    if errors:
        raise Invalid(errors)
    if (existing := find_by_email(email)) is not None:
        if not existing.active:
            raise Conflict(
                _(
                    "%(email)s は既に登録されていて、無効化されています。もう一度使うときは、"
                    "そのユーザーの画面で再有効化してください。",
                    email=email,
                )
            )
        raise Conflict(_("%(email)s は既に登録されています。", email=email))
    user = User(
        email=email,
        role=role,
        password_hash=hash_password(password),
        municipality_code=municipality_code if role in MUNICIPAL_ROLES else None,
        recipient_name=recipient_name if role == Role.COUNTERPART else None,
        **profile,
        password_changed_at=utcnow(),
        must_change_password=must_change_password,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user=actor, target=email, role=role)
    return user


PROFILE_LIMITS = {"display_name": 100, "organisation": 200}


def read_profile(
    display_name: str, organisation: str, phone: str
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """A person's name, organisation/department and work phone as typed (name and organisation
    keep their typography; the phone is read like the questionnaire's), or the problems by field.
    Nothing is shortened silently."""
    profile = {
        "display_name": clean_text(display_name or ""),
        "organisation": clean_text(organisation or ""),
        "phone": "",
    }
    errors: dict[str, list[str]] = {}
    for field, limit in PROFILE_LIMITS.items():
        if len(profile[field]) > limit:
            errors[field] = [
                _(
                    "%(limit)s文字以内で入力してください（現在%(count)s文字）。",
                    limit=limit,
                    count=len(profile[field]),
                )
            ]
    if (phone or "").strip():
        try:
            profile["phone"] = normalize_phone(phone)
        except InvalidValue as exc:
            errors["phone"] = [str(exc)]
    return profile, errors


def update_profile(
    user: User, *, display_name: str, organisation: str, phone: str, actor: User | None
) -> User:
    """Change how the person is named and reached (admin page, ``hub user set``); audited."""
    profile, errors = read_profile(display_name, organisation, phone)
    if errors:
        raise Invalid(errors)
    changed = sorted(k for k, v in profile.items() if getattr(user, k) != v)
    for key, value in profile.items():
        setattr(user, key, value)
    audit.record("user.profile", user=actor, target=user.email, changed=changed)
    db.session.flush()
    return user


def create_token(user: User, *, description: str = "", actor: User | None = None) -> str:
    """Create a token and return it; this is the only time the token itself exists.

    Only the account itself may mint one (``actor`` is ``None`` on the server's command line,
    whose operator has the database anyway): an administrator who could mint tokens for staff
    could read every answer through the API."""
    if actor is not None and actor.id != user.id:
        raise Forbidden(_("APIトークンを発行できるのは、そのアカウントの本人だけです。"))
    if not user.active:
        raise Conflict(_("%(email)s は無効化されています。", email=user.email))
    token = new_token()
    db.session.add(
        ApiToken(
            user_id=user.id,
            token_hash=token_hash(token),
            prefix=token[: len(TOKEN_PREFIX) + 4],
            description=clean_text(description)[:TOKEN_DESCRIPTION_LENGTH],
        )
    )
    db.session.flush()
    audit.record("token.create", user=actor, target=user.email)
    return token


def sealed_for_showing(secret: str, context: str) -> str:
    """``secret`` (a token just minted, a password just generated) sealed with the data key for
    ``context`` alone (who is shown what): what a page that makes one keeps in the session cookie
    (signed, not encrypted) for the page after its redirect, which shows it once; also a
    referral form's typing carried across a new sign-in (``hub.web.carried``)."""
    return base64.b64encode(_data_keys().seal(secret, context)).decode("ascii")


def opened_for_showing(kept: object, context: str) -> str | None:
    """The secret :func:`sealed_for_showing` kept for ``context``; ``None`` for anything else
    (nothing kept, another context's, or a data key changed meanwhile)."""
    if not isinstance(kept, str):
        return None
    try:
        return _data_keys().open(base64.b64decode(kept, validate=True), context)
    except (DataKeyError, binascii.Error):
        return None


def new_token_context(user: User) -> str:
    return f"account.new_token:{user.id}"


def _data_keys() -> DataKeys:
    keys: DataKeys | None = current_app.extensions["hub_settings"].data_keys
    if keys is None:
        raise RuntimeError("the hub has no data key (HUB_DATA_KEY)")
    return keys


def revoke_token(token_id: int, *, actor: User | None) -> ApiToken:
    """Revoke a token: its owner, an administrator or the command line may."""
    # a number no id can be (hub token revoke 99999999999) is no token, not a database error
    api_token = db.session.get(ApiToken, token_id) if 0 < token_id <= MAX_ID else None
    if api_token is None or not _may_revoke(actor, api_token):
        raise NotFound(_("トークンが見つかりません。"))
    if api_token.revoked_at is not None:
        raise Conflict(_("このトークンは既に無効です。"))
    _revoke(api_token, actor=actor)
    return api_token


def _revoke(api_token: ApiToken, *, actor: User | None) -> None:
    api_token.revoked_at = utcnow()
    audit.record("token.revoke", user=actor, target=api_token.user.email, prefix=api_token.prefix)


def _revoke_every_token(user: User, *, actor: User | None) -> None:
    """Revoke each token of ``user`` still in force, audited one by one as any revocation."""
    for api_token in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        _revoke(api_token, actor=actor)


def _may_revoke(actor: User | None, api_token: ApiToken) -> bool:
    return actor is None or actor.role == Role.ADMIN or actor.id == api_token.user_id


def _end_sessions(user: User) -> None:
    """Every session signed in before this point stops working (see ``User.get_id``)."""
    user.session_version += 1


def highest_session_version() -> int:
    """The highest session version of any account; 0 when the database has no accounts' table
    yet (an empty database a backup is restored into)."""
    try:
        return db.session.scalar(select(func.max(User.session_version))) or 0
    except (OperationalError, ProgrammingError):
        db.session.rollback()
        return 0


def end_every_session(above: int) -> int:
    """After a restore: every account's version is moved past ``above`` (the highest before the
    restore), so that no session cookie issued before — a sign-out or deactivation since the
    backup included, or an account since gone whose id comes again — signs anyone in. Plain SQL:
    the restored database may be an older release's, still to be migrated. Returns the accounts."""
    result = db.session.execute(
        text("UPDATE user_account SET session_version = session_version + :step"),
        {"step": above + 1},
    )
    return int(getattr(result, "rowcount", 0) or 0)


def log_out_everywhere(user: User) -> None:
    """Signing out ends the session for good: a copy of its cookie (a shared PC, a proxy log)
    stops working, and so does every other session of the account."""
    _end_sessions(user)
    audit.record("auth.logout", user=user, target=user.email)
    db.session.flush()


def deactivate(user: User, *, actor: User | None) -> User:
    """Sign the user out everywhere, refuse their logins from now on and revoke their API tokens
    (each revocation audited), so that a later :func:`reactivate` brings none of them back.
    Refused: one's own account, one already inactive, and the last active administrator."""
    if actor is not None and actor.id == user.id:
        raise Conflict(_("自分自身のアカウントは無効化できません。"))
    if not user.active:
        raise Conflict(_("%(email)s は既に無効化されています。", email=user.email))
    if user.role == Role.ADMIN and not _other_active_admins(user):
        # the page's administrator is always another one; the command line has none
        raise Conflict(
            _(
                "有効なシステム管理者はこのアカウントだけのため、無効化できません。"
                "先にほかのシステム管理者のアカウントを作成してください。"
            )
        )
    user.active = False
    _end_sessions(user)
    audit.record("user.deactivate", user=actor, target=user.email)
    _revoke_every_token(user, actor=actor)
    db.session.flush()
    return user


def reactivate(
    user: User,
    *,
    actor: User | None,
    municipality_code: str | None = None,
    temporary_password: str | None = None,
) -> User:
    """Undo a deactivation: the account signs in again, but with none of what it had.

    Its API tokens stay revoked (any still in force from before deactivation revoked them are
    revoked now), and its password is replaced by a temporary one that must be changed at the
    next login: mailed to the user as an administrator's reset does (``temporary_password``
    ``None``: the admin page), or the operator's (``hub user reactivate``). A respondent or
    window whose municipality was retired meanwhile needs ``municipality_code``, one that exists
    today. Raises ``Conflict`` for an active account or a mail that does not go (the caller
    rolls back: the account stays deactivated), ``Invalid`` for the municipality or password.
    """
    if user.active:
        raise Conflict(_("%(email)s は既に有効です。", email=user.email))
    wanted = municipality_typed(municipality_code) if municipality_code else None
    if user.role in MUNICIPAL_ROLES:
        problem = (
            _municipality_problem(wanted)
            if wanted
            else retired_meanwhile(user)
            if needs_new_municipality(user)
            else None
        )
        if problem:
            raise Invalid({"municipality": [problem]})
    elif wanted:
        raise Invalid({"municipality": [_not_municipal()]})
    if temporary_password is not None and (
        problems := password_problems(temporary_password, user.email)
    ):
        raise Invalid({"password": problems})
    if wanted and wanted != user.municipality_code:
        bind_municipality(user, wanted, actor=actor)
    user.active = True
    audit.record(
        "user.reactivate",
        user=actor,
        target=user.email,
        municipality_code=user.municipality_code,
    )
    _revoke_every_token(user, actor=actor)
    if temporary_password is None:
        _mail_temporary_password(user, actor=actor, reactivated=True)
    else:
        set_temporary_password(user, temporary_password)
    db.session.flush()
    return user


def needs_new_municipality(user: User) -> bool:
    """Whether ``user`` (deactivated) must be given another municipality to be reactivated: a
    respondent or window whose municipality was retired meanwhile."""
    return (
        user.role in MUNICIPAL_ROLES
        and user.municipality_code is not None
        and _municipality_problem(user.municipality_code) is not None
    )


def retired_meanwhile(user: User) -> str:
    """What a reactivation of such an account is told."""
    return _(
        "自治体コード %(code)s の区市町村は廃止されています。再有効化するには、"
        "今ある区市町村を選んでください。",
        code=user.municipality_code,
    )


def _not_municipal() -> str:
    return _("自治体を結び付けられるのは回答者（respondent）と相談窓口（window）だけです。")


def reset_password(user: User, *, actor: User | None) -> None:
    """An administrator's reset: a temporary password mailed to the user's own address (shown to
    nobody), to be replaced at the next login; every session of the account ends.

    Raises ``Conflict`` when the mail does not go (``HUB_SMTP_URL`` unset, server refusing); the
    caller rolls back, so the old password still works then.
    """
    if actor is not None and actor.id == user.id:
        raise Conflict(_("自分のパスワードは「パスワード変更」で変更してください。"))
    if not user.active:
        raise Conflict(_("%(email)s は無効化されています。", email=user.email))
    _mail_temporary_password(user, actor=actor)


def _mail_temporary_password(user: User, *, actor: User | None, reactivated: bool = False) -> None:
    """The administrator's reset itself (and a reactivation's): a new temporary password, every
    session ended, audited, and the mail sent; ``Conflict`` when it does not go."""
    temporary = secrets.token_urlsafe(12)
    _set_temporary_password(user, temporary)
    audit.record("user.reset_password", user=actor, target=user.email, delivered="mail")
    db.session.flush()
    subject, body = reset_message(user, temporary, reactivated=reactivated)
    try:
        send_mail(
            current_app.extensions["hub_settings"], to=[user.email], subject=subject, body=body
        )
    except ChannelError as exc:
        reason = exc.message.rstrip("。")
        raise Conflict(
            _(
                "仮パスワードのメールを送れなかったため、アカウントは再有効化していません"
                "（%(reason)s）。",
                reason=reason,
            )
            if reactivated
            else _(
                "仮パスワードのメールを送れなかったため、パスワードは再設定していません"
                "（%(reason)s）。",
                reason=reason,
            )
        ) from None


def set_temporary_password(user: User, password: str) -> None:
    """The command line's reset (``hub user reset-password``): the operator's temporary password,
    to be replaced at the next login."""
    if problems := password_problems(password, user.email):
        raise Invalid({"password": problems})
    _set_temporary_password(user, password)
    audit.record("user.reset_password", user=None, target=user.email, delivered="command line")
    db.session.flush()


def _set_temporary_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = True
    _end_sessions(user)


def reset_message(user: User, temporary: str, *, reactivated: bool = False) -> tuple[str, str]:
    """The Japanese subject and body of the mail that carries a temporary password (of a reset,
    or of a reactivated account), with English after the Japanese for a user who chose English
    (:func:`hub.services.mails.with_english`; the English from the catalog)."""
    with in_language(False):
        subject, body = _reset_mail(user, temporary, reactivated=reactivated)
    if not reads_english(user.locale):
        return subject, body
    with in_language(True):
        return with_english(subject, body, *_reset_mail_in_english(user, reactivated=reactivated))


def _reset_mail(user: User, temporary: str, *, reactivated: bool) -> tuple[str, str]:
    hours = int(TEMPORARY_PASSWORD_LIFETIME.total_seconds() // 3600)
    lines = [
        _("%(name)s 様", name=user.label),
        "",
        _what_was_reset(user, reactivated=reactivated),
        _("次の仮パスワードでログインし、表示される画面で新しいパスワードを決めてください。"),
        "",
        _("仮パスワード: %(password)s", password=temporary),
        "",
        _("ログイン画面:"),
        link("auth.login"),
        "",
        _("仮パスワードは%(hours)s時間有効です。", hours=hours)
        + _("新しいパスワードを決めるまで、ほかの画面は使えません。"),
        _("心当たりがない場合は、このメールを破棄し、管理者に連絡してください。"),
        *closing(),
    ]
    return _subject(_reset_subject(reactivated)), "\n".join(lines) + "\n"


def _reset_mail_in_english(user: User, *, reactivated: bool) -> tuple[str, str]:
    """The English after the Japanese (without the closing lines, which :func:`with_english`
    adds): shorter, as it follows the temporary password and the link, which it points to (the
    catalog's English of a line both parts share is worded for its place, after the Japanese)."""
    hours = int(TEMPORARY_PASSWORD_LIFETIME.total_seconds() // 3600)
    lines = [
        _what_was_reset(user, reactivated=reactivated),
        _("次の仮パスワードでログインし、表示される画面で新しいパスワードを決めてください。"),
        " ".join(
            [
                _("仮パスワードは%(hours)s時間有効です。", hours=hours),
                _("心当たりがない場合は、このメールを破棄し、管理者に連絡してください。"),
            ]
        ),
    ]
    return _reset_subject(reactivated), "\n".join(lines)


def _what_was_reset(user: User, *, reactivated: bool) -> str:
    if reactivated:
        return _(
            "管理者が、無効になっていた再犯防止 連携調査ハブのアカウント（%(email)s）を"
            "再び有効にしました。以前のパスワードとAPIトークンは使えません。",
            email=user.email,
        )
    return _(
        "管理者が、再犯防止 連携調査ハブのアカウント（%(email)s）のパスワードを再設定しました。",
        email=user.email,
    )


def _reset_subject(reactivated: bool) -> str:
    if reactivated:
        return _("アカウントが再び有効になりました")
    return _("パスワードが再設定されました")


def _subject(what: str) -> str:
    """A mail's Japanese subject: what happened, after the hub's name (the English subject,
    after the Japanese, says only what happened)."""
    return f"【再犯防止 連携調査ハブ】{what}"


def change_password(user: User, current: str, new: str) -> User:
    """The user's own change: the current password must be right and the new one acceptable."""
    errors: dict[str, list[str]] = {}
    if not verify_password(user, current):
        errors["current_password"] = [_("現在のパスワードが正しくありません。")]
    elif current == new:
        errors["new_password"] = [_("現在と異なるパスワードにしてください。")]
    elif problems := password_problems(new, user.email):
        errors["new_password"] = problems
    if errors:
        raise Invalid(errors)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    _end_sessions(user)
    audit.record("user.change_password", user=user, target=user.email)
    db.session.flush()
    return user


def bind_municipality(user: User, municipality_code: str, *, actor: User | None) -> User:
    """Bind a respondent to the one municipality whose responses they answer, or a window to the
    one whose referrals it receives."""
    if user.role not in MUNICIPAL_ROLES:
        raise Invalid({"municipality": [_not_municipal()]})
    if municipality_code != user.municipality_code and (
        problem := _municipality_problem(municipality_code)
    ):
        raise Invalid({"municipality": [problem]})
    before = user.municipality_code
    user.municipality_code = municipality_code
    if before != municipality_code:
        _end_sessions(user)
    audit.record(
        "user.bind_municipality",
        user=actor,
        target=user.email,
        municipality_code=municipality_code,
        before=before,
    )
    db.session.flush()
    return user


@dataclass(frozen=True)
class Binding:
    """What an account is and acts for: its role, and the municipality (respondents, windows) or
    the recipient (counterparts) bound to it."""

    role: str
    municipality_code: str | None = None
    recipient_name: str | None = None

    @classmethod
    def of(cls, user: User) -> Binding:
        return cls(user.role, user.municipality_code, user.recipient_name)


class Shown(Enum):
    """What a role change is given for a municipality or recipient it was not told of: the
    account's present one, as the page's form comes filled with it and as ``hub user set-role``
    keeps what it is not given."""

    PRESENT = "present"


PRESENT = Shown.PRESENT


def _asked(asked: str | Shown | None, present: str | None, taken: bool) -> str | None:
    """The municipality or recipient a role change binds: the present one (:data:`PRESENT`)
    stays when the new role takes one and is let go when it takes none (a respondent joining the
    都 office); one named is passed on as named, so that one named for a role that takes none is
    refused."""
    if asked is PRESENT:
        return present if taken else None
    return asked or None


def change_role(
    user: User,
    *,
    role: str,
    municipality_code: str | Shown | None = None,
    recipient_name: str | Shown | None = None,
    actor: User | None,
) -> Binding | None:
    """Give an active account another role, or bind it to another municipality or recipient (a
    respondent moved to the 都 office, a window to another municipality's window): what it made
    stays its own, but every session of it ends and every API token is revoked, as a deactivation
    does, so that nothing signed in for the old binding reads with the new one. Audited with the
    codes before and after. Returns the binding before, or ``None`` when nothing changes.

    Refused: an administrator's own account (another administrator changes it), the last active
    administrator losing the role, and what account creation refuses (a municipality only for
    respondents and windows, one that exists today; a recipient only for counterparts). The
    caller commits, then tells the user with :func:`tell_role_changed` and the one who changed it
    with :func:`let_go`. :data:`PRESENT` for the municipality or the recipient: the account's
    present one, kept or — when the new role takes none — let go."""
    if actor is not None and actor.id == user.id:
        raise Conflict(
            _("自分自身の役割は変更できません。ほかのシステム管理者に変更を依頼してください。")
        )
    if not user.active:
        raise Conflict(
            _(
                "%(email)s は無効化されています。役割を変更するときは、先に再有効化してください。",
                email=user.email,
            )
        )
    role = _role_of(role)
    if problem := _role_problem(role):
        raise Invalid({"role": [problem]})
    municipality_code = _asked(municipality_code, user.municipality_code, takes_municipality(role))
    recipient_name = _asked(recipient_name, user.recipient_name, takes_recipient(role))
    wanted = Binding(
        role,
        municipality_typed(municipality_code) if municipality_code else None,
        recipient_typed(recipient_name) if recipient_name else None,
    )
    before = Binding.of(user)
    if wanted == before:
        return None
    if errors := _binding_errors(role, wanted.municipality_code, wanted.recipient_name):
        raise Invalid(errors)
    if before.role == Role.ADMIN and role != Role.ADMIN and not _other_active_admins(user):
        raise Invalid(
            {
                "role": [
                    _(
                        "有効なシステム管理者はこのアカウントだけのため、役割を変更できません。"
                        "先にほかのシステム管理者のアカウントを作成してください。"
                    )
                ]
            }
        )
    user.role = wanted.role
    user.municipality_code = wanted.municipality_code
    user.recipient_name = wanted.recipient_name
    _end_sessions(user)
    # codes only, each said when there is one (the new municipality is the event's own)
    bound: dict[str, Any] = {
        "municipality_before": before.municipality_code,
        "recipient": wanted.recipient_name,
        "recipient_before": before.recipient_name,
    }
    audit.record(
        "user.change_role",
        user=actor,
        target=user.email,
        municipality_code=wanted.municipality_code,
        role=wanted.role,
        role_before=before.role,
        **{key: value for key, value in bound.items() if value},
    )
    _revoke_every_token(user, actor=actor)
    db.session.flush()
    return before


def let_go(before: Binding, user: User) -> str | None:
    """What a role change let go, for whoever made it (``None``: nothing): the municipality or
    the recipient of the account's former role, which its new role does not take."""
    after = Binding.of(user)
    words = []
    if before.municipality_code and not after.municipality_code:
        municipality = db.session.get(Municipality, before.municipality_code)
        english = str(get_locale() or "ja") == "en"
        name = municipality.name_for(english=english) if municipality is not None else ""
        words.append(
            _(
                "区市町村 %(name)s（%(code)s）との結び付きを外しました。",
                name=name,
                code=before.municipality_code,
            )
        )
    if before.recipient_name and not after.recipient_name:
        words.append(_("送付先 %(name)s との結び付きを外しました。", name=before.recipient_name))
    return " ".join(words) or None


def _other_active_admins(user: User) -> int:
    """The active administrators besides ``user``, their rows locked (PostgreSQL) until the
    caller commits, so that two administrators taking the role from each other at once do not
    leave none."""
    others = db.session.scalars(
        select(User.id)
        .where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)
        .with_for_update()
    ).all()
    return len(others)


def tell_role_changed(user: User, before: Binding) -> str | None:
    """Mail ``user`` that an administrator changed their role or municipality and that they sign
    in again (after the change is committed: a change rolled back tells nobody). ``None`` when it
    went, else why not, for the administrator to tell the user another way; the change stands."""
    if not current_app.extensions["hub_settings"].smtp_url:
        return _("メール送信（HUB_SMTP_URL）が設定されていません。")
    subject, body = role_change_message(user, before)
    try:
        send_mail(
            current_app.extensions["hub_settings"], to=[user.email], subject=subject, body=body
        )
    except ChannelError as exc:
        return exc.message
    return None


def role_change_message(user: User, before: Binding) -> tuple[str, str]:
    """The Japanese subject and body of the mail :func:`tell_role_changed` sends, with English
    after the Japanese for a user who chose English (as :func:`reset_message`)."""
    after = Binding.of(user)
    with in_language(False):
        subject, body = _role_change_mail(user, before, after)
    if not reads_english(user.locale):
        return subject, body
    with in_language(True):
        return with_english(subject, body, *_role_change_mail_in_english(user, before, after))


def _role_change_mail(user: User, before: Binding, after: Binding) -> tuple[str, str]:
    lines = [
        _("%(name)s 様", name=user.label),
        "",
        _what_role_changed(user),
        "",
        _("変更前: %(binding)s", binding=_binding_words(before, "ja")),
        _("変更後: %(binding)s", binding=_binding_words(after, "ja")),
        "",
        _signed_out(),
        "",
        _("ログイン画面:"),
        link("auth.login"),
        "",
        _("心当たりがない場合は、管理者に連絡してください。"),
        *closing(),
    ]
    return _subject(_role_change_subject()), "\n".join(lines) + "\n"


def _role_change_mail_in_english(user: User, before: Binding, after: Binding) -> tuple[str, str]:
    """The English after the Japanese (without the closing lines), after the link."""
    lines = [
        _what_role_changed(user),
        _("変更前: %(binding)s", binding=_binding_words(before, "en")),
        _("変更後: %(binding)s", binding=_binding_words(after, "en")),
        " ".join([_signed_out(), _("心当たりがない場合は、管理者に連絡してください。")]),
    ]
    return _role_change_subject(), "\n".join(lines)


def _what_role_changed(user: User) -> str:
    return _(
        "管理者が、再犯防止 連携調査ハブのアカウント（%(email)s）の役割または所属を変更しました。",
        email=user.email,
    )


def _signed_out() -> str:
    return _(
        "今のログインはすべて終了し、APIトークンはすべて無効になりました。パスワードは"
        "変わりません。もう一度ログインしてください。APIトークンが必要なときは、"
        "ログイン後に発行し直してください。"
    )


def _role_change_subject() -> str:
    return _("アカウントの役割が変更されました")


def _binding_words(binding: Binding, locale: str) -> str:
    """A binding as a mail says it: 「回答者（区市町村） 八王子市」, 「都職員」."""
    label = ROLE_LABELS.get(binding.role)
    words = [label.get(locale) if label is not None else binding.role]
    if binding.municipality_code and (
        municipality := db.session.get(Municipality, binding.municipality_code)
    ):
        words.append(municipality.name_for(english=locale == "en"))
    if binding.recipient_name and (recipient := db.session.get(Recipient, binding.recipient_name)):
        words.append(recipient.title or recipient.name)
    return " ".join(words)


USERS_PER_PAGE = 50


def users_page(wanted_page: str | int | None, *, search: str = "") -> Page[User]:
    """A page of the accounts by role and e-mail, those ``search`` finds when it is given: a
    part of the e-mail, the name or the organisation (any case, 全角 or half-width letters and
    kana, spaces ignored, 髙橋 found by 高橋: both sides folded, ``search_key`` and
    ``searchable``), or of the municipality's name, or its code."""
    query = select(User).order_by(User.role, User.email)
    wanted = search_key(search)
    if wanted:
        in_municipality = searchable(Municipality.name).contains(wanted, autoescape=True) | (
            Municipality.code == wanted
        )
        query = query.where(
            or_(
                func.lower(User.email).contains(wanted, autoescape=True),
                searchable(User.display_name).contains(wanted, autoescape=True),
                searchable(User.organisation).contains(wanted, autoescape=True),
                # the municipalities found, once (62 names), not a lookup for each account
                User.municipality_code.in_(select(Municipality.code).where(in_municipality)),
            )
        )
    return page_of(query, wanted_page, USERS_PER_PAGE)


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("ユーザーが見つかりません。"))
    return user


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).filter_by(user_id=user.id).order_by(ApiToken.created_at.desc())
        )
    )
