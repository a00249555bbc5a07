"""Bytes to text for the encodings Russian, Japanese and Korean sites still serve."""

from __future__ import annotations

import codecs

import pytest

from pipelines.decode import decode_html, detect_encoding

RUSSIAN = "Россия и Китай: поворот на Восток, Дальний Восток и Северный морской путь"
JAPANESE = "ロシアと日本の北方領土問題、平和条約交渉の行方について"
KOREAN = "러시아와 북한의 포괄적 전략적 동반자 관계 조약"


def page(text: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("text", "encoding", "content_type", "meta"),
    [
        (RUSSIAN, "windows-1251", "text/html; charset=windows-1251", ""),
        (RUSSIAN, "koi8-r", "text/html; charset=KOI8-R", ""),
        (RUSSIAN, "windows-1251", "text/html", '<meta charset="windows-1251">'),
        (
            RUSSIAN,
            "koi8-r",
            None,
            '<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">',
        ),
        (JAPANESE, "shift_jis", "text/html; charset=Shift_JIS", ""),
        (JAPANESE, "shift_jis", "text/html", '<meta charset="shift_jis">'),
        (KOREAN, "euc-kr", "text/html; charset=EUC-KR", ""),
        (KOREAN, "euc-kr", None, '<meta charset="euc-kr">'),
        (RUSSIAN * 5, "windows-1251", None, ""),
        (JAPANESE * 5, "shift_jis", None, ""),
    ],
    ids=[
        "cp1251-header",
        "koi8r-header",
        "cp1251-meta",
        "koi8r-meta-http-equiv",
        "sjis-header",
        "sjis-meta",
        "euckr-header",
        "euckr-meta",
        "cp1251-detected",
        "sjis-detected",
    ],
)
def test_legacy_encodings_come_out_as_unicode(
    text: str, encoding: str, content_type: str | None, meta: str
) -> None:
    body = page(text, meta).encode(encoding)
    assert text in decode_html(body, content_type)


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
    ids=["utf8-bom", "utf16le-bom", "utf16be-bom"],
)
def test_bom_wins_over_a_wrong_header(bom: bytes, codec: str) -> None:
    body = bom + page(RUSSIAN).encode(codec)
    text = decode_html(body, "text/html; charset=windows-1251")
    assert RUSSIAN in text and not text.startswith("\ufeff")


def test_a_header_that_lies_is_not_trusted() -> None:
    body = page(RUSSIAN).encode("utf-8")
    assert RUSSIAN in decode_html(body, "text/html; charset=ascii")


def test_latin1_label_is_read_as_windows_1252() -> None:
    body = page("“quoted” – dash").encode("cp1252")
    assert "“quoted” – dash" in decode_html(body, "text/html; charset=iso-8859-1")


def test_undecodable_bytes_never_raise() -> None:
    assert isinstance(decode_html(b"\xff\xfe\xfa<p>x</p>\x80\x81", "text/html; charset=utf-8"), str)
    assert detect_encoding(b"", None)
