"""``hub keys rotate`` (re-encrypt personal data with a new data key) and ``hub keys generate``
(print a new key for ``HUB_DATA_KEY``). No command ever prints a key in use."""

from __future__ import annotations

import click

from hub.cli import app_context, friendly


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
    click.echo(f"{rotation.values}件の暗号化された値を新しい鍵で暗号化し直しました。")
    if rotation.key_file is not None:
        click.echo(
            f"新しい鍵は {rotation.key_file} にあります。この鍵のバックアップを取り直してください。"
        )
    else:
        click.echo("HUB_DATA_KEY から古い鍵を外し、新しい鍵だけにしてください。")


@keys.command("generate")
def generate() -> None:
    """Print a new random key (base64url, 32 bytes) for HUB_DATA_KEY="NEW,OLD" before a rotation."""
    from hub.services.referrals.keys import generated_key

    click.echo(generated_key())
