"""Stored questionnaire definitions (調査票): import, check, draft and publish, list, export.

A definition is stored once per (id, version) and never changed: rounds keep the version they
were opened on, and the templates made from it still upload. What is stored is the XLSForm as
the hub writes it (:func:`forms.xlsform.write_xlsform`), read back before it is kept, so what a
round serves is exactly what was checked. Every refusal is a
:class:`~forms.xlsform.DefinitionError` listing each problem by sheet, row and column, and
nothing is stored.

An uploaded file goes through :func:`exports.definition_upload.read_definition` (the upload's
container checks first). The staff pages keep an upload as a :class:`QuestionnaireDraft` until it
is previewed and published; the CLI and the API publish at once. A draft nobody published is
discarded :data:`DRAFT_DAYS` after its upload (the scheduler's hourly housekeeping).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from exports.definition_upload import read_definition
from forms import registry
from forms.compare import Comparison, compare
from forms.model import Questionnaire
from forms.wording import listed
from forms.xlsform import DefinitionError, Problem, read_xlsform, write_xlsform
from forms.xlsform.starter import left_as_starter, starter
from hub.db import db
from hub.errors import NotFound
from hub.models import AuditEvent, QuestionnaireDraft, Round, Survey, User
from hub.services import audit

VERSION_ROW = 2
"""The row of ``settings`` that holds the values (row 1 is the header)."""


@dataclass(frozen=True)
class Canonical:
    """A definition as it will be stored: the hub's own XLSForm bytes and what they read as."""

    questionnaire: Questionnaire
    data: bytes
    skipped: tuple[tuple[int, str], ...] = ()
    ignored: tuple[str, ...] = ()
    """The uploaded file's rows read past (device metadata): the stored bytes no longer hold
    them, so only the upload can say so."""

    def notices(self) -> list[str]:
        """What the API and the CLI say of an accepted file: :meth:`read_past`, and that its id
        or title is still the starter file's (:func:`starter_warning`)."""
        warning = starter_warning(self.questionnaire)
        return [*([warning] if warning else []), *self.read_past()]

    def read_past(self) -> list[str]:
        """What of an accepted file the hub read past — device-metadata rows, and the columns,
        settings and rows it does not use, each named — as the page, the API and the CLI say
        it (the page shows the starter's warning on the draft's preview itself)."""
        notices = []
        if self.skipped:
            rows = listed(
                _("%(row)s行目 %(type)s", row=row, type=kind) for row, kind in self.skipped
            )
            notices.append(
                _(
                    "survey シートの次の行は、端末や回答時刻の記録（メタデータ）のため読み飛ばしました: "
                    "%(rows)s。ハブは、誰がいつ保存・提出したかを自動で記録します。",
                    rows=rows,
                )
            )
        if self.ignored:
            notices.append(
                _(
                    "ファイルの次の部分はハブでは使わないため読み飛ばしました。%(items)s",
                    items=" ".join(self.ignored),
                )
            )
        return notices


def starter_warning(questionnaire: Questionnaire) -> str:
    """Said when a file's ``form_id`` or ``form_title`` is still the starter file's (ひな形):
    published as is, it would be the example questionnaire, which nobody meant; empty otherwise.
    A warning, not a refusal: the guide promises the starter uploads as it is."""
    left = left_as_starter(questionnaire)
    if not left:
        return ""
    example = starter()
    if "form_id" in left:
        text = _(
            "settings シートの form_id が、ひな形の記入例のまま（%(id)s）です。"
            "このファイルは、調査票「%(id)s」（記入例）の第%(version)s版として扱われます。",
            id=example.id,
            version=questionnaire.version,
        )
    else:
        text = ""
    if "form_title" in left:
        text += _(
            "settings シートの form_title が、ひな形の記入例のまま（「%(title)s」）です。"
            "回答者にはこの名前が表示されます。",
            title=questionnaire.title.ja,
        )
    return text + _(
        "ひな形から調査票を作るときは、settings シートの %(columns)s を"
        "その調査票のものに書き換えてからアップロードしてください。",
        columns=listed(left),
    )


def canonical(questionnaire: Questionnaire) -> Canonical:
    """Write ``questionnaire`` and read it back: the stored bytes serve exactly this."""
    data = write_xlsform(questionnaire)
    stored = read_xlsform(data, f"{questionnaire.id}.xlsx")
    if stored.fingerprint() != questionnaire.fingerprint():  # round trip tested; names a gap
        raise DefinitionError([Problem("", None, "", _("この定義はハブの形式で書き戻せません。"))])
    return Canonical(stored, data)


class AlreadyStored(Exception):
    """The file is a version already stored, unchanged (``hub questionnaire export`` of it): for
    the CLI and the API nothing to do, and not an error."""

    def __init__(self, survey: Survey) -> None:
        super().__init__(f"{survey.key} v{survey.version}")
        self.key, self.version, self.title = survey.key, survey.version, survey.title


def identical_stored(questionnaire: Questionnaire) -> Survey | None:
    """The stored version of the same id and version whose definition is the same."""
    survey = db.session.scalar(
        select(Survey).where(
            Survey.key == questionnaire.id, Survey.version == questionnaire.version
        )
    )
    if survey is None or survey.fingerprint != questionnaire.fingerprint():
        return None
    return survey


def read_upload(data: bytes, filename: str, *, stored_ok: bool = False) -> Canonical:
    """An uploaded file, checked as a whole and against what is stored (the version). With
    ``stored_ok`` a version already stored unchanged raises :class:`AlreadyStored` instead of
    the version's refusal (an exported questionnaire imports back)."""
    questionnaire = read_definition(data, filename)
    if stored_ok and (same := identical_stored(questionnaire)) is not None:
        raise AlreadyStored(same)
    check_version(questionnaire)
    return replace(
        canonical(questionnaire), skipped=questionnaire.skipped, ignored=questionnaire.ignored
    )


def latest_version(key: str) -> int | None:
    return db.session.scalar(select(func.max(Survey.version)).where(Survey.key == key))


@dataclass(frozen=True)
class VersionComparison:
    comparison: Comparison
    last_round: Round | None = None
    """The latest round of the questionnaire, when it used the version compared with."""
    earlier: Questionnaire | None = None
    """The version compared with, whose labels say its rules in words."""


def changes_for_draft(questionnaire: Questionnaire) -> list[VersionComparison]:
    """What ``questionnaire`` (a draft) changes from the latest stored version of its id and,
    when the latest round used an earlier version, from that one too: the answers a new round
    carries were given on that version. Each question is compared with the one it was there,
    ``renamed`` followed across every stored version between (:mod:`forms.lineage`). Empty
    for a questionnaire stored for the first time."""
    stored = latest_version(questionnaire.id)
    if stored is None:
        return []
    last_round = db.session.scalars(
        select(Round)
        .join(Survey, Survey.id == Round.survey_id)
        .where(Survey.key == questionnaire.id)
        .order_by(Round.reference_date.desc(), Round.id.desc())
        .limit(1)
    ).first()
    used = last_round.survey.version if last_round is not None else stored
    lineage = None
    if questionnaire.version > stored:
        versions = db.session.scalars(
            select(Survey).where(Survey.key == questionnaire.id).order_by(Survey.version)
        )
        lineage = registry.lineage_of([*(s.questionnaire for s in versions), questionnaire])
    found = []
    for version in sorted({stored, used}, reverse=True):
        earlier = get_version(questionnaire.id, version).questionnaire
        names = None
        if lineage is not None:
            names = {
                q.id: lineage.name_in(questionnaire.version, q.id, version)
                for q in questionnaire.questions
            }
        found.append(
            VersionComparison(
                compare(earlier, questionnaire, names),
                last_round if version == used else None,
                earlier,
            )
        )
    return found


def unclosed_rounds(key: str) -> list[Round]:
    """The rounds of questionnaire ``key`` not closed (open, or not yet open), oldest first:
    each keeps the version it was opened on whatever is published after it."""
    return list(
        db.session.scalars(
            select(Round)
            .join(Survey, Survey.id == Round.survey_id)
            .where(Survey.key == key, Round.closed_at.is_(None))
            .order_by(Round.reference_date, Round.id)
        )
    )


def check_version(questionnaire: Questionnaire) -> None:
    """A new version must be higher than every stored one of the same id; an id that differs
    from a stored one only in case (``TORIKUMI``, ``torikumi``) is refused naming it: ids are
    compared exactly everywhere, and two questionnaires so named would be taken for one."""
    twin = db.session.scalar(
        select(Survey.key)
        .where(func.lower(Survey.key) == questionnaire.id.lower(), Survey.key != questionnaire.id)
        .limit(1)
    )
    if twin is not None:
        message = _(
            "form_id「%(id)s」は登録済みの「%(stored)s」と大文字・小文字だけが違います。同じ"
            "調査票の新しい版なら「%(stored)s」と書き、別の調査票なら別の名前にしてください。",
            id=questionnaire.id,
            stored=twin,
        )
        raise DefinitionError([Problem("settings", VERSION_ROW, "form_id", message)])
    stored = latest_version(questionnaire.id)
    if stored is None or questionnaire.version > stored:
        return
    message = _(
        "version %(version)s の「%(id)s」は登録できません。登録済みの版（第%(stored)s版）より"
        "大きい version にしてください。登録した版は変更できません。",
        version=questionnaire.version,
        id=questionnaire.id,
        stored=stored,
    )
    raise DefinitionError([Problem("settings", VERSION_ROW, "version", message)])


def import_definition(data: bytes, filename: str, *, user: User | None = None) -> Survey:
    """Read, check and store an uploaded definition (the CLI and the API)."""
    return store(read_upload(data, filename), source_name=filename, user=user)


def store(
    definition: Canonical,
    *,
    source_name: str,
    user: User | None,
    audited: bool = True,
    draft: int | None = None,
) -> Survey:
    """Keep a checked definition as a new stored version (audited unless shipped; ``draft``:
    the number of the draft it was published from, which the audit event names)."""
    questionnaire = definition.questionnaire
    check_version(questionnaire)
    survey = Survey(
        key=questionnaire.id,
        version=questionnaire.version,
        title=questionnaire.title.ja,
        fingerprint=questionnaire.fingerprint(),
        definition=definition.data,
        source_name=source_name[:255],
        imported_by_id=user.id if user is not None else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(survey)
            db.session.flush()
    except IntegrityError:  # the same version stored meanwhile by another request
        check_version(questionnaire)
        raise
    registry.remember(questionnaire)
    if not audited:
        return survey
    details: dict[str, Any] = {"file": source_name[:255]}
    if draft is not None:
        details["draft"] = draft
    audit.record(
        "questionnaire.import",
        user=user,
        target=_target(questionnaire.id, questionnaire.version),
        **details,
    )
    return survey


def store_shipped(questionnaire: Questionnaire, source_name: str) -> Survey:
    """A definition shipped in ``forms/definitions/`` (``hub init``): stored once, then kept.

    A row made before definitions were stored gets its definition; a stored one is never
    changed (a changed file must come as a new version) — but for what the file adds of
    :data:`HEADINGS_ONLY`, which heads tables and asks nothing (torikumi's 集計 heading,
    「区市町村の計画の策定状況」, that databases storing torikumi before it had kept printing)."""
    survey = db.session.scalar(
        select(Survey).filter_by(key=questionnaire.id, version=questionnaire.version)
    )
    if survey is None:
        return store(
            _shipped_canonical(questionnaire), source_name=source_name, user=None, audited=False
        )
    if survey.definition is None or _adds_headings_only(survey, questionnaire):
        definition = _shipped_canonical(questionnaire)
        survey.definition = definition.data
        survey.title = questionnaire.title.ja
        survey.fingerprint = questionnaire.fingerprint()
        survey.source_name = source_name
        db.session.flush()
    return survey


_SHIPPED_CANONICAL: dict[str, Canonical] = {}


def _shipped_canonical(questionnaire: Questionnaire) -> Canonical:
    """:func:`canonical` of a shipped definition, worked out once per process (by its
    fingerprint, which any change to the file changes): writing and reading it back costs a
    third of a second, and every fresh database — ``hub init``, each test's — stores the same
    files."""
    key = questionnaire.fingerprint()
    if key not in _SHIPPED_CANONICAL:
        _SHIPPED_CANONICAL[key] = canonical(questionnaire)
    return _SHIPPED_CANONICAL[key]


HEADINGS_ONLY = ("headline_title",)
"""Settings that head the workbook's tables and change nothing asked or answered: a shipped file
that adds them reaches a version stored without them."""


def _adds_headings_only(survey: Survey, shipped: Questionnaire) -> bool:
    """Whether ``shipped`` is what ``survey`` stores but for settings of :data:`HEADINGS_ONLY` it
    adds (the stored version having none of them)."""
    unset: dict[str, Any] = dict.fromkeys(HEADINGS_ONLY)
    if replace(shipped, **unset).fingerprint() != survey.fingerprint:
        return False
    stored = survey.questionnaire
    return all(getattr(stored, n) is None for n in HEADINGS_ONLY) and any(
        getattr(shipped, n) is not None for n in HEADINGS_ONLY
    )


# ------------------------------------------------------------------------------ finding


def stored_versions() -> list[Survey]:
    """Every stored version, by id and version."""
    return list(db.session.scalars(select(Survey).order_by(Survey.key, Survey.version)))


def get_version(key: str, version: int | None = None) -> Survey:
    """A stored version (the latest without ``version``); ``NotFound`` names what exists."""
    query = select(Survey).where(Survey.key == key)
    if version is not None:
        query = query.where(Survey.version == version)
    survey = db.session.scalar(query.order_by(Survey.version.desc()).limit(1))
    if survey is not None:
        return survey
    if version is not None and latest_version(key) is not None:
        raise NotFound(_("調査票 %(id)s の第%(version)s版はありません。", id=key, version=version))
    known = ", ".join(sorted({s.key for s in stored_versions()})) or "-"
    raise NotFound(_("調査票 %(id)s はありません（登録済み: %(known)s）。", id=key, known=known))


def rounds_by_survey() -> dict[int, list[Round]]:
    """The rounds opened on each stored version (``survey.id`` → rounds, newest first)."""
    found: dict[int, list[Round]] = {}
    for round_ in db.session.scalars(
        select(Round).order_by(Round.reference_date.desc(), Round.id.desc())
    ):
        found.setdefault(round_.survey_id, []).append(round_)
    return found


def export(key: str, version: int | None = None) -> tuple[Survey, bytes]:
    """A stored version as an XLSForm file (what reading it back gives is the same)."""
    survey = get_version(key, version)
    return survey, write_xlsform(survey.questionnaire)


# ------------------------------------------------------------------------------- drafts


def create_draft(data: bytes, filename: str, *, user: User) -> QuestionnaireDraft:
    """Keep an upload for preview; refused files are not kept."""
    return keep_draft(read_upload(data, filename), filename, user=user)


def keep_draft(definition: Canonical, filename: str, *, user: User) -> QuestionnaireDraft:
    """Keep a definition read by :func:`read_upload` for preview."""
    questionnaire = definition.questionnaire
    draft = QuestionnaireDraft(
        key=questionnaire.id,
        version=questionnaire.version,
        title=questionnaire.title.ja,
        fingerprint=questionnaire.fingerprint(),
        definition=definition.data,
        source_name=filename[:255],
        uploaded_by_id=user.id,
    )
    db.session.add(draft)
    db.session.flush()
    registry.remember(questionnaire)
    audit.record(
        "questionnaire.draft",
        user=user,
        target=_target(draft.key, draft.version),
        file=draft.source_name,
        draft=draft.id,
    )
    return draft


def get_draft(draft_id: int) -> QuestionnaireDraft:
    """A draft by its number; one no longer kept is a ``NotFound`` saying why, as the audit log
    recorded it (another tab still shows it)."""
    draft = db.session.get(QuestionnaireDraft, draft_id)
    if draft is None:
        raise NotFound(why_gone(draft_id))
    return draft


def rivals(draft: QuestionnaireDraft) -> list[QuestionnaireDraft]:
    """The other drafts of the same form_id and version: publishing any one drops the others
    (a version is stored once), so each draft's page names them."""
    return list(
        db.session.scalars(
            select(QuestionnaireDraft)
            .where(
                QuestionnaireDraft.key == draft.key,
                QuestionnaireDraft.version == draft.version,
                QuestionnaireDraft.id != draft.id,
            )
            .order_by(QuestionnaireDraft.id)
        )
    )


@dataclass(frozen=True)
class DraftName:
    """How pages name a draft to staff once its row is gone: number, file and version."""

    id: int
    source_name: str
    version: int


@dataclass(frozen=True)
class Published:
    survey: Survey
    dropped: tuple[DraftName, ...]
    """The drafts of the same form_id at this version or a lower one, dropped with it: none of
    them could be published any more."""


def publish_draft(draft: QuestionnaireDraft, *, user: User) -> Published:
    """Store a previewed draft as a new version (checked again: another may have come first);
    the other drafts it leaves unpublishable are dropped, each audited as
    ``questionnaire.supersede`` (numbers and versions only) so that their pages can say why."""
    definition = Canonical(draft.questionnaire, draft.definition)
    survey = store(definition, source_name=draft.source_name, user=user, draft=draft.id)
    dropped = list(
        db.session.scalars(
            select(QuestionnaireDraft)
            .where(
                QuestionnaireDraft.key == draft.key,
                QuestionnaireDraft.version <= draft.version,
                QuestionnaireDraft.id != draft.id,
            )
            .order_by(QuestionnaireDraft.id)
        )
    )
    for other in dropped:
        audit.record(
            "questionnaire.supersede",
            user=user,
            target=_target(other.key, other.version),
            draft=other.id,
            published_draft=draft.id,
            version=draft.version,
        )
    db.session.execute(
        delete(QuestionnaireDraft).where(
            QuestionnaireDraft.key == draft.key, QuestionnaireDraft.version <= draft.version
        )
    )
    db.session.flush()
    return Published(survey, tuple(DraftName(d.id, d.source_name, d.version) for d in dropped))


def discard_draft(draft: QuestionnaireDraft, *, user: User) -> None:
    audit.record(
        "questionnaire.discard",
        user=user,
        target=_target(draft.key, draft.version),
        file=draft.source_name,
        draft=draft.id,
    )
    db.session.delete(draft)
    db.session.flush()


GONE_ACTIONS = (
    "questionnaire.import",
    "questionnaire.supersede",
    "questionnaire.discard",
    "questionnaire.expire",
)
"""The audit events that end a draft, each naming it (``draft``: its number)."""


def why_gone(draft_id: int) -> str:
    """Why draft ``draft_id`` is no longer kept, as the audit log recorded it; the general
    reasons when it recorded nothing (a number never given, or a draft ended before the log
    named drafts)."""
    event = db.session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.action.in_(GONE_ACTIONS),
            AuditEvent.details["draft"].as_integer() == draft_id,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return _(
            "この調査票の下書きはありません（公開済みか、取り消されました）。"
            "同じ版の別の下書きが公開されると、この下書きは取り消されます。"
        )
    details = event.details
    key, _slash, version = event.target.removeprefix("questionnaire/").rpartition("/")
    if event.action == "questionnaire.import":
        return _(
            "下書き%(id)sは公開済みです（%(key)s 第%(version)s版）。",
            id=draft_id,
            key=key,
            version=version,
        )
    if event.action == "questionnaire.supersede":
        if str(details.get("version")) == version:
            return _(
                "下書き%(id)sは、同じ版（第%(version)s版）の下書き%(other)sが公開されたため、"
                "取り消されました。",
                id=draft_id,
                version=version,
                other=details.get("published_draft"),
            )
        return _(
            "下書き%(id)s（第%(version)s版）は、第%(newer)s版の下書き%(other)sが公開されたため、"
            "取り消されました。",
            id=draft_id,
            version=version,
            newer=details.get("version"),
            other=details.get("published_draft"),
        )
    if event.action == "questionnaire.expire":
        return ngettext(
            "下書き%(id)sは、アップロードから%(days)s日間公開されなかったため破棄されました。",
            "下書き%(id)sは、アップロードから%(days)s日間公開されなかったため破棄されました。",
            DRAFT_DAYS,
            id=draft_id,
            days=DRAFT_DAYS,
        )
    return _("下書き%(id)sは取り消されました。", id=draft_id)


DRAFT_DAYS = 90
"""How long an unpublished draft is kept: staff upload the file again to go on with it."""


def expire_drafts(now: datetime) -> int:
    """Discard the drafts uploaded more than :data:`DRAFT_DAYS` ago, each audited as
    ``questionnaire.expire``; how many."""
    old = db.session.scalars(
        select(QuestionnaireDraft).where(
            QuestionnaireDraft.uploaded_at < now - timedelta(days=DRAFT_DAYS)
        )
    ).all()
    for draft in old:
        audit.record(
            "questionnaire.expire",
            user=None,
            target=_target(draft.key, draft.version),
            file=draft.source_name,
            uploaded_at=draft.uploaded_at.isoformat(),
            draft=draft.id,
        )
        db.session.delete(draft)
    db.session.flush()
    return len(old)


def _target(key: str, version: int) -> str:
    """How the audit log names a questionnaire version: ``questionnaire/torikumi/2``."""
    return f"questionnaire/{key}/{version}"
