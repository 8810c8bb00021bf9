"""What a file is, judged by its content (libmagic), and whether its name claims otherwise.

libmagic gives the family; containers are then looked into, cheaply: a zip's entry names
say xlsx/xlsb/docx/pptx/ods, an OLE file's streams (via msoffcrypto-tool) say xls/doc/ppt or
an encrypted OOXML package. The name only refines text (csv, html, eml), never overrides
what the bytes are.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass
from types import MappingProxyType

from ..charsets import utf16_codec
from .pieces import is_interrupt

_ZIP_MIMES = (
    "application/zip",
    "application/java-archive",
    "application/x-zip-compressed",
    "application/epub+zip",
)
_OLE_MIMES = (
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/x-ole-storage",
    "application/CDFV2",
    "application/encrypted",
    "application/vnd.ms-office",
    "application/vnd.ms-outlook",
)
_SIMPLE = MappingProxyType(
    {
        "application/pdf": "pdf",
        "application/vnd.ms-tnef": "tnef",
        "application/x-7z-compressed": "7z",
        "application/x-rar": "rar",
        "application/vnd.rar": "rar",
        "application/x-rar-compressed": "rar",
        "application/gzip": "gzip",
        "application/x-gzip": "gzip",
        "application/x-bzip2": "bzip2",
        "application/x-xz": "xz",
        "application/x-tar": "tar",
        "application/x-lzh-compressed": "lzh",
        "application/x-lha": "lzh",
        "application/vnd.ms-cab-compressed": "cab",
        "text/rtf": "rtf",
        "application/rtf": "rtf",
        "application/x-dosexec": "executable",
        "application/x-executable": "executable",
        "application/x-mach-binary": "executable",
        "application/x-sharedlib": "executable",
        "application/x-pie-executable": "executable",
        "application/x-msi": "executable",
        "application/vnd.microsoft.portable-executable": "executable",
    }
)
# libmagic's guesses without a signature: "data", and "DOS executable (COM)", which it
# also says of short CP932 and EUC-JP texts (a COM file has no header to check).
_WEAK_GUESSES = ("application/octet-stream", "application/x-dosexec")
_TEXT_MIMES = ("application/json", "application/xml", "application/javascript", "application/csv")
_TEXT_BYTES = bytes(range(0x20, 0x100)) + b"\t\n\r\f\x1b"  # ESC: ISO-2022-JP
# A 全銀協 transfer file's header record: "1", 種別コード (21 総合, 11/71 給与, 12/72 賞与), then
# digits, ASCII and CP932 half-width kana, and a data record "2" + bank code after it.
_ZENGIN_HEAD = re.compile(rb"1(?:11|12|21|71|72)[0-9 ][\x20-\x7e\xa1-\xdf]{116}(?:\r?\n)?2[0-9]{4}")
_OLE_BY_MIME = MappingProxyType(
    {"application/vnd.ms-excel": "xls", "application/msword": "doc", "application/vnd.ms-powerpoint": "ppt"}
)
_OOXML_MAIN = (
    (
        (
            b"spreadsheetml.sheet.main",
            b"spreadsheetml.template.main",
            b"ms-excel.sheet.macroEnabled.main",
            b"ms-excel.template.macroEnabled.main",
            b"ms-excel.addin.macroEnabled.main",
        ),
        "xlsx",
    ),
    ((b"ms-excel.sheet.binary.macroEnabled.main",), "xlsb"),
    (
        (
            b"wordprocessingml.document.main",
            b"wordprocessingml.template.main",
            b"ms-word.document.macroEnabled.main",
            b"ms-word.template.macroEnabledTemplate.main",
        ),
        "docx",
    ),
    (
        (
            b"presentationml.presentation.main",
            b"presentationml.slideshow.main",
            b"presentationml.template.main",
            b"ms-powerpoint.presentation.macroEnabled.main",
            b"ms-powerpoint.slideshow.macroEnabled.main",
        ),
        "pptx",
    ),
)
_OLE_FORMATS = MappingProxyType(
    {"xls97": "xls", "doc97": "doc", "ppt97": "ppt", "ooxml": "office-encrypted"}
)  # OOXML inside OLE: encrypted
_OFFICE = frozenset(
    {
        "xlsx",
        "xlsm",
        "xltx",
        "xltm",
        "xlam",
        "xlsb",
        "xls",
        "xlt",
        "docx",
        "docm",
        "dotx",
        "dotm",
        "doc",
        "dot",
        "pptx",
        "pptm",
        "ppsx",
        "potx",
        "ppt",
        "pps",
    }
)
_TEXTS = frozenset({"text", "csv", "html", "eml", "xml"})
_ZIP_FAMILY = frozenset({"zip", "xlsx", "xlsb", "docx", "pptx", "ods", "opendocument"})
_EXPECTED = MappingProxyType(
    {
        **dict.fromkeys(("xlsx", "xlsm", "xltx", "xltm", "xlam"), frozenset({"xlsx"})),
        "xlsb": frozenset({"xlsb"}),
        "xls": frozenset({"xls"}),
        "xlt": frozenset({"xls"}),
        "ods": frozenset({"ods"}),
        "odt": frozenset({"opendocument"}),
        "odp": frozenset({"opendocument"}),
        **dict.fromkeys(("docx", "docm", "dotx", "dotm"), frozenset({"docx"})),
        "doc": frozenset({"doc"}),
        "dot": frozenset({"doc"}),
        **dict.fromkeys(("pptx", "pptm", "ppsx", "potx"), frozenset({"pptx"})),
        "ppt": frozenset({"ppt"}),
        "pps": frozenset({"ppt"}),
        "pdf": frozenset({"pdf"}),
        "msg": frozenset({"msg", "eml"}),
        "zip": _ZIP_FAMILY,
        "7z": frozenset({"7z"}),
        "rar": frozenset({"rar"}),
        "gz": frozenset({"gzip"}),
        "tgz": frozenset({"gzip"}),
        "lzh": frozenset({"lzh"}),
        **dict.fromkeys(("csv", "tsv", "txt", "htm", "html", "xml", "json", "eml", "log"), _TEXTS),
        **dict.fromkeys(("jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp"), frozenset({"image"})),
        **dict.fromkeys(("exe", "dll", "msi", "scr", "com"), frozenset({"executable"})),
    }
)


@dataclass(frozen=True, kw_only=True)
class Kind:
    name: str  # "xlsx", "pdf", "zip", "text", "image", "other", ...
    mime: str  # what libmagic says
    encrypted: bool = False  # known from the container alone (OLE-wrapped Office files)


class TypeDetector:
    """Judges files by their content. libmagic's handle is python-magic's shared one, made
    once per process: loading the magic database per message cost more than reading a plain
    message."""

    def detect(self, data: bytes, filename: str = "", declared: str = "") -> Kind:
        """Never raises on any bytes: what cannot be identified is "other". libmagic is
        loaded by the first call, not at every start (`check`); if it is missing, that call
        raises ImportError, outside the net below, and the message fails closed."""
        import magic  # noqa: F401 -- here, so that a missing libmagic fails the message closed

        try:
            return self._detect(data, filename, declared)
        except Exception as exc:  # the container probes run library code on hostile bytes
            if is_interrupt(exc):
                raise
            return Kind(name="other", mime="application/octet-stream")

    def _detect(self, data: bytes, filename: str, declared: str) -> Kind:
        if not data:
            return Kind(name="empty", mime="application/x-empty")
        import magic  # loaded by detect(); a dictionary lookup from here on

        try:
            mime = magic.from_buffer(data[: 1 << 20], mime=True)
        except Exception:  # libmagic's own errors: judge by the bytes below
            mime = "application/octet-stream"
        if (
            data.startswith(b"PK\x03\x04")
            or mime in _ZIP_MIMES
            or "opendocument" in mime
            or mime.startswith("application/vnd.openxmlformats")
            or _zip_inside(data, mime)
        ):
            name, encrypted = _zip_kind(data, mime)
            return Kind(name=name, mime=mime, encrypted=encrypted)
        if data.startswith(b"\xd0\xcf\x11\xe0") or mime in _OLE_MIMES:
            name, encrypted = _ole_kind(data, mime, filename)
            return Kind(name=name, mime=mime, encrypted=encrypted)
        return Kind(name=_plain_kind(data, mime, filename, declared), mime=mime)


def _zip_kind(data: bytes, mime: str) -> tuple[str, bool]:
    """(kind, encrypted) of a zip-based file, from its declared content types."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        types = _small_member(archive, "[Content_Types].xml")
        opendocument = _small_member(archive, "mimetype")
        manifest = _small_member(archive, "META-INF/manifest.xml") if opendocument else b""
    except Exception:  # broken or encrypted: the zip extractor says which
        types, opendocument, manifest = b"", b"", b""
    for markers, kind in _OOXML_MAIN:
        if any(marker in types for marker in markers):
            return kind, False
    if opendocument:
        kind = "ods" if opendocument.strip().endswith(b"spreadsheet") else "opendocument"
        return kind, b"encryption-data" in manifest
    for marker, kind in (
        ("spreadsheetml", "xlsx"),
        ("wordprocessingml", "docx"),
        ("presentationml", "pptx"),
        ("opendocument.spreadsheet", "ods"),
    ):
        if marker in mime:
            return kind, False
    return "zip", False


def _small_member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return b""
    return archive.read(info) if info.file_size <= 1 << 20 else b""


def _zip_inside(data: bytes, mime: str) -> bool:
    """A zip that libmagic did not recognise (a self-extractor, leading padding)."""
    return mime == "application/octet-stream" and zipfile.is_zipfile(io.BytesIO(data))


def _ole_kind(data: bytes, mime: str, filename: str) -> tuple[str, bool]:
    """(kind, encrypted) of an OLE compound file: msoffcrypto-tool knows the Office ones
    and whether they are encrypted; for the rest (Outlook messages, BIFF5 workbooks, broken
    files) libmagic's verdict stands, and the reader finds out."""
    import msoffcrypto

    if mime == "application/vnd.ms-outlook" or _outlook_message(data, filename):
        return "msg", False
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        kind = _OLE_FORMATS.get(office.format, "ole")
    except Exception:
        return _OLE_BY_MIME.get(mime, "ole"), False
    try:
        return kind, kind == "office-encrypted" or bool(office.is_encrypted())
    except Exception:
        return kind, False


def _outlook_message(data: bytes, filename: str) -> bool:
    """An Outlook .msg (MS-OXMSG): its root holds the property stream; a compound file
    named .msg that olefile cannot open is one too, for its reader to call corrupt."""
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            return bool(ole.exists("__properties_version1.0") and ole.exists("__nameid_version1.0"))
    except Exception:
        return suffix(filename) == "msg"


def _plain_kind(data: bytes, mime: str, filename: str, declared: str) -> str:
    if _ZENGIN_HEAD.match(data) and not looks_like_text(data):
        return "text"  # a damaged transfer file: read as far as its records go
    if mime in _SIMPLE and not (mime in _WEAK_GUESSES and looks_like_text(data)):
        return _SIMPLE[mime]
    if mime == "image/vnd.dxf" and looks_like_text(data):
        return "text"  # an ASCII DXF drawing: its TEXT entities are text (a title block, notes)
    if mime.startswith(("image/", "audio/", "video/", "font/")):
        return "image" if mime.startswith("image/") else "media"
    if (
        mime.startswith("text/")
        or mime in _TEXT_MIMES
        or mime == "message/rfc822"
        or (mime in _WEAK_GUESSES and looks_like_text(data))
    ):
        return _text_kind(mime, suffix(filename), declared)
    # Text with a few control bytes sprinkled in is still text to whoever opens it.
    return "text" if mostly_text(data) else "other"


def _text_kind(mime: str, ext: str, declared: str) -> str:
    if mime == "message/rfc822" or declared == "message/rfc822" or ext == "eml":
        return "eml"
    if mime == "text/html" or declared == "text/html" or ext in ("htm", "html"):
        return "html"
    if mime in ("text/xml", "application/xml") or ext == "xml":
        return "xml"
    if (
        mime in ("text/csv", "application/csv")
        or ext in ("csv", "tsv")
        or declared in ("text/csv", "text/tab-separated-values", "application/vnd.ms-excel")
    ):
        return "csv"
    return "text"


def looks_like_text(data: bytes) -> bool:
    """No control bytes, and the start decodes in one of the encodings Japanese text comes
    in (libmagic calls CP932 text with bytes 0x80-0x9F "data"). UTF-16 without a BOM is
    text; so is text ending in DOS end-of-file marks (0x1A) or with a stray NUL or two,
    which libmagic calls "data" too."""
    sample = data[:8192]
    if not sample or sample.startswith(b"MZ"):
        return False
    if utf16_codec(sample):
        return True
    if len(data) <= len(sample):
        sample = sample.rstrip(b"\x1a")
    stray = sample.translate(None, _TEXT_BYTES)
    if stray.strip(b"\x00") or len(stray) > 1 + len(sample) // 256:
        return False
    for codec in ("utf-8", "cp932", "euc_jis_2004"):
        try:
            codecs.getincrementaldecoder(codec)().decode(sample, final=False)
            return True
        except UnicodeDecodeError:
            continue
    return False


def mostly_text(data: bytes) -> bool:
    """Text that control bytes were sprinkled into: the start decodes cleanly as UTF-8 or
    CP932 (random or binary bytes do not), has no NUL, and at least half of it is printable."""
    sample = data[:8192]
    if len(sample) < 16 or b"\x00" in sample:
        return False
    for codec in ("utf-8", "cp932"):
        text = sample.decode(codec, errors="replace")
        shown = sum(1 for c in text if c.isprintable() or c in "\t\r\n")
        if 2 * shown >= len(text) and text.count("\ufffd") <= len(text) // 100:
            return True
    return False


def suffix(filename: str) -> str:
    _, dot, ext = filename.rpartition(".")
    return ext.lower().strip() if dot else ""


def claims_readable(filename: str, readable: frozenset[str] | set[str]) -> bool:
    """Whether the name promises content of a kind in `readable` (a .csv, a .xlsx ...)."""
    return not resource_fork(filename) and bool(_EXPECTED.get(suffix(filename), frozenset()) & readable)


def resource_fork(filename: str) -> bool:
    """A macOS resource fork, which Archive Utility adds to every zip: metadata, no content."""
    return filename.startswith("__MACOSX/") or filename.rpartition("/")[2].startswith("._")


def mismatch(filename: str, kind: Kind) -> str | None:
    """Why the name and the content disagree, or None. Names without a known extension,
    and encrypted Office files (an OLE container whatever the extension), never do."""
    if resource_fork(filename):
        return None
    ext = suffix(filename)
    expected = _EXPECTED.get(ext)
    if expected is None or kind.name in expected or kind.name == "empty":
        return None
    if kind.name == "office-encrypted" and ext in _OFFICE:
        return None
    return f"name .{ext}, content {kind.mime}"
