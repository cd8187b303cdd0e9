"""``hub demo`` (run by ``make run``): accounts, a round, and a consultation desk that is not empty
— a fiscal year of cases shaped like the council paper's 令和2年度 and this year's hearings."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from exports.consultation_counts import case_counts
from exports.hearings import progress
from forms import tokyo
from forms.consultation import fiscal_year_label, fiscal_year_of
from hub.db import db
from hub.models import AuditEvent, Consultation, Hearing, Round, User
from tests.conftest import make_user
from tests.servers import hub_server, request
from tests.web.conftest import Web, text_of


def _count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_demo_fills_the_consultation_desk_once(app, runner):
    first = runner("demo")
    assert first.exit_code == 0, first.output
    today = tokyo.today()
    last_year = fiscal_year_of(today) - 1
    with app.app_context():
        counts = case_counts([last_year])[last_year]
        assert (counts.total, counts.crime_related, counts.referred) == (239, 199, 151)
        assert counts.local_window == 60
        assert counts.by_age_group["70s"] == 52
        assert counts.by_crime_type["shoplifting"] == 98
        assert _count(Consultation) == 239, "all of them in that one fiscal year"
        heard = progress(fiscal_year_of(today))
        assert heard.heard_count == 49
        assert max(h.held_on for h in db.session.scalars(select(Hearing))) <= today
        imports = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "consultation.import")
        ).all()
        assert len(imports) == 1, "imported as the desk imports its list"
        assert _count(User) == 7
        assert _count(Round) == 1
    assert "相談記録を追加しました" in first.output
    assert "聞き取りを追加しました" in first.output

    again = runner("demo")
    assert again.exit_code == 0, again.output
    assert again.output == ""
    with app.app_context():
        assert (_count(Consultation), _count(Hearing), _count(User)) == (239, 49, 7)


def test_the_demo_accounts_line_names_the_file_they_are_saved_in(app, runner, settings):
    """The console says where the passwords are kept: under HUB_INSTANCE_DIR when it is set, not
    a fixed instance/ that may not exist."""
    saved = settings.instance_dir / "demo-accounts.txt"
    result = runner("demo")
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()[0]
    assert header == f"デモ用アカウント（この一度だけ表示します。{saved} にも保存しました）:"
    accounts = [line for line in result.output.splitlines() if "@demo.saihan-hub.jp" in line]
    assert len(accounts) == 7
    kept = saved.read_text(encoding="utf-8")
    assert all(line in kept for line in accounts), "the file holds the passwords printed"


def _account(output: str, email: str) -> list[str]:
    """The demo account line of ``email`` as its columns: address, password, role and place."""
    line = next(line for line in output.splitlines() if line.startswith(f"  {email} "))
    return line.split(maxsplit=2)


@pytest.mark.parametrize("lang", [("--lang", "en"), ("demo", "--lang", "en")])
def test_the_demo_says_what_it_made_in_english_with_lang_en(app, runner, settings, lang):
    """``hub --lang en demo`` (or ``hub demo --lang en``): the accounts' roles as the pages name
    them and their municipalities' English names, the round's English title and the fiscal
    years as FY; Japanese stays only in what is data (none of it here)."""
    args = lang if lang[0] == "demo" else (*lang, "demo")
    result = runner(*args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    saved = settings.instance_dir / "demo-accounts.txt"
    assert lines[0] == f"Demo accounts (shown this once, also saved in {saved}):"
    assert _account(result.output, "staff@demo.saihan-hub.jp")[2] == "Metropolitan staff"
    chiyoda = _account(result.output, "chiyoda@demo.saihan-hub.jp")
    assert chiyoda[2] == "Respondent (municipality): Chiyoda"
    assert _account(result.output, "hachioji-window@demo.saihan-hub.jp")[2] == (
        "Municipal window: Hachioji"
    )
    assert _account(result.output, "probation@demo.saihan-hub.jp")[2] == (
        "Counterpart (national): tokyo-probation"
    )
    today = tokyo.today()
    year = fiscal_year_of(today)
    with app.app_context():
        opened = db.session.scalars(select(Round)).one()
        title = opened.title_in("en")
    assert f"Demo round opened: {title} (id {opened.id})" in lines
    assert f"Demo consultation cases added: FY{year - 1}, 239 cases" in lines
    assert f"Demo hearings added: FY{year}, 49 municipalities" in lines
    assert not any(_japanese_in(line) for line in lines), result.output
    assert chiyoda[1] in saved.read_text(encoding="utf-8")


def test_the_demo_says_what_it_made_in_japanese_by_default(app, runner):
    result = runner("demo")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert _account(result.output, "staff@demo.saihan-hub.jp")[2] == "都職員"
    assert (
        _account(result.output, "chiyoda@demo.saihan-hub.jp")[2] == "回答者（区市町村）: 千代田区"
    )
    assert _account(result.output, "hachioji-window@demo.saihan-hub.jp")[2] == (
        "相談窓口（区市町村）: 八王子市"
    )
    today = tokyo.today()
    with app.app_context():
        opened = db.session.scalars(select(Round)).one()
    assert f"デモ調査回を開始しました: {opened.title} (id {opened.id})" in lines
    assert (
        f"デモ用の相談記録を追加しました: {fiscal_year_label(fiscal_year_of(today) - 1)} 239件"
        in lines
    )
    assert (
        f"デモ用の聞き取りを追加しました: {fiscal_year_label(fiscal_year_of(today))} 49区市町村"
        in lines
    )


def _japanese_in(text: str) -> bool:
    return any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in text)


def test_the_demo_desk_shows_on_the_pages(app, runner):
    assert runner("demo").exit_code == 0
    with app.app_context():
        email = make_user(role="staff").email
    staff = Web(app)
    assert staff.login(email).status_code == 302
    year = fiscal_year_of(tokyo.today()) - 1
    statistics = text_of(staff.get(f"/consultations/statistics?fiscal_year={year}"))
    assert "239" in statistics
    hearings = text_of(staff.get("/hearings"))
    assert "49/62" in hearings


@pytest.mark.slow
def test_hub_run_with_demo_prepares_everything_in_one_process(app, settings, tmp_path):
    """What ``make run`` runs: schema, reference data, demo data, then the server."""
    with hub_server(settings, tmp_path, "run", "--demo") as (port, log):
        status, _, body = request(port, "GET", "/login")
        output = log.read_text()
    assert status == 200
    assert "ログイン" in body
    assert "調査票と配信先を読み込みました。" in output
    assert "デモ用アカウント" in output
    assert "相談記録を追加しました" in output
    with app.app_context():
        assert _count(Consultation) == 239
