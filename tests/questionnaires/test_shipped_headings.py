"""A database that stored the shipped torikumi before its ``headline_title`` (the 集計 heading
「区市町村の計画の策定状況」) gets the heading at the next ``hub init``: the workbook keeps the
heading it printed; nothing else of a stored version is ever changed."""

from __future__ import annotations

from dataclasses import replace

from flask import Flask
from sqlalchemy import select

from forms import registry
from hub.db import db
from hub.models import Survey
from hub.services import questionnaires, reference


def _store_as_before(app: Flask, **changed: object) -> None:
    """torikumi v1's row as a database kept it before the shipped file set its heading."""
    with app.app_context():
        before = questionnaires.canonical(
            replace(registry.get("torikumi", 1), headline_title=None, **changed)
        )
        survey = db.session.scalar(select(Survey).filter_by(key="torikumi", version=1))
        assert survey is not None
        survey.definition = before.data
        survey.fingerprint = before.questionnaire.fingerprint()
        db.session.commit()


def _stored_torikumi(app: Flask) -> Survey:
    with app.app_context():
        survey = db.session.scalar(select(Survey).filter_by(key="torikumi", version=1))
        assert survey is not None
        survey.questionnaire  # noqa: B018 -- parsed inside the context
        return survey


def test_hub_init_gives_a_stored_torikumi_the_heading_its_file_adds(app: Flask) -> None:
    _store_as_before(app)
    assert _stored_torikumi(app).questionnaire.headline_title is None

    with app.app_context():
        reference.load_surveys()
        db.session.commit()

    survey = _stored_torikumi(app)
    assert survey.questionnaire.headline_title == "区市町村の計画の策定状況"
    assert survey.fingerprint == registry.get("torikumi", 1).fingerprint()


def test_a_stored_version_that_differs_in_more_than_its_headings_is_kept_as_stored(
    app: Flask,
) -> None:
    shipped = registry.get("torikumi", 1)
    _store_as_before(app, title=replace(shipped.title, ja="取組状況調査（保存時の題名）"))
    kept = _stored_torikumi(app).fingerprint

    with app.app_context():
        reference.load_surveys()
        db.session.commit()

    survey = _stored_torikumi(app)
    assert survey.fingerprint == kept
    assert survey.questionnaire.title.ja == "取組状況調査（保存時の題名）"
    assert survey.questionnaire.headline_title is None
