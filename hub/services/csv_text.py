"""The text of an uploaded CSV file, as Japanese offices save them."""

from __future__ import annotations

from flask_babel import gettext as _

from hub.errors import Invalid


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then Shift_JIS as Japanese Excel saves it (cp932);
    ``Invalid`` (key ``file``) when it is neither."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Invalid(
        {"file": [_("文字コードを判別できません（UTF-8 か Shift_JIS で保存してください）。")]}
    )
