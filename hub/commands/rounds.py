"""``hub round open|list|change|close|remove``: rounds (調査回); dates and times read as the staff
page reads them."""

from __future__ import annotations

from datetime import date, datetime

import click

from forms.normalize import InvalidValue
from forms.tokyo import TOKYO, parse_datetime
from forms.tokyo import parse_day as parse_typed_day
from hub.cli import app_context, friendly, lang_option, language, unit_of_work
from hub.cli import words as _


def register(cli: click.Group) -> None:
    cli.add_command(round_group)


def parse_tokyo_datetime(value: str, option: str) -> datetime:
    """A date and time as the staff page takes them (``2099-05-31T17:00``, ``令和8年12月28日 17時``
    …), in Asia/Tokyo unless an offset is given: :func:`forms.tokyo.parse_datetime`."""
    try:
        return parse_datetime(value)
    except InvalidValue as exc:
        raise click.BadParameter(
            _(
                "%(problem)s YYYY-MM-DDTHH:MM や 令和8年12月28日 17時 の形で指定してください: "
                "%(value)s",
                problem=exc,
                value=repr(value),
            ),
            param_hint=option,
        ) from None


def parse_day(value: str, option: str) -> date:
    """A date as people type it: 2021-04-01, 2021/4/1, 令和3年4月1日, R3.4.1 ..."""
    try:
        return parse_typed_day(value)
    except InvalidValue as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


@click.group("round")
def round_group() -> None:
    """Rounds (調査回)."""


@round_group.command("open")
@click.argument("survey", metavar="ID")
@click.option(
    "--version", type=click.IntRange(min=1), default=None, help="default: the latest stored"
)
@click.option("--reference-date", required=True, help="基準日 YYYY-MM-DD")
@click.option(
    "--deadline", required=True, help="YYYY-MM-DDTHH:MM or 令和8年12月28日 17時, in Asia/Tokyo"
)
@click.option("--opens-at", default=None, help="as --deadline (default: now)")
@click.option("--title", default="", help="title shown to respondents")
@click.option(
    "--municipalities",
    "named",
    default="",
    help="only these: codes, names or regions separated by commas (区部,八王子市,132039)",
)
@click.option(
    "--invite/--no-invite",
    default=False,
    help="mail each municipality asked a request to answer once the round opens",
)
@friendly
def round_open(
    survey: str,
    version: int | None,
    reference_date: str,
    deadline: str,
    opens_at: str | None,
    title: str,
    named: str,
    invite: bool,
) -> None:
    """Open a round on a stored questionnaire for all municipalities that exist today (or those
    named); prints its id (last line)."""
    from hub.services.rounds import municipalities_named, open_round

    with unit_of_work():
        opened = open_round(
            survey,
            version=version,
            reference_date=parse_day(reference_date, "--reference-date"),
            deadline=parse_tokyo_datetime(deadline, "--deadline"),
            opens_at=parse_tokyo_datetime(opens_at, "--opens-at") if opens_at else None,
            title=title,
            municipality_codes=municipalities_named(named),
            invite=invite,
        )
        click.echo(
            _(
                "%(title)s（%(survey)s v%(version)s）を開始しました。提出期限: %(deadline)s（日本時間）",
                title=opened.title,
                survey=survey,
                version=opened.survey.version,
                deadline=f"{opened.deadline.astimezone(TOKYO):%Y-%m-%d %H:%M}",
            )
        )
        _warn_about_deadline(opened.deadline, opened.reference_date)
        click.echo(str(opened.id))


def _warn_about_deadline(deadline: datetime, reference_date: date) -> None:
    from hub.services.rounds import deadline_notes

    for note in deadline_notes(deadline, reference_date):
        click.echo(_("注意: %(note)s", note=note), err=True)


@round_group.command("list")
@lang_option
@friendly
def round_list() -> None:
    """Show every round: id, questionnaire, reference date, deadline (Tokyo), state and title
    (tab-separated; the title in English with ``--lang en``)."""
    from hub.db import utcnow
    from hub.models.survey import ROUND_STATE_LABELS
    from hub.services.rounds import list_rounds

    with app_context():
        now = utcnow()
        for r in list_rounds():
            state = ROUND_STATE_LABELS[r.state_at(now)].get(language())
            click.echo(
                f"{r.id}\t{r.survey.key}\t{r.reference_date}\t"
                f"{r.deadline.astimezone(TOKYO):%Y-%m-%d %H:%M}\t{state}\t{r.title_in(language())}"
            )


@round_group.command("close")
@click.argument("round_id", type=int)
@friendly
def round_close(round_id: int) -> None:
    """Close a round now: respondents can no longer save or submit (extensions excepted)."""
    from hub.services.responses import get_round
    from hub.services.rounds import close_round

    with unit_of_work():
        close_round(get_round(round_id), user=None)
    click.echo(_("調査回 %(id)s を締め切りました。", id=round_id))


@round_group.command("change")
@click.argument("round_id", type=int)
@click.option("--deadline", default=None, help="a new deadline, as the staff page reads it")
@click.option("--title", default=None, help="a new title")
@click.option(
    "--opens-at", default=None, help="a new opening time for a round not yet open ('' : now)"
)
@click.option(
    "--notify/--no-notify",
    default=False,
    help="mail the municipalities still to submit whose deadline moved",
)
@friendly
def round_change(
    round_id: int, deadline: str | None, title: str | None, opens_at: str | None, notify: bool
) -> None:
    """Give a round a new deadline or title; a closed round with a deadline still to come takes
    answers again."""
    from hub.db import db
    from hub.services import municipal_mail
    from hub.services.responses import get_round
    from hub.services.rounds import change_round

    if deadline is None and title is None and opens_at is None:
        raise click.UsageError(_("--deadline・--title・--opens-at のどれかを指定してください。"))
    with app_context():
        round_ = get_round(round_id)
        change = change_round(
            round_,
            title=round_.title if title is None else title,
            deadline=deadline,
            opens_at=opens_at,
            user=None,
        )
        queued = municipal_mail.Queued()
        if notify and change.newly_due:
            queued = municipal_mail.tell_new_deadline(change.newly_due)
        db.session.commit()
        deadline_text = f"{round_.deadline.astimezone(TOKYO):%Y-%m-%d %H:%M}"
        click.echo(
            _(
                "調査回 %(id)s を変更しました。提出期限: %(deadline)s（日本時間）。"
                "受付を再開しました。",
                id=round_id,
                deadline=deadline_text,
            )
            if change.reopened
            else _(
                "調査回 %(id)s を変更しました。提出期限: %(deadline)s（日本時間）",
                id=round_id,
                deadline=deadline_text,
            )
        )
        if change.deadline_moved:
            _warn_about_deadline(round_.deadline, round_.reference_date)
        if notify:
            click.echo(
                _("HUB_SMTP_URL が設定されていないため、メールは送信待ちに入れていません。")
                if queued.no_server
                else _(
                    "送信待ちに入れたメール: %(queued)s、アカウントのない団体: %(none)s",
                    queued=len(queued.queued),
                    none=len(queued.no_address),
                )
            )


@round_group.command("remind")
@click.argument("round_id", type=int)
@click.option(
    "--municipality",
    "codes",
    multiple=True,
    help="a late municipality's code (repeat it); every late one without it",
)
@click.option("--resend", is_flag=True, help="remind also those already reminded today")
@friendly
def round_remind(round_id: int, codes: tuple[str, ...], resend: bool) -> None:
    """督促: queue the reminder of the late municipalities (the scheduler sends them within a
    minute), as the board's 督促メール does; those reminded today are left out unless --resend."""
    from hub.services.reminders import chase
    from hub.services.responses import get_round

    with unit_of_work():
        outcome = chase(get_round(round_id), list(codes) or None, user=None, resend=resend)
        if outcome.no_server:
            raise click.ClickException(_("HUB_SMTP_URL が設定されていないため送信できません。"))
    click.echo(
        _(
            "送信待ちに入れた督促: %(queued)s、アカウントのない団体: %(none)s、"
            "今日督促済みの団体: %(today)s",
            queued=len(outcome.queued),
            none=len(outcome.no_address),
            today=len(outcome.reminded_today),
        )
    )


@round_group.command("remove")
@click.argument("round_id", type=int)
@friendly
def round_remove(round_id: int) -> None:
    """Take back a round opened by mistake, before any municipality answered it."""
    from hub.services.responses import get_round
    from hub.services.rounds import remove_round

    with unit_of_work():
        remove_round(get_round(round_id), user=None)
    click.echo(_("調査回 %(id)s を取り消しました。", id=round_id))
