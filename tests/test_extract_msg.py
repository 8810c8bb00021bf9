"""Outlook .msg attachments (issue 17, item 1): read like a forwarded message, nested like a
zip, refused before a property is read when the limits forbid. The files are written by
tests/msg_file.py and checked here to open in olefile."""

from __future__ import annotations

import struct
import time

import olefile
import pytest

from inspectors.extract import outlook
from inspectors.extract.kind import TypeDetector
from inspectors.extract.pieces import Member, TextChunk
from inspectors.limits import Limits
from inspectors.message import parse

from .compound_file import compound_file
from .eval_set.fabric import xlsx
from .msg_file import Attached, Msg, msg_bytes, nested
from .test_extract_fail_closed import LATER, MY_NUMBER, multipart
from .test_message_mime import ENV, codes, mail_with, texts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VISITORS = xlsx(
    {"来場者": [["氏名", "電話番号"], ["山田 花子", "090-1234-5678"], ["佐藤 一郎", "080-2345-6789"]]}
)
CUSTOMERS = "氏名,電話\r\n田中 次郎,03-1234-5678\r\n".encode("cp932")
ORIGINAL = Msg(
    subject="来場者リスト送付",
    body="来場者リストを添付します。",
    html="<html><body><p>来場者リストを<b>添付</b>します。</p></body></html>",
    sender=("佐藤 翔太", "sato@narumi-ts.co.jp"),
    to=(("田中 様", "tanaka@client.example"),),
    cc=(("鈴木", "suzuki@narumi-ts.co.jp"),),
    attachments=(Attached("来場者リスト.xlsx", VISITORS, XLSX),),
)


def test_the_compound_file_writer_round_trips_through_olefile():
    big = bytes(range(256)) * 1000  # sectors and two FAT sectors
    tree = {"small": b"x" * 100, "edge": b"y" * 4096, "empty": b"", "big": big, "dir": {"inner": b"z" * 70}}
    with olefile.OleFileIO(compound_file(tree), raise_defects=olefile.DEFECT_INCORRECT) as ole:
        streams = {"/".join(path): ole.openstream(path).read() for path in ole.listdir()}
        assert ole.get_type("dir") == olefile.STGTY_STORAGE
    assert streams == {
        "small": b"x" * 100,
        "edge": b"y" * 4096,
        "empty": b"",
        "big": big,
        "dir/inner": b"z" * 70,
    }


def test_what_the_writer_writes_opens_in_olefile_and_the_reader():
    data = msg_bytes(ORIGINAL)
    with olefile.OleFileIO(data) as ole:
        assert ole.exists("__substg1.0_0037001F") and ole.exists(
            "__attach_version1.0_#00000000/__substg1.0_37010102"
        )
        assert ole.openstream("__substg1.0_0037001F").read().decode("utf-16-le") == "来場者リスト送付"
    pieces = list(outlook.extract(data, Limits()))
    chunks = {p.where: p.text for p in pieces if isinstance(p, TextChunk)}
    assert chunks["body"] == "来場者リストを添付します。"
    assert "To: 田中 様 <tanaka@client.example>" in chunks["headers"].split("\n")
    assert [(p.name, p.data) for p in pieces if isinstance(p, Member)] == [("来場者リスト.xlsx", VISITORS)]


def test_a_forwarded_msg_is_read_headers_bodies_and_attachments():
    view = parse(mail_with(("転送.msg", msg_bytes(ORIGINAL))), ENV)
    found = texts(view)
    assert found["attachment:転送.msg!headers"] == (
        "Subject: 来場者リスト送付\nFrom: 佐藤 翔太 <sato@narumi-ts.co.jp>\n"
        "To: 田中 様 <tanaka@client.example>\nCc: 鈴木 <suzuki@narumi-ts.co.jp>"
    )
    assert found["attachment:転送.msg!body"] == "来場者リストを添付します。"
    assert "来場者リストを添付します。" in found["attachment:転送.msg!body:html"]
    [table] = view.tables
    assert table.where == "attachment:転送.msg!来場者リスト.xlsx!来場者"
    assert table.rows[1] == ("山田 花子", "090-1234-5678")
    assert [(a.where, a.kind) for a in view.attachments] == [
        ("attachment:転送.msg", "msg"),
        ("attachment:転送.msg!来場者リスト.xlsx", "xlsx"),
    ]
    assert codes(view) == {}


def test_the_bcc_of_a_sent_msg_is_read():
    sent = Msg(
        subject="年末のご挨拶",
        body="本年もお世話になりました。",
        to=(("佐藤 翔太", "sato@narumi-ts.co.jp"),),
        bcc=tuple((f"顧客{i}", f"customer{i}@example{i}.jp") for i in range(40)),
    )
    view = parse(mail_with(("送信済み.msg", msg_bytes(sent))), ENV)
    headers = texts(view)["attachment:送信済み.msg!headers"]
    bcc = headers.split("\nBcc: ", 1)[1]
    assert bcc.count("@") == 40 and "customer39@example39.jp" in bcc


def test_a_msg_inside_a_msg_is_read_with_its_csv():
    inner = Msg(subject="顧客一覧", body="", attachments=(Attached("顧客.csv", CUSTOMERS, "text/csv"),))
    outer = Msg(
        subject="FW: 顧客一覧", body="転送します。", attachments=(Attached("顧客一覧", message=inner),)
    )
    view = parse(mail_with(("転送.msg", msg_bytes(outer))), ENV)
    [table] = view.tables
    assert (table.where, table.rows[1]) == (
        "attachment:転送.msg!顧客一覧.msg!顧客.csv",
        ("田中 次郎", "03-1234-5678"),
    )
    assert texts(view)["attachment:転送.msg!顧客一覧.msg!headers"] == "Subject: 顧客一覧"


@pytest.mark.parametrize(
    "shape",
    [
        Msg(subject="s", html="<p>個人番号: 1234 5678 9018</p>"),
        Msg(subject="s", rtf=r"{\rtf1\ansi\deff0 {\fonttbl{\f0 Arial;}} Number: 1234 5678 9018\par}"),
    ],
    ids=["html only", "rtf only"],
)
def test_a_body_kept_only_as_html_or_rtf_is_read_as_text(shape):
    found = texts(parse(mail_with(("m.msg", msg_bytes(shape))), ENV))
    assert "1234 5678 9018" in found["attachment:m.msg!body"]


def test_a_msg_is_known_by_its_content_whatever_its_name():
    data = msg_bytes(ORIGINAL)
    assert TypeDetector().detect(data, "winmail.bin").name == "msg"
    view = parse(mail_with(("mail.dat", data)), ENV)
    assert view.attachments[0].kind == "msg" and len(view.tables) == 1


def test_a_truncated_msg_is_unscannable_and_the_rest_of_the_message_is_read():
    import base64

    cut = base64.b64encode(msg_bytes(ORIGINAL)[:3000]).decode()
    part = f'Content-Type: application/vnd.ms-outlook; name="転送.msg"\r\nContent-Transfer-Encoding: base64\r\n\r\n{cut}'
    found = texts(view := parse(multipart(part, LATER), ENV))
    assert any(MY_NUMBER in text for text in found.values())
    [(where, reason)] = codes(view)["attachment.unscannable"]
    assert where == ("attachment:転送.msg",) and reason.startswith("corrupt .msg")


def test_an_ole_file_that_is_not_a_msg_is_not_read_as_one():
    with olefile.OleFileIO(msg_bytes(ORIGINAL)) as ole:
        assert ole.exists("__nameid_version1.0")
    noise = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 20
    view = parse(mail_with(("転送.msg", noise)), ENV)
    [(where, reason)] = codes(view)["attachment.unscannable"]
    assert where == ("attachment:転送.msg",) and reason.startswith("corrupt .msg")


def test_an_encrypted_msg_is_reported_as_encrypted():
    smime = Msg(
        subject="暗号化",
        message_class="IPM.Note.SMIME",
        attachments=(Attached("smime.p7m", b"\x30\x82" + bytes(300), "application/pkcs7-mime"),),
    )
    view = parse(mail_with(("暗号.msg", msg_bytes(smime))), ENV)
    assert codes(view)["attachment.encrypted"] == [(("attachment:暗号.msg",), "encrypted message (S/MIME)")]


def test_messages_nested_past_the_depth_limit_are_refused_before_they_are_read():
    deep = msg_bytes(nested(40, Msg(subject="底", body=MY_NUMBER)))
    started = time.process_time()
    view = parse(mail_with(("deep.msg", deep)), ENV)
    assert time.process_time() - started < 2
    assert codes(view)["attachment.unscannable"] == [(("attachment:deep.msg",), "limit: nesting depth > 5")]


def test_nesting_within_the_file_but_past_the_depth_is_read_to_the_limit():
    view = parse(mail_with(("fw.msg", msg_bytes(nested(5, Msg(subject="底", body=MY_NUMBER))))), ENV)
    [(where, reason)] = codes(view)["attachment.unscannable"]
    assert where == ("attachment:fw.msg" + "!fw.msg" * 5,) and reason == "limit: nesting depth > 5"
    assert texts(view)["attachment:fw.msg" + "!fw.msg" * 4 + "!body"] == "転送します。"


def test_a_stream_claiming_more_bytes_than_the_file_is_refused():
    data = bytearray(msg_bytes(ORIGINAL))
    name = "__substg1.0_1000001F".encode("utf-16-le")
    entry = data.index(name)  # a directory entry: its name, then its stream size at byte 120
    struct.pack_into("<I", data, entry + 120, 0x7FFF_FFF0)
    started = time.process_time()
    view = parse(mail_with(("big.msg", bytes(data))), ENV)
    assert time.process_time() - started < 2
    [(where, reason)] = codes(view)["attachment.unscannable"]
    assert where == ("attachment:big.msg",) and reason.startswith("corrupt .msg")


def test_attachments_and_bytes_count_against_the_archive_limits():
    many = Msg(
        subject="多数", attachments=tuple(Attached(f"{i}.txt", b"x" * 100, "text/plain") for i in range(5))
    )
    view = parse(mail_with(("many.msg", msg_bytes(many))), ENV, Limits(max_archive_members=3))
    assert codes(view)["attachment.unscannable"] == [(("attachment:many.msg",), "limit: archive members > 3")]
    view = parse(mail_with(("many.msg", msg_bytes(many))), ENV, Limits(max_uncompressed_bytes=400))
    assert codes(view)["attachment.unscannable"] == [
        (("attachment:many.msg",), "limit: uncompressed size > 400 bytes")
    ]


def test_a_rights_protected_msg_is_reported_as_encrypted():
    irm = Msg(subject="社外秘", attachments=(Attached("message.rpmsg", b"\x76\xe8\x04\x60" + bytes(200)),))
    view = parse(mail_with(("irm.msg", msg_bytes(irm))), ENV)
    assert codes(view)["attachment.encrypted"] == [
        (("attachment:irm.msg",), "rights-protected message (IRM)")
    ]


def test_a_signed_msg_is_read_through_its_mime_attachment():
    mime = (
        'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; boundary=b\r\n\r\n'
        f"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{MY_NUMBER}\r\n"
        "--b\r\nContent-Type: application/pkcs7-signature\r\n\r\nMIIB\r\n--b--\r\n"
    ).encode()
    signed = Msg(
        subject="署名付き",
        message_class="IPM.Note.SMIME.MultipartSigned",
        attachments=(Attached("smime.p7m", mime, "multipart/signed"),),
    )
    found = texts(parse(mail_with(("signed.msg", msg_bytes(signed))), ENV))
    assert MY_NUMBER in found["attachment:signed.msg!smime.p7m!body"]


def test_recipients_count_as_members_before_any_is_read():
    crowd = Msg(subject="一斉", to=tuple((f"会員{i}", f"m{i}@example.jp") for i in range(11)))
    view = parse(mail_with(("crowd.msg", msg_bytes(crowd))), ENV, Limits(max_archive_members=10))
    assert codes(view)["attachment.unscannable"] == [
        (("attachment:crowd.msg",), "limit: archive members > 10")
    ]


def test_a_storage_with_thousands_of_properties_is_refused_in_linear_time():
    # Outlook writes a few hundred properties in one place; with extract-msg, which looks up
    # every property by path, 20,000 cost 5 s, 100,000 (a 20 MB file) minutes.
    wide = Msg(subject="wide", extra={0x8000 + i: "x" for i in range(2_100)})
    started = time.process_time()
    view = parse(mail_with(("wide.msg", msg_bytes(wide))), ENV)
    assert time.process_time() - started < 2
    [(where, reason)] = codes(view)["attachment.unscannable"]
    assert (
        where == ("attachment:wide.msg",) and reason == "corrupt .msg: more than 2000 properties in one place"
    )


def test_a_contact_item_s_fields_are_read():
    contact = Msg(
        subject="山田 花子",
        message_class="IPM.Contact",
        extra={
            0x3A11: "山田",
            0x3A06: "花子",
            0x3A1C: "090-1234-5678",
            0x8083: "hanako@example.jp",
            0x0C1E: "SMTP",
        },
    )
    found = texts(parse(mail_with(("山田 花子.msg", msg_bytes(contact))), ENV))
    fields = found["attachment:山田 花子.msg!fields"].split("\n")
    assert sorted(fields) == sorted(["山田", "花子", "090-1234-5678", "hanako@example.jp"])
    assert "attachment:転送.msg!fields" not in texts(parse(mail_with(("転送.msg", msg_bytes(ORIGINAL))), ENV))
