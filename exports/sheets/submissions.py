"""提出状況: every municipality's state, times, who last entered its answers, extension and return
reason."""

from __future__ import annotations

from exports.aggregate import submission_rows
from exports.tables import TITLES, Cell, Table, as_of
from hub.models import Round
from hub.models.survey import ANSWERS_ENTERED_AT, ANSWERS_ENTERED_BY, response_state_label


def submission_table(round_: Round, *, personal: bool = True) -> Table:
    entered_by = ANSWERS_ENTERED_BY.ja
    headers = [
        "団体コード",
        "区市町村",
        "地域",
        "状態",
        "提出日時",
        "受理日時",
        ANSWERS_ENTERED_AT.ja,
    ]
    if personal:
        headers.append(entered_by)
    headers += ["代理入力", "提出期限の延長", "差戻し理由"]
    rows: list[tuple[Cell, ...]] = []
    for r in submission_rows(round_):
        row: list[Cell] = [
            r.code,
            r.name,
            r.region,
            response_state_label(r.state, returned=r.return_reason is not None).ja,
            r.submitted_at,
            r.accepted_at,
            r.answers_updated_at,
        ]
        if personal:
            row.append(r.answers_updated_by)
        row += ["○" if r.on_behalf else "", r.extension_until, r.return_reason]
        rows.append(tuple(row))
    user_text = {len(headers) - 1}
    if personal:
        user_text.add(headers.index(entered_by))
    return Table.of(
        "submissions",
        f"{TITLES['submissions'].ja}（{as_of(round_)}）",
        headers,
        rows,
        user_text=frozenset(user_text),
        notes=(
            "日時は日本時間です。最終入力: 回答を最後に入力・変更した保存、提出、Excelの取り込み"
            "（受理・差戻しは含みません）。代理入力: それを東京都の職員が代理で行ったもの。",
        ),
        filterable=True,
        frozen_columns=2,
    )
