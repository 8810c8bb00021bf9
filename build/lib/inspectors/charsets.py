"""Decoding text the way Japanese mail really encodes it.

Declared charsets are often wrong or too narrow: Shift_JIS mail is written by Windows in CP932
(Python's `shift_jis` fails on ① and 髙), ISO-2022-JP mail carries the Microsoft extensions
(CP50220/50221, which no Python codec reads), 8-bit text arrives declared as us-ascii or not
declared at all, and headers carry raw CP932 or UTF-8 bytes and encoded-words split in the
middle of a character. Decoding never raises: the last resort is replacement characters.
"""

from __future__ import annotations

import binascii
import codecs
import re

# Wider supersets first: a message declared with the narrow name decodes with the wide one.
_SUPERSETS = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "ms932": "cp932",
    "ms_kanji": "cp932",
    "csshiftjis": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "iso-2022-jp-1": "iso2022_jp_ext",
    "csiso2022jp": "iso2022_jp_ext",
    "iso-2022-jp-ms": "iso2022_jp_ext",
    "iso-2022-jp-2004": "iso2022_jp_2004",
    "iso-2022-jp-2": "iso2022_jp_2",
    "iso-2022-jp-3": "iso2022_jp_3",
    "euc-jp": "euc_jis_2004",
    "x-euc-jp": "euc_jis_2004",
    "cseucpkdfmtjapanese": "euc_jis_2004",
    "us-ascii": "ascii",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
}
_JAPANESE = ["cp932", "euc_jis_2004"]
_SAMPLE = 8192
# UTF-32's little-endian mark starts with UTF-16's: it is looked for first.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SINGLE_BYTE_PREFIXES = ("iso8859", "cp125", "koi8", "mac-", "cp437", "cp85", "cp86", "tis-620")
# Codecs that are no mail charset: a part declared in one of them is decoded as undeclared.
# (idna and punycode raise on ordinary text and punycode is quadratic; "undefined" always raises.)
_NOT_CHARSETS = frozenset({"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape"})
_ISO2022_ESCAPE = re.compile(rb"\x1b(\(B|\(J|\(I|\$@|\$B|\$\(D|\$\(Q|\$\(O|\$A|\$\(C|\.A|\.F|N)")


def codec_for(charset: str | None) -> str | None:
    """Python's codec for a declared charset name, widened to what mailers mean by it."""
    if not charset:
        return None
    name = str(charset).strip().strip('"').lower()
    name = _SUPERSETS.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if info.name in _NOT_CHARSETS or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text of `data`, declared as `charset` (or not), whatever it really is."""
    if not data:
        return ""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    if b"\x00" in data[:_SAMPLE]:
        utf16 = utf16_codec(data)
        if utf16:
            return data.decode(utf16, errors="replace")
    declared = codec_for(charset)
    if b"\x1b" in data and data.isascii() and _ISO2022_ESCAPE.search(data):
        return _decode_iso2022(data, declared)
    if data.isascii():
        return _strict(data, declared) or data.decode("ascii")
    # Valid UTF-8 with non-ASCII bytes is never accidental: CP932 and EUC-JP kana are not
    # valid UTF-8 sequences. So it wins over any declaration (mailers mislabel it).
    text = _strict(data, "utf-8")
    if text is not None:
        return text
    if declared and not _single_byte(declared):
        text = _strict(data, declared)
        if text is not None:
            return text
    return _detect(data, declared if declared and _single_byte(declared) else None)


def utf16_codec(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" for UTF-16 text without a BOM (Excel's "Unicode text",
    tools that drop the BOM), else None. Judged by where the NULs are: every character below
    U+0100 (digits, commas, tabs, line breaks, Latin) has a zero high byte, so one side of
    the byte pairs is full of NULs and the other almost free of them."""
    sample = data[: _SAMPLE - _SAMPLE % 2] if len(data) > _SAMPLE else data[: len(data) - len(data) % 2]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    for zeros, others, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros >= 4 and zeros * 5 >= pairs and others * 20 <= zeros:
            text = codecs.getincrementaldecoder(codec)("replace").decode(sample)
            controls = sum(1 for c in text if c < " " and c not in "\t\r\n\f\x1a\x00")
            if "\ufffd" not in text and controls * 100 <= len(text):
                return codec
    return None


def _strict(data: bytes, codec: str | None) -> str | None:
    if not codec:
        return None
    try:
        return data.decode(codec)
    except (UnicodeError, LookupError, ValueError):  # UnicodeError: idna and kin
        return None


def _single_byte(codec: str) -> bool:
    """Latin-1 and friends decode almost any bytes, so a strict decode proves nothing."""
    return codec.startswith(_SINGLE_BYTE_PREFIXES) or codec in ("latin-1", "ascii")


def _detect(data: bytes, declared_single_byte: str | None) -> str:
    """Japanese first: a text that decodes in only one of CP932 and EUC-JP is in that one
    (charset-normalizer gives up on short texts full of ① and half-width kana). Otherwise
    charset-normalizer chooses among the candidates that decode, and among everything
    when none does."""
    import charset_normalizer  # here: most mail declares its charset, and `check` starts faster

    candidates = _JAPANESE + ([declared_single_byte] if declared_single_byte else [])
    decoded = {
        codecs.lookup(codec).name: text for codec in candidates if (text := _strict(data, codec)) is not None
    }
    japanese = [codec for codec in _JAPANESE if codec in decoded]
    if len(japanese) == 1 and len(decoded) == 1:
        return decoded[japanese[0]]
    if decoded:
        best = charset_normalizer.from_bytes(data[:200_000], cp_isolation=list(decoded)).best()
        chosen = codec_for(best.encoding) if best else None
        return (decoded.get(chosen) if chosen is not None else None) or next(iter(decoded.values()))
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    text = _strict(data, best.encoding) if best else None
    if text is None:  # short Western text is what charset-normalizer cannot place
        text = _strict(data, declared_single_byte or "cp1252")
    return text if text is not None else data.decode("cp932", errors="replace")


def _decode_iso2022(data: bytes, declared: str | None) -> str:
    order = [declared] if declared and declared.startswith("iso2022_jp") else []
    if declared != "iso2022_jp_2004":
        order.insert(0, "iso2022_jp_ext")
    for codec in order:
        text = _strict(data, codec)
        if text is not None:
            return text
    text = iso2022jp_as_cp932(data)
    if text is not None:
        return text
    for codec in ("iso2022_jp_2004", "iso2022_jp_2", "iso2022_jp_3"):
        text = _strict(data, codec)
        if text is not None:
            return text
    return data.decode("iso2022_jp_ext", errors="replace")


def iso2022jp_as_cp932(data: bytes) -> str | None:
    """ISO-2022-JP as Microsoft writes it (CP50220/50221): JIS rows 13 (①) and 89-92 (髙)
    are NEC and IBM extensions that only CP932 knows, so each JIS pair is moved to its
    Shift_JIS position and the result decoded as CP932. None when it is not that."""
    out = bytearray()
    mode = b"(B"
    for i, chunk in enumerate(_ISO2022_ESCAPE.split(data)):
        if i % 2:
            mode = chunk
        elif mode in (b"$B", b"$@"):
            pairs = chunk.rstrip(b"\r\n")
            if len(pairs) % 2 or not all(0x21 <= b <= 0x7E for b in pairs):
                return None
            for j1, j2 in zip(pairs[::2], pairs[1::2]):
                out += _jis_to_sjis(j1, j2)
            out += chunk[len(pairs) :]
        elif mode == b"(I":
            out += bytes(b | 0x80 for b in chunk)
        elif mode in (b"(B", b"(J"):
            out += chunk
        else:
            return None
    return _strict(bytes(out), "cp932")


def _jis_to_sjis(j1: int, j2: int) -> bytes:
    s1 = ((j1 - 0x21) >> 1) + 0x81
    if s1 > 0x9F:
        s1 += 0x40
    if j1 % 2:
        s2 = j2 + (0x1F if j2 < 0x60 else 0x20)
    else:
        s2 = j2 + 0x7E
    return bytes((s1, s2))


# --- headers ---------------------------------------------------------------------------

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=")
_FOLD = re.compile(r"\r?\n(?=[ \t])")


def decode_header_value(value) -> str:
    """RFC 2047 encoded-words, and what Japanese mailers put in headers instead: raw CP932
    or UTF-8 bytes, and encoded-words that split a character between them."""
    if not value:
        return ""
    if isinstance(value, bytes):
        value = value.decode("ascii", "surrogateescape")
    text = _FOLD.sub("", undo_surrogates(str(value)))
    out: list[str] = []
    pending, pending_charset, after_word, pos = b"", "", False, 0
    for m in _ENCODED_WORD.finditer(text):
        between = text[pos : m.start()]
        charset = m.group(1).split("*")[0].lower()  # RFC 2231 adds *language
        word = _word_bytes(m.group(2), m.group(3))
        joined = after_word and not between.strip()  # whitespace between words is not text
        if joined and charset == pending_charset:
            # Adjacent words of one charset are joined as bytes first: a character split
            # between two of them then decodes whole.
            pending += word
        else:
            out.append(decode_bytes(pending, pending_charset) if pending else "")
            out.append("" if joined else between)
            pending, pending_charset = word, charset
        after_word, pos = True, m.end()
    out.append(decode_bytes(pending, pending_charset) if pending else "")
    out.append(text[pos:])
    return "".join(out).strip()


def _word_bytes(encoding: str, payload: str) -> bytes:
    # Mailers put raw 8-bit text inside Q words too (RFC 2047 §5 forbids it); by now it is
    # decoded text, kept as its UTF-8 bytes for the word's own charset to decode.
    raw = payload.encode("utf-8", "surrogateescape")
    try:
        if encoding in "Bb":
            return binascii.a2b_base64(raw + b"=" * (-len(raw) % 4))
        return binascii.a2b_qp(raw, header=True)
    except (binascii.Error, ValueError):
        return raw


def undo_surrogates(text: str) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes; decode them as real text."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return decode_bytes(text.encode("utf-8", "surrogateescape"), None)
