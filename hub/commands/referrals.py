"""``hub referrals purge``: erase now the personal data that retention would erase."""

from __future__ import annotations

import click

from hub.cli import counted as ngettext
from hub.cli import friendly, unit_of_work


def register(cli: click.Group) -> None:
    cli.add_command(referrals)


@click.group()
def referrals() -> None:
    """Referrals to municipal windows (つなぎ)."""


@referrals.command("purge")
@friendly
def purge() -> None:
    """Erase the personal data of referrals closed, or declined and never re-routed, more than
    HUB_REFERRAL_RETENTION_DAYS days ago (0: every such referral); the cases and their counts
    stay."""
    from hub.services.referrals import retention

    with unit_of_work():
        days = retention.retention_days()
        erased = retention.purge()
    click.echo(
        ngettext(
            "%(count)s件のつなぎの本人情報を消去しました（終了、または受理できないと伝えられたまま"
            "になってから%(days)s日を過ぎたもの）。",
            "%(count)s件のつなぎの本人情報を消去しました（終了、または受理できないと伝えられたまま"
            "になってから%(days)s日を過ぎたもの）。",
            erased,
            days=days,
        )
    )
