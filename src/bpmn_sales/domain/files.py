"""Files people attach to deals: which kinds are accepted, how large, and a safe name."""

from __future__ import annotations

import re
import unicodedata

from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _, formats

MAX_FILE_BYTES = 10 * 1024 * 1024
ZIP = b"PK\x03\x04"
# Extension -> (content type we store, magic prefixes the content must start with; () = text).
ACCEPTED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "txt": ("text/plain", ()),
    "csv": ("text/csv", ()),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,)),
    "odt": ("application/vnd.oasis.opendocument.text", (ZIP,)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (ZIP,)),
}
# Markup a browser would render if a text file were ever served inline.
_MARKUP = re.compile(
    rb"<\s*(!doctype|!--|html|head|body|script|svg|\?xml|iframe|img|object|embed|style|link|meta)",
    re.IGNORECASE,
)


def safe_filename(name: object) -> str:
    """The base name with path parts and control characters removed, at most 200 characters."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(_("the file needs a name"), field="file")
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(
        c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C"
    )
    base = base.strip().strip(".") or "file"
    return base[-200:]


def check_file(name: str, data: bytes, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Refuse files we do not accept; return the content type to store and serve."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ACCEPTED:
        kinds = ", ".join(sorted(ACCEPTED))
        raise InvalidInput(
            _(
                "file '%(name)s': type .%(extension)s is not accepted (%(kinds)s)",
                name=name,
                extension=extension or "?",
                kinds=kinds,
            ),
            field="file",
        )
    if not data:
        raise InvalidInput(_("file '%(name)s' is empty", name=name), field="file")
    if len(data) > max_bytes:
        raise InvalidInput(
            _(
                "file '%(name)s' is %(size)s bytes; the limit is %(most)s",
                name=name,
                size=formats.number(len(data)),
                most=formats.number(max_bytes),
            ),
            field="file",
        )
    content_type, magic = ACCEPTED[extension]
    if magic and not data.startswith(magic):
        raise InvalidInput(
            _("file '%(name)s' is not a real .%(extension)s file", name=name, extension=extension),
            field="file",
        )
    if not magic:
        if b"\x00" in data[:4096] or _MARKUP.search(data[:65536]):
            raise InvalidInput(_("file '%(name)s' is not plain text", name=name), field="file")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(
                _("file '%(name)s' is not UTF-8 text", name=name), field="file"
            ) from None
    return content_type
