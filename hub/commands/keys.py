"""``hub keys rotate`` (re-encrypt personal data with a new data key) and ``hub keys generate``
(print a new key for ``HUB_DATA_KEY``). No command ever prints a key in use."""

from __future__ import annotations

import click

from hub.cli import app_context, friendly
from hub.cli import counted as ngettext
from hub.cli import words as _


def register(cli: click.Group) -> None:
    cli.add_command(keys)


@click.group()
def keys() -> None:
    """The data key that encrypts personal data (HUB_DATA_KEY or instance/data_key)."""


@keys.command("rotate")
@friendly
def rotate() -> None:
    """Re-encrypt every personal field with a new key. With the key file under instance/ a new
    key is made and kept there; with HUB_DATA_KEY="NEW,OLD" everything moves to NEW."""
    from hub.services.referrals import keys as key_service

    with app_context():
        rotation = key_service.rotate()
    click.echo(
        ngettext(
            "%(count)s件の暗号化された値を新しい鍵で暗号化し直しました。",
            "%(count)s件の暗号化された値を新しい鍵で暗号化し直しました。",
            rotation.values,
        )
    )
    if rotation.key_file is not None:
        click.echo(
            _(
                "新しい鍵は %(file)s にあります。この鍵のバックアップを取り直してください。",
                file=rotation.key_file,
            )
        )
    else:
        click.echo(_("HUB_DATA_KEY から古い鍵を外し、新しい鍵だけにしてください。"))


def warn_if_keys_are_missing() -> None:
    """One line on stderr when sealed personal data names a key the hub does not hold (said at
    ``hub init`` and when ``hub scheduler`` starts); a database not ready yet says nothing here."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from hub.db import db
    from hub.services.referrals.keys import sealed_without_key
    from hub.services.referrals.personal import data_keys

    try:
        missing = sealed_without_key()
    except (OperationalError, ProgrammingError):
        db.session.rollback()
        return
    if missing:
        warning = ngettext(
            "警告: つなぎの個人情報 %(count)s 件を開く鍵が、データ鍵（%(source)s）にありません。"
            "鍵のバックアップから戻してください（docs/operations.md の Keys）。",
            "警告: つなぎの個人情報 %(count)s 件を開く鍵が、データ鍵（%(source)s）にありません。"
            "鍵のバックアップから戻してください（docs/operations.md の Keys）。",
            missing,
            source=data_keys().source,
        )
        click.echo(f"hub: {warning}", err=True)


@keys.command("generate")
def generate() -> None:
    """Print a new random key (base64url, 32 bytes) for HUB_DATA_KEY="NEW,OLD" before a rotation."""
    from hub.services.referrals.keys import generated_key

    click.echo(generated_key())
