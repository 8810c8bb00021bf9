"""Issue 12, item 1 ("each slow trigger needs its own cheap limit"): inputs the fuzzing harness
found that made one message cost seconds to minutes of CPU before the time limit held it as
inspection-failed. Each is now refused or read in bounded time, and the part after it is
still read."""

from __future__ import annotations

import base64
import io
import itertools
import struct
import time
import zipfile

from inspectors.message import parse
from tests.fuzz.blocks import CANARY
from tests.fuzz.mutations import mutations

from .test_extract_fail_closed import LATER, MY_NUMBER, multipart
from .test_extract_formats import CORPUS
from .test_message_mime import ENV, codes, mail_with, texts

FAST = 2.0  # seconds of CPU; the old code took from 5 s to over a minute


def timed_parse(raw: bytes):
    start = time.process_time()
    view = parse(raw, ENV)
    return view, time.process_time() - start


# --- TNEF: counts of properties, values and rows checked against the bytes left -------


def test_fuzzed_tnef_with_a_huge_property_count_is_refused_quickly():
    case = next(itertools.islice(mutations(531, 7), 530, None))  # mutation-7-530
    assert "unicode-mapi-attr.tnef" in case.detail
    view, spent = timed_parse(case.raw)
    assert spent < FAST
    found = codes(view)["attachment.unscannable"]
    assert any(where == ("attachment:notes.txt",) and "corrupt TNEF" in reason for where, reason in found), (
        found
    )
    assert any(CANARY in text for text in texts(view).values())


def _with_count(tnef: bytes, name: int, count: int, skip: int = 0) -> bytes:
    """`tnef` with the first uint32 (after `skip` bytes) of its first object `name` set."""
    offset = 6
    while offset + 12 < len(tnef):
        length = struct.unpack_from("<I", tnef, offset + 5)[0] + 11
        if struct.unpack_from("<H", tnef, offset + 1)[0] == name:
            at = offset + 9 + skip
            return tnef[:at] + struct.pack("<I", count) + tnef[at + 4 :]
        offset += length
    raise AssertionError(f"no object {name:#x}")


def _tnef_with_props(block: bytes) -> bytes:
    """A TNEF file of one ATTMAPIPROPS object holding `block`."""
    obj = (
        b"\x01"
        + struct.pack("<HHI", 0x9003, 0x0006, len(block))
        + block
        + struct.pack("<H", sum(block) & 0xFFFF)
    )
    return struct.pack("<IH", 0x223E9F78, 0) + obj


def test_tnef_multi_value_count_past_the_data_is_refused():
    # one property, a multi-valued short (0x1002) claiming 4 billion values
    hostile = _tnef_with_props(struct.pack("<IHHI", 1, 0x1002, 0x0001, 0xFFFFFFFF) + b"\0" * 8)
    view, spent = timed_parse(mail_with(("winmail.dat", hostile), ("later.txt", MY_NUMBER.encode())))
    assert spent < FAST
    [(where, reason)] = codes(view)["attachment.unscannable"]
    assert where == ("attachment:winmail.dat",) and reason.startswith("corrupt TNEF: a count of 4294967295")
    assert MY_NUMBER in texts(view)["attachment:later.txt"]


def test_tnef_counts_past_the_data_are_refused_and_honest_ones_read():
    honest = (CORPUS / "MimeKit" / "body.tnef").read_bytes()
    hostile = _with_count(honest, 0x9003, 0xFFFFFFFF)  # ATTMAPIPROPS: 4 billion properties
    view, spent = timed_parse(mail_with(("winmail.dat", hostile), ("later.txt", MY_NUMBER.encode())))
    assert spent < FAST
    [(where, reason)] = codes(view)["attachment.unscannable"]
    assert where == ("attachment:winmail.dat",)
    assert reason.startswith("corrupt TNEF: a count of 4294967295 in ")
    assert MY_NUMBER in texts(view)["attachment:later.txt"]
    view = parse(mail_with(("winmail.dat", honest)), ENV)
    assert "THE BILL OF RIGHTS" in texts(view)["attachment:winmail.dat!body"]
    assert not view.problems


# --- personal data: a long line full of quote-header hints is tried once ----------------


def test_a_long_line_of_dashes_is_searched_for_quote_headers_once():
    from inspectors.personal_data import PersonalData

    body = "お世話になっております。\r\n" + "-" * 200_000 + f"\r\n{MY_NUMBER}\r\n"
    view = parse(multipart(f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}"), ENV)
    start = time.process_time()
    found = {f.code for f in PersonalData().inspect(view)}
    assert time.process_time() - start < FAST
    assert "pii.my_number" in found
    quoted = "-" * 50_000 + "\r\n-----Original Message-----\r\nFrom: x\r\nTEL 03-1234-5678\r\n"
    view = parse(multipart(f"Content-Type: text/plain; charset=utf-8\r\n\r\n{quoted}"), ENV)
    assert "pii.phone" not in {f.code for f in PersonalData().inspect(view)}  # still quoted


# --- enclosed messages: the pre-parse structure limits apply to them too ------------------

HOSTILE_INNER = (
    "From: x@example.co.jp\r\nSubject: inner\r\nMIME-Version: 1.0\r\n"
    'Content-Type: application/octet-stream; name="' + ";" * 300_000 + '"\r\n\r\nhello\r\n'
).encode()


def _base64(data: bytes) -> str:
    return base64.encodebytes(data).decode().replace("\n", "\r\n")


def test_a_base64_forward_with_a_huge_parameter_is_unscannable_not_parsed():
    forward = "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n" + _base64(
        HOSTILE_INNER
    )
    view, spent = timed_parse(multipart(forward, LATER))
    assert spent < FAST
    assert codes(view)["attachment.unscannable"] == [
        (("attachment:message-1.1.eml",), "limit: MIME header field > 16384 bytes")
    ]
    assert MY_NUMBER in texts(view)["body"]


def test_an_eml_inside_a_zip_with_a_huge_parameter_is_unscannable_not_parsed():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # no ratio limit
        archive.writestr("fwd.eml", HOSTILE_INNER)
        archive.writestr("later.txt", MY_NUMBER)
    view, spent = timed_parse(mail_with(("forwards.zip", buffer.getvalue())))
    assert spent < FAST
    assert codes(view)["attachment.unscannable"] == [
        (("attachment:forwards.zip!fwd.eml",), "limit: MIME header field > 16384 bytes")
    ]
    assert MY_NUMBER in texts(view)["attachment:forwards.zip!later.txt"]
    honest = HOSTILE_INNER.replace(b";" * 300_000, b"a.txt")
    view = parse(mail_with(("fwd.eml", honest)), ENV)
    assert texts(view)["attachment:fwd.eml!a.txt"] == "hello\r\n"  # honest forwards are read
    assert not view.problems
