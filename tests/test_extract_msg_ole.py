"""The .msg reader on olefile alone (issue 17, item 1 follow-up): 8-bit strings in the
message's code page, multi-valued strings, embedded messages exported as .msg files of their
own, attachments without bytes, and the compound-file writer that exports them."""

from __future__ import annotations

import os
import time

import compressed_rtf
import olefile
import pytest

from inspectors.extract import outlook
from inspectors.extract.compound import compound_file
from inspectors.extract.kind import TypeDetector
from inspectors.extract.pieces import Member, Problem, TextChunk
from inspectors.limits import Limits
from inspectors.message import parse

from .msg_file import Attached, Msg, _message, msg_bytes
from .test_extract_fail_closed import MY_NUMBER
from .test_message_mime import ENV, codes, mail_with, texts


def pieces(data: bytes) -> list:
    return list(outlook.extract(data, Limits()))


def tree_of(message: Msg) -> dict:
    root: dict = {"__nameid_version1.0": {}}
    _message(root, message, top=True)
    return root


def chunks(data: bytes) -> dict[str, str]:
    return {p.where: p.text for p in pieces(data) if isinstance(p, TextChunk)}


def test_8_bit_strings_are_read_in_the_message_s_code_page():
    sjis = Msg(
        subject="【至急】ﾃｽﾄ 見積書送付",
        body=f"個人番号: {MY_NUMBER}",
        sender=("佐藤 翔太", "sato@narumi-ts.co.jp"),
        to=(("髙橋 様", "takahashi@client.example"),),
        codepage=932,
    )
    data = msg_bytes(sjis)
    with olefile.OleFileIO(data) as ole:  # really 8-bit: no Unicode subject
        assert ole.exists("__substg1.0_0037001E") and not ole.exists("__substg1.0_0037001F")
        assert ole.openstream("__substg1.0_0037001E").read() == "【至急】ﾃｽﾄ 見積書送付".encode("cp932")
    found = chunks(data)
    assert found["headers"] == (
        "Subject: 【至急】ﾃｽﾄ 見積書送付\nFrom: 佐藤 翔太 <sato@narumi-ts.co.jp>\n"
        "To: 髙橋 様 <takahashi@client.example>"
    )
    assert found["body"] == f"個人番号: {MY_NUMBER}"


@pytest.mark.parametrize("tag", [0x3FFD, 0x3FDE], ids=["PR_MESSAGE_CODEPAGE", "PR_INTERNET_CPID"])
@pytest.mark.parametrize(
    ("page", "text"), [(1252, "Café Müller"), (949, "카드 번호")], ids=["cp1252", "cp949"]
)
def test_the_code_page_decides_what_detection_would_get_wrong(tag, page, text):
    tree = tree_of(Msg(subject=text, codepage=page))
    own = (0x3FFD << 16 | 3).to_bytes(4, "little")
    tree["__properties_version1.0"] = tree["__properties_version1.0"].replace(
        own, (tag << 16 | 3).to_bytes(4, "little")
    )
    assert chunks(compound_file(tree))["headers"] == f"Subject: {text}"


def test_an_8_bit_message_inside_a_unicode_one_keeps_its_own_code_page():
    inner = Msg(subject="顧客一覧（旧）", body="住所: 名古屋市", codepage=932)
    outer = Msg(subject="FW", attachments=(Attached("旧", message=inner),))
    found = texts(parse(mail_with(("fw.msg", msg_bytes(outer))), ENV))
    assert found["attachment:fw.msg!旧.msg!headers"] == "Subject: 顧客一覧（旧）"
    assert found["attachment:fw.msg!旧.msg!body"] == "住所: 名古屋市"


def test_multi_valued_strings_are_read_as_fields():
    tagged = Msg(subject="s", multi={0x8010: ("山田 花子", "090-1234-5678")})
    assert chunks(msg_bytes(tagged))["fields"].split("\n") == ["山田 花子", "090-1234-5678"]


def test_an_embedded_message_is_exported_as_a_msg_of_its_own():
    inner = Msg(subject="内側", body="本文", attachments=(Attached("a.txt", b"abc", "text/plain"),))
    outer = msg_bytes(Msg(subject="外側", attachments=(Attached("内側", message=inner),)))
    [member] = [p for p in pieces(outer) if isinstance(p, Member)]
    assert (member.name, member.declared_type) == ("内側.msg", "application/vnd.ms-outlook")
    with olefile.OleFileIO(member.data, raise_defects=olefile.DEFECT_INCORRECT) as ole:
        assert ole.exists("__nameid_version1.0/__substg1.0_00020102")
        assert len(ole.openstream("__properties_version1.0").read()) % 16 == 0  # the 32-byte header
    assert TypeDetector().detect(member.data, "x.bin").name == "msg"
    exported = pieces(member.data)
    assert [p.text for p in exported if isinstance(p, TextChunk)][:2] == ["Subject: 内側", "本文"]
    assert [(p.name, p.data) for p in exported if isinstance(p, Member)] == [("a.txt", b"abc")]


def test_an_attachment_without_bytes_is_reported_and_a_link_is_not():
    tree = tree_of(Msg(subject="s", attachments=(Attached("a.txt", b"abc"), Attached("b.txt", b"def"))))
    del tree["__attach_version1.0_#00000000"]["__substg1.0_37010102"]  # attached by reference
    found = [p for p in pieces(compound_file(tree)) if isinstance(p, (Problem, Member))]
    assert found == [
        Problem(
            code="attachment.unscannable",
            reason="unreadable .msg attachment: no data (method 1)",
            where="a.txt",
        ),
        Member(name="b.txt", data=b"def", declared_type="application/octet-stream"),
    ]
    link = tree_of(Msg(subject="s", attachments=(Attached("https://example.jp/x"),)))
    del link["__attach_version1.0_#00000000"]["__substg1.0_37010102"]
    props = link["__attach_version1.0_#00000000"]["__properties_version1.0"]
    method = (0x3705 << 16 | 3).to_bytes(4, "little")  # ATTACH_BY_WEB_REFERENCE
    at = props.index(method) + 8
    link["__attach_version1.0_#00000000"]["__properties_version1.0"] = props[:at] + b"\x07" + props[at + 1 :]
    assert not [p for p in pieces(compound_file(link)) if isinstance(p, (Problem, Member))]


def test_an_ole_object_attachment_is_reported_unreadable():
    tree = tree_of(Msg(subject="s", attachments=(Attached("図.doc", message=Msg(subject="x")),)))
    tree["__attach_version1.0_#00000000"]["__substg1.0_3701000D"] = {"\x01Ole10Native": b"\x00" * 40}
    found = [p for p in pieces(compound_file(tree)) if isinstance(p, (Problem, Member))]
    assert found == [
        Problem(
            code="attachment.unscannable", reason="unreadable .msg attachment: OLE object", where="図.doc"
        )
    ]


def test_storages_nested_thousands_deep_are_refused_quickly():
    tree: dict = {"__properties_version1.0": bytes(32)}
    level = tree
    for _ in range(3000):
        level["s"] = level = {}
    started = time.process_time()
    view = parse(mail_with(("deep.msg", compound_file(tree))), ENV)
    assert time.process_time() - started < 2
    [(where, reason)] = codes(view)["attachment.unscannable"]
    assert where == ("attachment:deep.msg",) and reason.startswith("corrupt")


def test_a_property_stream_of_more_entries_than_outlook_writes_is_refused():
    tree = tree_of(Msg(subject="s", body=MY_NUMBER))
    tree["__properties_version1.0"] += bytes(16 * 10_001)
    view = parse(mail_with(("wide.msg", compound_file(tree))), ENV)
    assert codes(view)["attachment.unscannable"] == [
        (("attachment:wide.msg",), "corrupt .msg: more than 10000 properties in one place")
    ]


def test_the_compound_file_writer_lists_fat_sectors_past_the_header_s_109():
    big = os.urandom(9_000_000)  # more than 109 FAT sectors map (7 MB)
    with olefile.OleFileIO(
        compound_file({"big": big, "d": {"s": b"s" * 10}}), raise_defects=olefile.DEFECT_INCORRECT
    ) as ole:
        assert ole.openstream("big").read() == big and ole.openstream("d/s").read() == b"s" * 10


def test_compressed_rtf_decompresses_the_spec_s_example():
    # MS-OXRTFCP 3.1.1, "Compressing with no dictionary references"
    compressed = bytes.fromhex(
        "2d0000002b0000004c5a4675f1c5c7a703000a007263706731323542320af32068656c090020627705b06c647d0a800fa0"
    )
    assert compressed_rtf.decompress(compressed) == b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"
