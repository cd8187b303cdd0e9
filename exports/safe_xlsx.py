"""Is this upload a plain ``.xlsx`` that is safe to open? Checked before openpyxl reads a byte.

:func:`inspect_container` refuses, with a clear message in the user's language:

- anything larger than :attr:`Limits.max_bytes`, empty, an Excel 97-2003 (``.xls``) or
  password-protected file (an OLE container), or not a zip at all;
- a zip whose directory declares too many entries, duplicate names, encryption, an unknown
  compression method, a decompressed total over :attr:`Limits.max_unzipped_bytes` or an entry
  compressed more than :attr:`Limits.max_ratio` times (a zip bomb) — all read from the directory,
  before anything is decompressed;
- a workbook with macros (``vbaProject.bin`` or a macro content type) or without the main
  spreadsheet content type;
- any XML part holding a DTD or an entity declaration (billion laughs, external entities).

:func:`open_workbook` inspects and then opens the file with openpyxl in read-only mode (openpyxl
parses with defusedxml), turning its failures into :class:`UploadRejected`. Every reader of an
uploaded workbook (the answer template, the consultation-desk case list, questionnaire
definitions) goes through here.
"""

from __future__ import annotations

import io
import logging
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from flask_babel import gettext as _
from openpyxl import load_workbook

from hub.errors import HubError

log = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
CONTENT_TYPES = "[Content_Types].xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_TYPES = frozenset(
    {
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        "application/vnd.ms-excel.template.macroEnabled.main+xml",
        "application/vnd.ms-excel.addin.macroEnabled.main+xml",
        "application/vnd.ms-excel.sheet.binary.macroEnabled.main",
        "application/vnd.ms-office.vbaProject",
        "application/vnd.ms-office.vbaProjectSignature",
        "application/vnd.ms-excel.intlmacrosheet+xml",
        "application/vnd.ms-excel.macrosheet+xml",
        "application/vnd.ms-office.activeX+xml",
        "application/vnd.ms-office.activeX",
    }
)
XML_SUFFIXES = (".xml", ".rels", ".vml")
_DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)
_CHUNK = 64 * 1024


class UploadRejected(HubError):
    """The file itself cannot be read safely (damaged, unsafe XML, too many parts)."""

    status = 400


class UploadTooLarge(UploadRejected):
    status = 413


class NotAnXlsx(UploadRejected):
    status = 415


@dataclass(frozen=True)
class Limits:
    """How much an upload may hold; ``max_bytes`` follows the app's ``MAX_CONTENT_LENGTH``."""

    max_bytes: int = 5 * 1024 * 1024
    max_unzipped_bytes: int = 20 * 1024 * 1024
    max_entries: int = 200
    max_ratio: int = 100
    ratio_floor: int = 512 * 1024
    """Entries smaller than this decompressed are not ratio-checked: they cannot hurt."""
    max_rows: int = 1000

    @classmethod
    def for_upload(cls, max_content_length: int | None) -> Limits:
        return cls(max_bytes=max_content_length or cls.max_bytes)


def inspect_container(data: bytes, limits: Limits) -> None:
    """Refuse anything that is not a plain, reasonably sized ``.xlsx``, before openpyxl runs."""
    if len(data) > limits.max_bytes:
        raise UploadTooLarge(
            _(
                "ファイルが大きすぎます（上限 %(limit)s）。",
                limit=_megabytes(limits.max_bytes),
            )
        )
    if not data:
        raise NotAnXlsx(_("ファイルが空です。"))
    if data.startswith(OLE_MAGIC):
        raise NotAnXlsx(
            _(
                "Excel 97-2003 形式（.xls）またはパスワード付きのファイルは受け付けられません。"
                "パスワードを外し、「Excel ブック（.xlsx）」形式で保存し直してください。"
            )
        )
    if not data.startswith(ZIP_MAGIC):
        raise NotAnXlsx(
            _(
                "Excel ファイル（.xlsx）ではありません。"
                "Excel で「Excel ブック（.xlsx）」形式で保存したファイルを選んでください。"
            )
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            _check_entries(entries, limits)
            _check_content_types(archive)
            _check_no_dtd(archive, entries)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as exc:
        raise NotAnXlsx(
            _("ファイルが壊れているか、Excel ファイル（.xlsx）ではありません。")
        ) from exc


def open_workbook(data: bytes, limits: Limits, *, data_only: bool = False) -> Any:
    """The workbook, read-only, once :func:`inspect_container` passed; the caller closes it.

    ``data_only``: cell values as Excel last computed them instead of formulas.
    """
    inspect_container(data, limits)
    try:
        return load_workbook(
            io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False
        )
    except Exception as exc:
        raise unreadable(exc) from exc


def unreadable(exc: Exception) -> UploadRejected:
    """openpyxl failed: unsafe XML (it parses with defusedxml) or a damaged workbook."""
    if isinstance(exc, DefusedXmlException) or isinstance(exc.__cause__, DefusedXmlException):
        return UploadRejected(unsafe_xml_message())
    log.warning("unreadable xlsx upload: %r", exc)
    return UploadRejected(_("ファイルが壊れているため読み込めません。"))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def _check_entries(entries: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(entries) > limits.max_entries:
        raise UploadRejected(
            _("ファイルの構成要素が多すぎます（%(count)s 個）。", count=len(entries))
        )
    names = [entry.filename for entry in entries]
    if len(set(names)) != len(names):
        raise UploadRejected(_("ファイルの構成が正しくありません（同じ名前の要素があります）。"))
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise NotAnXlsx(_macro_message())
    total = 0
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise NotAnXlsx(_("暗号化されたファイルは受け付けられません。"))
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise NotAnXlsx(_("ファイルの圧縮形式に対応していません。"))
        total += entry.file_size
        too_dense = entry.file_size > limits.max_ratio * max(entry.compress_size, 1)
        if entry.file_size > limits.ratio_floor and too_dense:
            raise UploadTooLarge(_("展開すると極端に大きくなるファイルは受け付けられません。"))
    if total > limits.max_unzipped_bytes:
        raise UploadTooLarge(
            _(
                "展開後のサイズが大きすぎます（上限 %(limit)s）。",
                limit=_megabytes(limits.max_unzipped_bytes),
            )
        )


def _macro_message() -> str:
    return _(
        "マクロを含むファイル（.xlsm など）は受け付けられません。"
        "「Excel ブック（.xlsx）」形式で保存し直してください。"
    )


OPENDOCUMENT_MIMETYPE = b"application/vnd.oasis.opendocument."


def _is_opendocument(archive: zipfile.ZipFile) -> bool:
    """An OpenDocument file (LibreOffice's .ods): a zip whose ``mimetype`` entry says so."""
    try:
        info = archive.getinfo("mimetype")
    except KeyError:
        return False
    if info.file_size > 100:
        return False
    return archive.read(info).startswith(OPENDOCUMENT_MIMETYPE)


def opendocument_message() -> str:
    """What to do with a file LibreOffice saved in its own format."""
    return _(
        "OpenDocument 形式（.ods）のファイルは読み込めません。LibreOffice Calc では"
        "「ファイル」→「名前を付けて保存」で、ファイルの種類に「Excel 2007-365 (.xlsx)」を選んで"
        "保存し（形式の確認には「Excel 2007-365 形式を使用!」を選びます）、"
        "そのファイルをアップロードしてください。"
    )


def _check_content_types(archive: zipfile.ZipFile) -> None:
    try:
        raw = archive.read(CONTENT_TYPES)
    except KeyError:
        if _is_opendocument(archive):
            raise NotAnXlsx(opendocument_message()) from None
        raise NotAnXlsx(
            _(
                "Excel ブック（.xlsx）ではありません。Excel で「Excel ブック（.xlsx）」形式で"
                "保存したファイルをアップロードしてください。"
            )
        ) from None
    try:
        root = safe_fromstring(raw)
    except DefusedXmlException as exc:
        raise UploadRejected(unsafe_xml_message()) from exc
    except Exception as exc:
        raise NotAnXlsx(_("ファイルが壊れているため読み込めません。")) from exc
    types = {element.get("ContentType", "") for element in root.iter()}
    if types & MACRO_TYPES:
        raise NotAnXlsx(_macro_message())
    if XLSX_MAIN not in types:
        raise NotAnXlsx(
            _("Excel ブック（.xlsx）ではありません。「Excel ブック」形式で保存し直してください。")
        )


def _check_no_dtd(archive: zipfile.ZipFile, entries: Iterable[zipfile.ZipInfo]) -> None:
    """No part of an xlsx needs a DTD; one with a DTD is refused before any parser sees it."""
    for entry in entries:
        if not entry.filename.lower().endswith(XML_SUFFIXES):
            continue
        with archive.open(entry) as stream:
            tail = b""
            while chunk := stream.read(_CHUNK):
                window = tail + chunk
                if any(marker in window for marker in _DTD_MARKERS):
                    raise UploadRejected(unsafe_xml_message())
                tail = window[-32:]


def unsafe_xml_message() -> str:
    return _(
        "ファイルに安全でない XML（DTD・実体宣言）が含まれているため受け付けられません。"
        "Excel で開いて保存し直したファイルを使ってください。"
    )
