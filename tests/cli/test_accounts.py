"""``hub user deactivate EMAIL``, ``hub token list EMAIL`` and ``hub token revoke TOKEN_ID``: the
operator's answer at 2 a.m. to a clerk who left or a token that leaked, as the admin pages do it,
refusals in one line (Japanese, or English with ``--lang en``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forms.tokyo import format_datetime
from hub.db import db
from hub.models import ApiToken, AuditEvent, User
from hub.services.users import AccountUnusable, authenticate, create_token, find_by_email
from tests.cli.test_cli import one_line_error
from tests.conftest import PASSWORD, Api, make_user, sign_in


def reread(email: str) -> User:
    db.session.remove()
    user = find_by_email(email)
    assert user is not None
    return user


def audit(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


# ---------------------------------------------------------------------- user deactivate


def test_deactivate_ends_sessions_and_tokens_as_the_page_does(ctx, runner, client):
    user = make_user(role="staff", email="Clerk@example.jp")
    first, second = create_token(user), create_token(user, description="集計")
    db.session.commit()
    sign_in(client, "clerk@example.jp")
    assert client.get("/account/tokens").status_code == 200
    assert Api(client, first).get("/rounds").status_code == 200

    result = runner("user", "deactivate", "ＣＬＥＲＫ＠example.jp")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Clerk@example.jp を無効化しました。今のログインはすべて終了し、APIトークンはすべて"
        "無効にしました。\n"
    )
    api = client.application.test_client()
    assert Api(api, first).get("/rounds").status_code == 401
    assert Api(api, second).get("/rounds").status_code == 401
    signed_out = client.get("/account/tokens")
    assert signed_out.status_code == 302
    assert "/login" in signed_out.headers["Location"]
    gone = reread("clerk@example.jp")
    assert not gone.active
    with pytest.raises(AccountUnusable):
        authenticate("clerk@example.jp", PASSWORD)
    (deactivated,) = audit("user.deactivate")
    assert (deactivated.user_id, deactivated.target) == (None, "Clerk@example.jp")
    revoked = audit("token.revoke")
    assert [(e.user_id, e.target) for e in revoked] == [(None, "Clerk@example.jp")] * 2
    assert all(t is not None for t in db.session.scalars(select(ApiToken.revoked_at)))


def test_deactivate_refusals_are_one_line_in_japanese_or_english(ctx, runner):
    admin = make_user(role="admin", email="admin@example.jp")
    make_user(role="staff", email="gone@example.jp").active = False
    db.session.commit()
    for args, message in [
        (("nobody@example.jp",), "ユーザー nobody@example.jp は登録されていません。"),
        (("nobody@example.jp", "--lang", "en"), "No account is registered for nobody@example.jp."),
        (("gone@example.jp",), "gone@example.jp は既に無効化されています。"),
        (("gone@example.jp", "--lang", "en"), "gone@example.jp is already deactivated."),
        (
            ("admin@example.jp",),
            "有効なシステム管理者はこのアカウントだけのため、無効化できません。",
        ),
        (("admin@example.jp", "--lang", "en"), "This is the only active administrator account"),
    ]:
        one_line_error(runner("user", "deactivate", *args), message)
    assert reread("admin@example.jp").active
    assert audit("user.deactivate") == []

    make_user(role="admin", email="second@example.jp")
    done = runner("user", "deactivate", admin.email, "--lang", "en")
    assert done.exit_code == 0, done.output
    assert "admin@example.jp deactivated. All its sessions have ended" in done.output
    one_line_error(runner("user", "deactivate", "second@example.jp"), "無効化できません")
    assert reread("second@example.jp").active


# ---------------------------------------------------------------------------- token list


def test_token_list_shows_each_token_without_the_secret(ctx, runner, client):
    user = make_user(role="staff", email="sato@example.jp")
    old = create_token(user, description="都の集計\tシステム\n（本番）")
    new = create_token(user)
    db.session.commit()
    used = Api(client, new).get("/rounds")
    assert used.status_code == 200
    used.close()  # the use is written once the answer has gone
    old_id, new_id = (
        db.session.scalar(select(ApiToken.id).where(ApiToken.prefix == value[:8]))
        for value in (old, new)
    )
    assert runner("token", "revoke", str(old_id)).exit_code == 0
    db.session.remove()
    kept = {t.id: t for t in db.session.scalars(select(ApiToken))}

    result = runner("token", "list", "Sato@example.jp")
    assert result.exit_code == 0, result.output
    newest, oldest = (line.split("\t") for line in result.output.splitlines())
    assert newest == [
        str(new_id),
        f"{new[:8]}…",
        "-",
        format_datetime(kept[new_id].created_at),
        format_datetime(kept[new_id].last_used_at),  # type: ignore[arg-type]
        "有効",
    ]
    assert oldest == [
        str(old_id),
        f"{old[:8]}…",
        "都の集計 システム （本番）",  # its tab and line break as spaces: one line a token
        format_datetime(kept[old_id].created_at),
        "-",
        f"無効（{format_datetime(kept[old_id].revoked_at)}）",  # type: ignore[arg-type]
    ]
    assert "令和" in newest[3]
    for secret in (old, new, kept[old_id].token_hash, kept[new_id].token_hash):
        assert secret not in result.output

    english = runner("token", "list", "sato@example.jp", "--lang", "en").output.splitlines()
    assert english[0].split("\t")[3] == format_datetime(kept[new_id].created_at, "en")
    assert english[0].endswith("\tActive")
    assert "\tRevoked (" in english[1]


def test_token_list_of_no_tokens_and_of_no_account(ctx, runner):
    make_user(role="staff", email="none@example.jp")
    result = runner("token", "list", "none@example.jp")
    assert (result.exit_code, result.output) == (0, "トークンはありません。\n")
    one_line_error(runner("token", "list", "ghost@example.jp"), "ghost@example.jp")
    one_line_error(
        runner("token", "list", "ghost@example.jp", "--lang", "en"),
        "No account is registered for ghost@example.jp.",
    )


# -------------------------------------------------------------------------- token revoke


def test_token_revoke_works_at_once_and_is_audited(ctx, runner, client):
    user = make_user(role="respondent", municipality="131016", email="r@example.jp")
    leaked, other = create_token(user), create_token(user)
    db.session.commit()
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.prefix == leaked[:8]))
    assert Api(client, leaked).get("/rounds").status_code == 200

    result = runner("token", "revoke", str(token_id))
    assert result.exit_code == 0, result.output
    assert (
        result.output == f"トークン {token_id}（{leaked[:8]}…、r@example.jp）を無効にしました。\n"
    )
    assert Api(client, leaked).get("/rounds").status_code == 401
    assert Api(client, other).get("/rounds").status_code == 200, "only the one named"
    assert reread("r@example.jp").active
    (event,) = audit("token.revoke")
    assert (event.user_id, event.target, event.details) == (
        None,
        "r@example.jp",
        {"prefix": leaked[:8]},
    )

    one_line_error(runner("token", "revoke", str(token_id)), "このトークンは既に無効です。")
    one_line_error(
        runner("token", "revoke", str(token_id), "--lang", "en"),
        "This token has already been revoked.",
    )
    one_line_error(
        runner("token", "revoke", "999999"),
        "トークン 999999 はありません（番号は hub token list EMAIL で確かめてください）。",
    )
    one_line_error(runner("token", "revoke", "999999", "--lang", "en"), "There is no token 999999")
    one_line_error(  # beyond any id (PostgreSQL's integer): no token, not a database error
        runner("token", "revoke", "99999999999"),
        "トークン 99999999999 はありません（番号は hub token list EMAIL で確かめてください）。",
    )
    one_line_error(runner("token", "revoke", "hub_abcd"), "TOKEN_ID", status=2)
    assert len(audit("token.revoke")) == 1
