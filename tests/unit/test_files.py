"""Files attached to deals: accepted kinds by real content, size limit, safe names."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest

from bpmn_sales.domain.files import ACCEPTED, MAX_FILE_BYTES, check_file, safe_filename
from bpmn_sales.errors import InvalidInput


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF87 = b"GIF87a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff,\x00\x00\x00\x00;"
GIF89 = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff,\x00\x00\x00\x00;"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 20 + b"[Content_Types].xml"
TEXT = "Compte rendu de visite: le client veut un devis. Prix: 1 200 €\n".encode()
CSV = b"name,value\nAcme,1200\nGlobex,300\n"

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("quote.pdf", PDF, "application/pdf"),
        ("photo.png", png(), "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("anim.gif", GIF87, "image/gif"),
        ("anim.gif", GIF89, "image/gif"),
        ("notes.txt", TEXT, "text/plain"),
        ("table.csv", CSV, "text/csv"),
        ("offer.docx", ZIP, DOCX),
        ("prices.xlsx", ZIP, XLSX),
        ("deck.pptx", ZIP, PPTX),
        ("offer.odt", ZIP, "application/vnd.oasis.opendocument.text"),
        ("prices.ods", ZIP, "application/vnd.oasis.opendocument.spreadsheet"),
    ],
)
def test_accepted_kinds(name: str, data: bytes, content_type: str) -> None:
    assert check_file(name, data) == content_type


def test_every_accepted_extension_is_covered() -> None:
    assert sorted(ACCEPTED) == [
        "csv",
        "docx",
        "gif",
        "jpeg",
        "jpg",
        "ods",
        "odt",
        "pdf",
        "png",
        "pptx",
        "txt",
        "xlsx",
    ]


@pytest.mark.parametrize("name", ["QUOTE.PDF", "Quote.Pdf", "archive.2026.pdf", "a b.pdf"])
def test_extension_is_case_insensitive_and_last(name: str) -> None:
    assert check_file(name, PDF) == "application/pdf"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("quote.pdf", png()),
        ("quote.pdf", b"PDF-1.7 without the percent sign"),
        ("quote.pdf", b" %PDF-1.7 leading blank"),
        ("photo.png", JPEG),
        ("photo.png", b"\x89PNG\r\n"),  # truncated signature
        ("photo.jpg", png()),
        ("photo.jpeg", b"\xff\xd8"),
        ("anim.gif", b"GIF88a" + b"\x00" * 10),
        ("offer.docx", PDF),
        ("offer.docx", b"PK\x05\x06" + b"\x00" * 18),  # an empty zip archive
        ("prices.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),  # old binary Office file
        ("offer.odt", TEXT),
    ],
)
def test_wrong_magic_is_refused(name: str, data: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_file(name, data)
    extension = name.rsplit(".", 1)[-1].lower()
    assert refused.value.message == f"file '{name}' is not a real .{extension} file"
    assert refused.value.field == "file"


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><body>hi</body></html>",
        b"<!doctype html>",
        b"<html><script>alert(1)</script></html>",
        b"  \n\t<HTML>",
        b"<script>alert(1)</script>",
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"<?xml version='1.0'?><svg/>",
        b"<body onload=alert(1)>",
        b"<iframe src=//evil>",
    ],
)
@pytest.mark.parametrize("name", ["notes.txt", "table.csv"])
def test_markup_disguised_as_text_is_refused(name: str, data: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_file(name, data)
    assert refused.value.message == f"file '{name}' is not plain text"
    assert refused.value.field == "file"


def test_angle_brackets_in_plain_text_are_fine() -> None:
    assert check_file("notes.txt", b"Use <b>bold</b> if a < b and b > c\n") == "text/plain"


@pytest.mark.parametrize(
    "data",
    [
        b"Notes first\n<html> later",
        b"\xef\xbb\xbf<!DOCTYPE html><p>x",
        b"<!-- comment --><script>alert(1)</script>",
        b"hello <img src=x onerror=alert(1)>",
    ],
)
def test_markup_anywhere_in_text_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_file("notes.txt", data)
    assert refused.value.message == "file 'notes.txt' is not plain text"


@pytest.mark.parametrize("data", [b"abc\x00def", b"\xff\xfeh\x00i\x00"])
def test_binary_disguised_as_text_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_file("notes.txt", data)
    assert refused.value.message == "file 'notes.txt' is not plain text"


def test_text_must_be_utf8() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_file("notes.txt", "café".encode("latin-1"))
    assert refused.value.message == "file 'notes.txt' is not UTF-8 text"
    assert refused.value.field == "file"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("logo.svg", "svg"),
        ("page.html", "html"),
        ("page.htm", "htm"),
        ("run.exe", "exe"),
        ("script.js", "js"),
        ("archive.zip", "zip"),
        ("notes.txt.html", "html"),
        ("README", "?"),
        ("trailing.", "?"),
    ],
)
def test_unaccepted_types(name: str, shown: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_file(name, b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    assert refused.value.message == (
        f"file '{name}': type .{shown} is not accepted "
        "(csv, docx, gif, jpeg, jpg, ods, odt, pdf, png, pptx, txt, xlsx)"
    )
    assert refused.value.field == "file"


def test_svg_is_refused_even_with_image_content() -> None:
    with pytest.raises(InvalidInput, match=r"type \.svg is not accepted"):
        check_file("logo.svg", png())


def test_empty_file_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_file("quote.pdf", b"")
    assert refused.value.message == "file 'quote.pdf' is empty"
    assert refused.value.field == "file"


def test_size_limit() -> None:
    assert check_file("notes.txt", b"x" * 10, max_bytes=10) == "text/plain"
    with pytest.raises(InvalidInput) as refused:
        check_file("notes.txt", b"x" * 11, max_bytes=10)
    assert refused.value.message == "file 'notes.txt' is 11 bytes; the limit is 10"
    assert refused.value.field == "file"


def test_default_size_limit_is_ten_megabytes() -> None:
    assert MAX_FILE_BYTES == 10 * 1024 * 1024
    assert check_file("big.pdf", PDF + b"\x00" * (MAX_FILE_BYTES - len(PDF))) == "application/pdf"
    with pytest.raises(InvalidInput) as refused:
        check_file("big.pdf", PDF + b"\x00" * (MAX_FILE_BYTES + 1 - len(PDF)))
    assert refused.value.message == "file 'big.pdf' is 10,485,761 bytes; the limit is 10,485,760"


def test_size_is_checked_before_content() -> None:
    with pytest.raises(InvalidInput, match="the limit is 4"):
        check_file("quote.pdf", b"not a pdf", max_bytes=4)


# --------------------------------------------------------------------------------------------
# safe_filename
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("quote.pdf", "quote.pdf"),
        ("  quote.pdf  ", "quote.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\boot.ini", "boot.ini"),
        ("/var/lib/app/secret.txt", "secret.txt"),
        ("C:\\Users\\alice\\Desktop\\offer.docx", "offer.docx"),
        ("dir/sub\\mixed/name.csv", "name.csv"),
        ("..", "file"),
        ("...", "file"),
        ("../", "file"),
        ("dir/", "file"),
        (".hidden", "hidden"),
        ("name.", "name"),
        ("a\x00b\n\r\t.pdf", "ab.pdf"),
        ("in\u202evoice\u200b.pdf", "invoice.pdf"),  # bidi override and zero-width space
        ("e\u0301te.txt", "\u00e9te.txt"),  # NFC
        ("Devis n°12 (v2).pdf", "Devis n°12 (v2).pdf"),
        ("\x7f", "file"),
    ],
)
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def test_safe_filename_keeps_the_last_200_characters() -> None:
    name = "x" * 300 + ".pdf"
    safe = safe_filename(name)
    assert len(safe) == 200
    assert safe.endswith("x.pdf")
    assert safe_filename("y" * 200) == "y" * 200


@pytest.mark.parametrize("name", [None, "", "   ", 5, b"quote.pdf", ["quote.pdf"]])
def test_safe_filename_needs_a_name(name: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        safe_filename(name)
    assert refused.value.message == "the file needs a name"
    assert refused.value.field == "file"


def test_safe_name_still_checks_as_its_type() -> None:
    assert check_file(safe_filename("../../quote.PDF"), PDF) == "application/pdf"
