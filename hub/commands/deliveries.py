"""``hub export`` and ``hub recipient``: deliveries to the national counterparts from the shell."""

from __future__ import annotations

import unicodedata

import click

from hub.cli import app_context, fail, friendly, lang_option, unit_of_work
from hub.cli import words as _
from hub.errors import HubError, Invalid


def register(cli: click.Group) -> None:
    cli.add_command(export)
    cli.add_command(recipient)


def _round_number(value: str | None) -> int | None:
    """A round id as typed, 全角 digits included; a clear error otherwise."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    if not (text.isascii() and text.isdigit()):
        raise Invalid(
            {
                "--round": [
                    _("調査回の番号（数字）を指定してください: %(value)s", value=repr(value))
                ]
            },
            message=_("入力内容に誤りがあります。"),
        )
    return int(text)


@click.command()
@click.argument("recipient_name", metavar="RECIPIENT")
@click.option("--round", "round_text", metavar="ROUND", help="調査回の番号（省略時: 最新の調査回）")
@click.option("--force", is_flag=True, help="前回と同じ内容でも送信する")
@lang_option
@friendly
def export(recipient_name: str, round_text: str | None, force: bool) -> None:
    """Deliver RECIPIENT's export now (unchanged content is not re-sent without --force).

    What came of it is printed in Japanese, or in English with ``--lang en``, as the pages word
    it (a refusal the hub has words for — a character the cp932 CSV cannot hold, no tables —
    too; what a channel or server said stays as it was said)."""
    from hub.services.deliveries import SENT, deliver, refusal

    round_id = _round_number(round_text)
    with app_context():
        try:
            outcome = deliver(recipient_name, round_id, force=force, trigger="cli")
        except HubError as exc:
            if "refusal" not in exc.details:
                raise
            outcome = refusal(exc)
        message = outcome.message
    if outcome.status in (SENT, "unchanged"):
        click.echo(message)
        if outcome.delivery is not None and outcome.status == SENT:
            click.echo(outcome.delivery.id)
        return
    fail(message)


@click.group()
def recipient() -> None:
    """The national counterparts (送付先) and their delivery settings."""


@recipient.command("list")
@lang_option
@friendly
def recipient_list() -> None:
    """Show every recipient with its channel, address, schedule, formats and last delivery
    (tab-separated; in English with ``--lang en``)."""
    from hub.services.deliveries import STATUS_LABELS, delivery_log
    from hub.services.recipients import describe_schedule, list_recipients

    with app_context():
        for r in list_recipients():
            last = next(iter(delivery_log(r.name, limit=1)), None)
            status = STATUS_LABELS.get(last.status, last.status) if last else None
            last_text = f"{status} {last.id}" if last else _("配信なし")
            click.echo(
                "\t".join(
                    [
                        r.name,
                        r.title,
                        r.channel,
                        r.address or "-",
                        describe_schedule(r.schedule),
                        ",".join(r.formats),
                        f"CSV {r.csv_encoding}",
                        _("個票あり") if r.include_detail else _("集計のみ"),
                        _("有効") if r.active else _("無効"),
                        last_text,
                    ]
                )
            )


@recipient.command("set")
@click.argument("name")
@click.option("--schedule", help="cron（日本時間、例: '0 9 * * 1'）、on-close、off のいずれか")
@click.option("--channel", help="outbox、smtp、https のいずれか")
@click.option("--address", help="smtp: メールアドレス（カンマ区切り可）、https: 送信先URL")
@click.option("--formats", help="xlsx,csv,json から選んでカンマ区切り")
@click.option(
    "--detail/--no-detail", "include_detail", default=None, help="自治体別の回答を含めるか"
)
@click.option("--tables", help="送る表の名前（カンマ区切り）。'all' で既定の全表")
@click.option("--active/--inactive", default=None, help="定期配信の有効・無効")
@click.option("--new-secret", is_flag=True, help="https の共有シークレットを作り直して表示する")
@click.option(
    "--csv-encoding", help="CSVの文字コード: utf-8-sig（BOM付きUTF-8、既定）か cp932（Shift_JIS）"
)
@friendly
def recipient_set(
    name: str,
    schedule: str | None,
    channel: str | None,
    address: str | None,
    formats: str | None,
    include_detail: bool | None,
    tables: str | None,
    active: bool | None,
    new_secret: bool,
    csv_encoding: str | None,
) -> None:
    """Change a recipient's delivery settings; every value is checked before anything changes."""
    from hub.services.recipients import Changes, describe_schedule, update_recipient

    changes = Changes(
        schedule=schedule,
        channel=channel,
        address=address,
        formats=formats.split(",") if formats is not None else None,
        include_detail=include_detail,
        tables=_tables(tables),
        active=active,
        new_secret=new_secret,
        csv_encoding=csv_encoding,
    )
    if changes == Changes():
        fail(
            _(
                "変更する設定を指定してください（--schedule, --channel, --address, --formats など）。"
            ),
            2,
        )
    with unit_of_work():
        updated, secret = update_recipient(name, changes, user=None)
        click.echo(
            f"{updated.name}: {updated.channel} {updated.address or '-'}; "
            f"{describe_schedule(updated.schedule)}; {','.join(updated.formats)}"
            f"; CSV {updated.csv_encoding}"
        )
    if secret:
        click.echo(
            _("共有シークレット（この一度だけ表示します。送付先に安全な方法で伝えてください）:")
        )
        click.echo(secret)


def _tables(text: str | None) -> list[str] | None:
    if text is None:
        return None
    if text.strip().lower() == "all":
        return []
    return text.split(",")
