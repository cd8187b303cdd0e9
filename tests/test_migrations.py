"""The schema is made only by migrations: the models equal the head, every step goes both ways.

Runs on a throwaway SQLite file, and on PostgreSQL when ``HUB_TEST_DATABASE_URL`` names one (in a
database of its own, ``<that name>_mig``, so the session's database is left alone).

A test that starts at a revision with rows of its own gets a copy of a database the module migrated
to that revision once (:class:`Databases`), not a walk of its own from the base: each test still
has its own database, and the walks themselves are what the tests of walks check.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from hub.crypto import DataKeys, new_key
from hub.db import Base, make_engine
from hub.migrate import (
    DataKeysNeeded,
    alembic_config,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)

pytestmark = [pytest.mark.slow, pytest.mark.database]


def _postgres_url() -> str | None:
    url = os.environ.get("HUB_TEST_DATABASE_URL", "")
    return url if url.startswith("postgres") else None


def _throwaway_postgres(suffix: str = "mig", template: str | None = None) -> Iterator[Engine]:
    """A new empty PostgreSQL database ``<that name>_<suffix>`` (a copy of the database named
    ``template`` when one is), dropped afterwards."""
    base = make_url(_postgres_url() or "").set(drivername="postgresql+psycopg")
    name = f"{base.database}_{suffix}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    copy_of = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
    engine = make_engine(base.set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def revisions_base_to_head() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


class Databases:
    """The module's databases of one kind: an empty one for a test, or a copy of one migrated to
    a revision. A revision's database is made once — the nearest earlier one already made (or
    an empty one) copied and taken up to it — and kept unused till the module's end; each test
    gets a copy of its own (SQLite: SQLite's backup into a new file; PostgreSQL: ``CREATE
    DATABASE … TEMPLATE``), dropped after the test."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind = kind
        self.folder = folder
        self.order = revisions_base_to_head()
        self.kept: dict[str, Engine] = {}  # revision: its database, never used by a test
        self.drops: dict[Engine, Callable[[], None]] = {}
        self.count = 0

    def empty(self, copy_of: Engine | None = None) -> Engine:
        """A new database: empty, or a copy of ``copy_of``."""
        self.count += 1
        if self.kind == "sqlite":
            engine = make_engine(f"sqlite:///{self.folder / f'migrations-{self.count}.sqlite3'}")
            self.drops[engine] = engine.dispose
            if copy_of is not None:
                with (
                    closing(sqlite3.connect(str(copy_of.url.database))) as source,
                    closing(sqlite3.connect(str(engine.url.database))) as target,
                ):
                    source.backup(target)
            return engine
        template = str(copy_of.url.database) if copy_of is not None else None
        made = _throwaway_postgres(f"mig_{self.count}", template)
        engine = next(made)

        def drop() -> None:
            next(made, None)  # the generator's ``finally``: disposed, and the database dropped

        self.drops[engine] = drop
        return engine

    def at(self, revision: str) -> Engine:
        """A new database at ``revision`` (an id, not ``head``)."""
        if revision not in self.kept:
            earlier = [r for r in self.order[: self.order.index(revision)] if r in self.kept]
            kept = self.empty(self.kept[earlier[-1]] if earlier else None)
            upgrade(kept, revision)
            kept.dispose()  # no connection left open: PostgreSQL copies only an idle database
            self.kept[revision] = kept
        return self.empty(self.kept[revision])

    def drop(self, engine: Engine) -> None:
        self.drops.pop(engine)()

    def drop_all(self) -> None:
        for engine in list(self.drops):
            self.drop(engine)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Databases]:
    if request.param == "postgresql" and _postgres_url() is None:
        pytest.skip("HUB_TEST_DATABASE_URL does not name a PostgreSQL database")
    made = Databases(request.param, tmp_path_factory.mktemp("migrations"))
    yield made
    made.drop_all()


@pytest.fixture
def empty_engine(databases: Databases) -> Iterator[Engine]:
    engine = databases.empty()
    yield engine
    databases.drop(engine)


@pytest.fixture
def engine_at(databases: Databases) -> Iterator[Callable[[str], Engine]]:
    """``engine_at(revision)``: a database of the test's own at ``revision``, a copy of the one
    the module migrated there (:class:`Databases`)."""
    engines: list[Engine] = []

    def at(revision: str) -> Engine:
        engines.append(databases.at(revision))
        return engines[-1]

    yield at
    for engine in engines:
        databases.drop(engine)


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_there_is_exactly_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    assert head_revision() == script.get_current_head()


def test_every_revision_id_fits_the_version_table() -> None:
    """``alembic_version.version_num`` is ``VARCHAR(32)``: PostgreSQL refuses a longer id (SQLite
    would not say so)."""
    assert [r for r in revisions_base_to_head() if len(r) > 32] == []


def test_models_equal_the_migration_head(engine_at: Callable[[str], Engine]) -> None:
    engine = engine_at(head_revision())
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
    assert tables(engine) == set(Base.metadata.tables)


def test_base_head_base_head(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    downgrade(empty_engine, "base")
    assert current_revision(empty_engine) is None
    assert tables(empty_engine) == set()
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert tables(empty_engine) == set(Base.metadata.tables)


def test_every_migration_upgrades_and_downgrades_one_step_at_a_time(empty_engine: Engine) -> None:
    steps = revisions_base_to_head()
    assert steps, "no migrations found"
    seen: list[set[str]] = [tables(empty_engine)]
    for revision in steps:
        upgrade(empty_engine, revision)
        assert current_revision(empty_engine) == revision
        seen.append(tables(empty_engine))
    for index in range(len(steps) - 1, -1, -1):
        downgrade(empty_engine, steps[index - 1] if index else "base")
        assert tables(empty_engine) == seen[index], steps[index]
    assert current_revision(empty_engine) is None


def test_upgrade_keeps_rows(engine_at: Callable[[str], Engine]) -> None:
    engine = engine_at(head_revision())
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO municipality (code, prefecture_code, name, kana, name_en, region,"
                " type, active) VALUES ('131016', '13', '千代田区', '', '', '区部', '', true)"
            )
        )
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM municipality")).scalar_one() == "千代田区"


def _round(conn: Connection, title: str) -> int:
    conn.execute(
        text(
            "INSERT INTO round (survey_id, title, reference_date, opens_at, deadline, created_at,"
            " invite) VALUES (1, :title, '2026-04-01', '2026-04-01 00:00:00',"
            " '2026-05-01 00:00:00', '2026-04-01 00:00:00', false)"
        ),
        {"title": title},
    )
    return int(conn.execute(text("SELECT max(id) FROM round")).scalar_one())


def test_a_round_s_number_is_never_given_again_and_its_table_s_rebuild_keeps_what_names_it(
    engine_at: Callable[[str], Engine],
) -> None:
    """0008 rebuilds ``round`` on SQLite; the responses that name a round survive it (foreign
    keys are off while migrations run: dropping the old table would otherwise delete them).
    Afterwards a round taken back leaves its number unused, on both databases."""
    engine = engine_at("0007_outgoing_mail")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO municipality (code, prefecture_code, name, kana, name_en, region,"
                " type, active) VALUES ('131016', '13', '千代田区', '', '', '区部', '', true)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO survey (id, key, version, title, fingerprint, loaded_at,"
                " source_name) VALUES (1, 'torikumi', 1, '取組調査', 'f', '2026-04-01', '')"
            )
        )
        first, second = _round(conn, "令和8年度"), _round(conn, "誤って開始")
        conn.execute(
            text(
                "INSERT INTO response (round_id, municipality_code, state, version, answers,"
                " updated_on_behalf) VALUES (:round, '131016', 'draft', 1, '{}', false)"
            ),
            {"round": first},
        )
    upgrade(engine)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT round_id FROM response")).scalars().all() == [first]
        conn.execute(text("DELETE FROM round WHERE id = :id"), {"id": second})
        assert _round(conn, "令和8年度（やり直し）") > second
    downgrade(engine, "0007_outgoing_mail")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT round_id FROM response")).scalars().all() == [first]


def test_a_referral_of_the_first_morning_of_april_moves_to_its_fiscal_year(
    engine_at: Callable[[str], Engine],
) -> None:
    """0017: a referral created at 8:30 on 1 April in Tokyo (23:30 UTC on 31 March) had been
    counted in the fiscal year before; one at 23:30 on 31 March in Tokyo stays there."""
    engine = engine_at("0016_job_run_result")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO municipality (code, prefecture_code, name, kana, name_en, region,"
                " type, active) VALUES ('131016', '13', '千代田区', '', '', '区部', '', true)"
            )
        )
        for created_at in ("2027-03-31 23:30:00", "2027-03-31 14:30:00"):
            conn.execute(
                text(
                    "INSERT INTO referral (municipality_code, referrer, status, needs,"
                    " fiscal_year, consent_obtained_on, consent_obtained_by, consent_scope,"
                    " created_at, sent_at) VALUES ('131016', 'staff', 'sent', '[]', 2026,"
                    " '2027-03-31', '都', '八王子市', :at, :at)"
                ),
                {"at": created_at},
            )
    upgrade(engine, data_keys=DataKeys([new_key()], source="test"))  # 0020 seals scopes
    with engine.connect() as conn:
        years = conn.execute(text("SELECT fiscal_year FROM referral ORDER BY id")).scalars().all()
    assert years == [2027, 2026]


def test_the_reminders_waiting_when_0019_runs_wait_for_the_offices(
    engine_at: Callable[[str], Engine],
) -> None:
    """0019: the due-soon and overdue reminders still to go are marked ``office_hours``; a
    return mail and a reminder already sent keep false."""
    engine = engine_at("0018_outgoing_mail_english")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO municipality (code, prefecture_code, name, kana, name_en, region,"
                " type, active) VALUES ('131016', '13', '千代田区', '', '', '区部', '', true)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO survey (id, key, version, title, fingerprint, loaded_at,"
                " source_name) VALUES (1, 'torikumi', 1, '取組調査', 'f', '2026-04-01', '')"
            )
        )
        round_id = _round(conn, "令和8年度")
        for about, sent_at in (
            ("reminder.overdue", None),
            ("reminder.due_soon", "2026-04-28 00:00:00"),
            ("response.return_mail", None),
            ("reminder.due_soon", None),
        ):
            conn.execute(
                text(
                    "INSERT INTO outgoing_mail (about, round_id, municipality_code, subject, body,"
                    " created_at, not_before, attempts, sent_at, until_submitted)"
                    " VALUES (:about, :round, '131016', 's', 'b', '2026-04-28 00:00:00',"
                    " '2026-04-28 00:00:00', 0, :sent_at, true)"
                ),
                {"about": about, "round": round_id, "sent_at": sent_at},
            )
    upgrade(engine)
    with engine.connect() as conn:
        marked = conn.execute(text("SELECT office_hours FROM outgoing_mail ORDER BY id"))
        assert [bool(v) for v in marked.scalars()] == [True, False, False, True]


SCOPES = {
    "kept": "氏名・連絡先を八王子市の窓口へ。母（山田 良子）と同居",
    "erased": "氏名と概要を八王子市の窓口へ。弟（山田 次郎）には伝えない",
}
"""What two people agreed to (names and family written in, as people do): one referral still
open, one whose person was erased before 0020."""


def _referrals_of_0019(conn: Connection) -> dict[str, int]:
    conn.execute(
        text(
            "INSERT INTO municipality (code, prefecture_code, name, kana, name_en, region,"
            " type, active) VALUES ('132012', '13', '八王子市', '', '', '市部', '', true)"
        )
    )
    ids = {}
    for which, scope in SCOPES.items():
        conn.execute(
            text(
                "INSERT INTO referral (municipality_code, referrer, status, needs, fiscal_year,"
                " consent_obtained_on, consent_obtained_by, consent_scope, created_at, sent_at,"
                " erased_at, erased_because) VALUES ('132012', 'staff', 'sent', '[]', 2026,"
                " '2026-05-01', '都 相談員', :scope, '2026-05-01 01:00:00',"
                " '2026-05-01 01:00:00', :erased_at, :because)"
            ),
            {
                "scope": scope,
                "erased_at": "2026-06-01 01:00:00" if which == "erased" else None,
                "because": "withdrawn" if which == "erased" else None,
            },
        )
        ids[which] = int(conn.execute(text("SELECT max(id) FROM referral")).scalar_one())
    return ids


def _rows_as_text(conn: Connection) -> str:
    return repr(conn.execute(text("SELECT * FROM referral")).all())


def test_0020_seals_each_stored_scope_of_consent_and_its_downgrade_opens_them_again(
    engine_at: Callable[[str], Engine],
) -> None:
    """0020: a referral's scope of consent is sealed with the data keys ``hub init`` gives (its
    own column, bound to its row); the scope of a referral erased before is not kept; the plain
    column is gone. The downgrade opens each scope into the plain column again."""
    keys = DataKeys([new_key()], source="test")
    engine = engine_at("0019_mail_office_hours")
    with engine.begin() as conn:
        ids = _referrals_of_0019(conn)
    upgrade(engine, data_keys=keys)
    columns = {c["name"] for c in inspect(engine).get_columns("referral")}
    assert "consent_scope" not in columns
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT id, consent_scope_sealed FROM referral")).all())
        everything = _rows_as_text(conn)
    kept = bytes(rows[ids["kept"]])
    assert keys.open(kept, f"referral:{ids['kept']}:consent_scope") == SCOPES["kept"]
    assert rows[ids["erased"]] is None
    for scope in SCOPES.values():
        assert scope not in everything
        assert "山田" not in everything
        assert scope.encode() not in kept
    downgrade(engine, "0019_mail_office_hours", data_keys=keys)
    with engine.connect() as conn:
        restored = dict(conn.execute(text("SELECT id, consent_scope FROM referral")).all())
    assert restored == {ids["kept"]: SCOPES["kept"], ids["erased"]: ""}
    assert "consent_scope_sealed" not in {
        c["name"] for c in inspect(engine).get_columns("referral")
    }


def test_0020_without_the_data_keys_refuses_and_changes_nothing(
    engine_at: Callable[[str], Engine],
) -> None:
    """Only ``hub init`` gives a migration the data keys; run without them where there are scopes
    to seal, 0020 says so and the database stays at 0019 with its scopes as they were."""
    engine = engine_at("0019_mail_office_hours")
    with engine.begin() as conn:
        ids = _referrals_of_0019(conn)
    with pytest.raises(DataKeysNeeded, match="hub init"):
        upgrade(engine)
    assert current_revision(engine) == "0019_mail_office_hours"
    with engine.connect() as conn:
        scopes = dict(conn.execute(text("SELECT id, consent_scope FROM referral")).all())
    assert scopes == {ids["kept"]: SCOPES["kept"], ids["erased"]: SCOPES["erased"]}


def _user(conn: Connection, email: str, role: str, code: str | None) -> int:
    conn.execute(
        text(
            "INSERT INTO user_account (email, display_name, password_hash, role,"
            " municipality_code, active, locale, session_version, created_at)"
            " VALUES (:email, '', 'x', :role, :code, true, 'ja', 1, '2026-04-01 00:00:00')"
        ),
        {"email": email, "role": role, "code": code},
    )
    return int(conn.execute(text("SELECT max(id) FROM user_account")).scalar_one())


def _answered(
    conn: Connection, round_id: int, code: str, steps: list[tuple[str, str, int, bool, bool]]
) -> int:
    """A response with its revisions, as ``_record`` wrote them before 0021: each step is
    (action, state, user, changed an answer, on the municipality's behalf), an hour apart."""
    conn.execute(
        text(
            "INSERT INTO response (round_id, municipality_code, state, version, answers,"
            " updated_on_behalf) VALUES (:round, :code, :state, :version, '{}', false)"
        ),
        {"round": round_id, "code": code, "state": steps[-1][1] if steps else "not_started",
         "version": len(steps)},
    )  # fmt: skip
    response_id = int(conn.execute(text("SELECT max(id) FROM response")).scalar_one())
    for number, (action, state, user, changed, on_behalf) in enumerate(steps, start=1):
        conn.execute(
            text(
                "INSERT INTO revision (response_id, number, action, state, answers, changes,"
                " source, user_id, on_behalf, created_at) VALUES (:response, :number, :action,"
                " :state, '{}', :changes, 'web', :user, :on_behalf, :at)"
            ),
            {"response": response_id, "number": number, "action": action, "state": state,
             "changes": '{"comments": [null, "x"]}' if changed else "{}", "user": user,
             "on_behalf": on_behalf, "at": f"2026-05-01 {number:02}:00:00"},
        )  # fmt: skip
    return response_id


def test_0021_names_who_entered_the_answers_as_the_revisions_did(
    engine_at: Callable[[str], Engine],
) -> None:
    """0021 fills the new columns by the rule the reads applied to the revisions: the last save
    or submit that changed an answer; while none did, the first save or submit; nothing for a
    response no one wrote. Acceptances, returns and unchanged submits on the municipality's
    behalf leave it."""
    engine = engine_at("0020_referral_scope_sealed")
    with engine.begin() as conn:
        for code, name in (("131016", "千代田区"), ("132012", "八王子市"), ("132039", "武蔵野市")):
            conn.execute(
                text(
                    "INSERT INTO municipality (code, prefecture_code, name, kana, name_en,"
                    " region, type, active) VALUES (:code, '13', :name, '', '', '区部', '', true)"
                ),
                {"code": code, "name": name},
            )
        conn.execute(
            text(
                "INSERT INTO survey (id, key, version, title, fingerprint, loaded_at,"
                " source_name) VALUES (1, 'torikumi', 1, '取組調査', 'f', '2026-04-01', '')"
            )
        )
        round_id = _round(conn, "令和8年度")
        staff = _user(conn, "staff@metro.tokyo.lg.jp", "staff", None)
        clerk = _user(conn, "clerk@city.chiyoda.lg.jp", "respondent", "131016")
        other = _user(conn, "clerk@city.hachioji.lg.jp", "respondent", "132012")
        entered_then_kept = _answered(conn, round_id, "131016", [
            ("save", "draft", clerk, True, False),
            ("save", "draft", clerk, True, False),
            ("submit", "submitted", staff, False, True),  # 都 submits the draft as it stands
            ("return", "draft", staff, False, False),
            ("save", "draft", staff, False, True),  # saved again unchanged on its behalf
            ("submit", "submitted", clerk, False, False),
            ("accept", "accepted", staff, False, False),
        ])  # fmt: skip
        carried_as_it_was = _answered(conn, round_id, "132012", [
            ("submit", "submitted", other, False, False),  # a carried draft, submitted as is
            ("return", "draft", staff, False, False),
            ("submit", "submitted", staff, False, True),
        ])  # fmt: skip
        changed_on_behalf = _answered(conn, round_id, "132039", [
            ("save", "draft", other, False, False),
            ("save", "draft", staff, True, True),
            ("submit", "submitted", other, False, False),
        ])  # fmt: skip
        second = _round(conn, "令和8年度（追加）")
        untouched = _answered(conn, second, "131016", [])
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, answers_entered_at, answers_entered_by_id, answers_entered_on_behalf"
                " FROM response"
            )
        )
        found = {
            id_: (str(at)[:16] if at is not None else None, by, bool(on_behalf))
            for id_, at, by, on_behalf in rows
        }
    assert found == {
        entered_then_kept: ("2026-05-01 02:00", clerk, False),
        carried_as_it_was: ("2026-05-01 01:00", other, False),
        changed_on_behalf: ("2026-05-01 02:00", staff, True),
        untouched: (None, None, False),
    }
    downgrade(engine, "0020_referral_scope_sealed")
    with engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("response")}
        assert not {c for c in columns if c.startswith("answers_entered")}
        assert conn.execute(text("SELECT count(*) FROM revision")).scalar_one() == 13
