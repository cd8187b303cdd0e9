"""``hub user add``, ``hub user set``, ``hub user set-role``, ``hub user reset-password``,
``hub user deactivate``, ``hub user reactivate``, ``hub token add``, ``hub token list`` and
``hub token revoke``: accounts and API tokens."""

from __future__ import annotations

import getpass
import sys
from typing import TYPE_CHECKING

import click

from hub.cli import app_context, fail, friendly, lang_option, language, unit_of_work
from hub.cli import words as _

if TYPE_CHECKING:
    from datetime import datetime

    from hub.models import User


def register(cli: click.Group) -> None:
    cli.add_command(user)
    cli.add_command(token)


@click.group()
def user() -> None:
    """Accounts."""


def _account(email: str) -> User:
    """The account of ``email`` (typed as people type it), or the one-line refusal naming it."""
    from flask_babel import gettext as _

    from hub.errors import NotFound
    from hub.services.users import find_by_email

    account = find_by_email(email)
    if account is None:
        raise NotFound(_("ユーザー %(email)s は登録されていません。", email=email))
    return account


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            fail(_("パスワードが一致しません。"))
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        fail(
            _("パスワードを標準入力から渡してください（例: echo 'PASSWORD' | hub user add ...）。")
        )
    return line


@user.command("add")
@click.argument("email")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["respondent", "staff", "counterpart", "admin", "window"]),
)
@click.option(
    "--municipality",
    "municipality_code",
    help="code (132012, or 13201) or name (八王子市): respondents, windows",
)
@click.option("--recipient", "recipient_name", help="recipient name (counterparts)")
@click.option("--name", "display_name", default="", help="display name (山田 花子)")
@click.option(
    "--organisation", default="", help="organisation and department (千代田区 保健福祉部)"
)
@click.option("--phone", default="", help="work telephone number")
@friendly
def user_add(
    email: str,
    role: str,
    municipality_code: str | None,
    recipient_name: str | None,
    display_name: str,
    organisation: str,
    phone: str,
) -> None:
    """Create an account; the password is read from stdin."""
    from hub.models.user import ROLE_LABELS
    from hub.services.users import create_user

    password = _read_password()
    with unit_of_work():
        created = create_user(
            email,
            role=role,
            password=password,
            municipality_code=municipality_code,
            recipient_name=recipient_name,
            display_name=display_name,
            organisation=organisation,
            phone=phone,
        )
        click.echo(
            _(
                "%(email)s を作成しました（%(role)s）。",
                email=created.email,
                role=ROLE_LABELS[created.role].get(language()),
            )
        )


@user.command("set")
@click.argument("email")
@click.option("--name", "display_name", default=None, help="display name (山田 花子)")
@click.option("--organisation", default=None, help="organisation and department")
@click.option("--phone", default=None, help="work telephone number ('' to clear)")
@friendly
def user_set(
    email: str, display_name: str | None, organisation: str | None, phone: str | None
) -> None:
    """Change an account's display name, organisation/department or phone (others stay)."""
    from hub.services.users import update_profile

    with unit_of_work():
        account = _account(email)
        update_profile(
            account,
            display_name=account.display_name if display_name is None else display_name,
            organisation=account.organisation if organisation is None else organisation,
            phone=account.phone if phone is None else phone,
            actor=None,
        )
        click.echo(
            _("%(email)s を変更しました: %(label)s", email=account.email, label=account.label)
        )


@user.command("set-role")
@click.argument("email")
@click.argument(
    "role", type=click.Choice(["respondent", "staff", "counterpart", "admin", "window"])
)
@click.option(
    "--municipality",
    "municipality_code",
    help="code (132012, or 13201) or name (八王子市): respondents, windows",
)
@click.option("--recipient", "recipient_name", help="recipient name (counterparts)")
@lang_option
@friendly
def user_set_role(
    email: str, role: str, municipality_code: str | None, recipient_name: str | None
) -> None:
    """Give an account another role, municipality or recipient: every session of it ends, every
    API token is revoked, and the user is mailed to sign in again (when a mail server is set).
    A municipality or recipient not given stays when the new role takes one and is let go (and
    said) when it takes none, as on the account's page; one given for a role that takes none is
    refused."""
    from flask_babel import gettext as _

    from hub.services.users import PRESENT, change_role, let_go, tell_role_changed

    with unit_of_work():
        account = _account(email)
        before = change_role(
            account,
            role=role,
            municipality_code=municipality_code or PRESENT,
            recipient_name=recipient_name or PRESENT,
            actor=None,
        )
        address, user_id = account.email, account.id
        released = let_go(before, account) if before is not None else None
    with app_context():
        if before is None:
            click.echo(
                _(
                    "%(email)s: 役割・自治体・送付先は変わっていないため、何も変更していません。",
                    email=address,
                )
            )
            return
        from hub.services.users import get_user

        click.echo(
            _(
                "%(email)s: 役割・所属を変更しました。今のログインはすべて終了し、APIトークンは"
                "すべて無効にしました。",
                email=address,
            )
        )
        if released:
            click.echo(released)
        unsent = tell_role_changed(get_user(user_id), before)
        click.echo(
            _("本人に、もう一度ログインするようメールで知らせました。")
            if unsent is None
            else _(
                "本人へのお知らせメールは送れませんでした（%(reason)s）。もう一度ログインする"
                "よう、本人に直接伝えてください。",
                reason=unsent.rstrip("。"),
            )
        )


@user.command("reset-password")
@click.argument("email")
@friendly
def user_reset_password(email: str) -> None:
    """Set a temporary password (read from stdin) that the user must replace at the next login."""
    from hub.services.users import set_temporary_password

    password = _read_password()
    with unit_of_work():
        account = _account(email)
        set_temporary_password(account, password)
        address = account.email
    click.echo(_("%(email)s: 次のログインで新しいパスワードを決めてもらいます", email=address))


@user.command("deactivate")
@click.argument("email")
@lang_option
@friendly
def user_deactivate(email: str) -> None:
    """Deactivate an account, as its page does: no login from now on, every session ended, every
    API token revoked (each audited). Refused for an account already inactive and for the last
    active administrator; ``hub user reactivate`` brings it back."""
    from hub.services.users import deactivate

    with unit_of_work():
        account = _account(email)
        deactivate(account, actor=None)
        address = account.email
    click.echo(
        _(
            "%(email)s を無効化しました。今のログインはすべて終了し、APIトークンはすべて"
            "無効にしました。",
            email=address,
        )
    )


@user.command("reactivate")
@click.argument("email")
@click.option(
    "--municipality",
    "municipality_code",
    help="code or name: another municipality, when the account's was retired meanwhile",
)
@friendly
def user_reactivate(email: str, municipality_code: str | None) -> None:
    """Reactivate a deactivated account with a temporary password (read from stdin) that the
    user must replace at the next login; its old API tokens stay revoked."""
    from hub.services.users import reactivate

    password = _read_password()
    with unit_of_work():
        account = _account(email)
        reactivate(
            account,
            actor=None,
            municipality_code=municipality_code,
            temporary_password=password,
        )
        address = account.email
    click.echo(
        _(
            "%(email)s: 再有効化しました。次のログインで新しいパスワードを決めてもらいます",
            email=address,
        )
    )


@click.group()
def token() -> None:
    """API tokens."""


@token.command("add")
@click.argument("email")
@click.option("--description", default="", help="what the token is for")
@friendly
def token_add(email: str, description: str) -> None:
    """Print a new API token for that user (last line of stdout)."""
    from hub.services.users import create_token

    with unit_of_work():
        account = _account(email)
        value = create_token(account, description=description)
    click.echo(value)


@token.command("list")
@click.argument("email")
@lang_option
@friendly
def token_list(email: str) -> None:
    """One API token of that user a line, the newest first: id (for ``hub token revoke``), its
    first characters, what it is for, issued, last used and 有効 or 無効 with when (Tokyo time;
    tab-separated; in English with ``--lang en``). Never the token itself."""
    from forms.tokyo import format_datetime
    from hub.services.users import tokens_of

    def when(value: datetime | None) -> str:
        return format_datetime(value, language()) if value is not None else "-"

    with app_context():
        tokens = tokens_of(_account(email))
        if not tokens:
            click.echo(_("トークンはありません。"))
        for t in tokens:
            state = _("無効（%(at)s）", at=when(t.revoked_at)) if t.revoked_at else _("有効")
            # one line a token: a tab or line break typed in its description would split it
            fields = (str(t.id), f"{t.prefix}…", " ".join((t.description or "-").split()))
            click.echo("\t".join((*fields, when(t.created_at), when(t.last_used_at), state)))


@token.command("revoke")
@click.argument("token_id", type=int)
@lang_option
@friendly
def token_revoke(token_id: int) -> None:
    """Revoke an API token at once (its id from ``hub token list EMAIL``), as the pages do:
    the next request with it is refused (401). Audited (``token.revoke``)."""
    from hub.errors import NotFound
    from hub.services.users import revoke_token

    with unit_of_work():
        try:
            revoked = revoke_token(token_id, actor=None)
        except NotFound:
            raise NotFound(
                _(
                    "トークン %(id)s はありません（番号は hub token list EMAIL で確かめて"
                    "ください）。",
                    id=token_id,
                )
            ) from None
        prefix, owner = revoked.prefix, revoked.user.email
    click.echo(
        _(
            "トークン %(id)s（%(prefix)s…、%(email)s）を無効にしました。",
            id=token_id,
            prefix=prefix,
            email=owner,
        )
    )
