"""提出状況: every municipality's state, times, last editor, extension and return reason."""

from __future__ import annotations

from exports.aggregate import submission_rows
from exports.tables import Cell, Table, as_of
from hub.models import Round
from hub.models.survey import response_state_label


def submission_table(round_: Round, *, personal: bool = True) -> Table:
    headers = ["団体コード", "区市町村", "地域", "状態", "提出日時", "受理日時", "最終更新日時"]
    if personal:
        headers.append("最終更新者")
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
            r.updated_at,
        ]
        if personal:
            row.append(r.updated_by)
        row += ["○" if r.on_behalf else "", r.extension_until, r.return_reason]
        rows.append(tuple(row))
    user_text = {len(headers) - 1}
    if personal:
        user_text.add(headers.index("最終更新者"))
    return Table.of(
        "submissions",
        f"提出状況（{as_of(round_)}）",
        headers,
        rows,
        user_text=frozenset(user_text),
        notes=("日時は日本時間です。代理入力: 最後の保存を東京都の職員が代理で行ったもの。",),
        filterable=True,
        frozen_columns=2,
    )
