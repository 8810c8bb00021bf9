"""Japanese charsets as mail really uses them: bodies, headers, file names."""

from __future__ import annotations

import base64

import pytest

from inspectors.base import Envelope
from inspectors.charsets import decode_bytes, decode_header_value, iso2022jp_as_cp932
from inspectors.message import parse

ENV = Envelope(mail_from="a@example.co.jp", rcpt_tos=("b@client.example",))
TEXT = "お世話になっております。顧客リストを送ります。"
EXTENDED = "髙橋様 ①② ｶﾀｶﾅ"  # IBM extension, NEC specials, half-width kana: CP932 only


def body(data: bytes, charset: str | None, headers: bytes = b"") -> str:
    ctype = b"text/plain" + (b"; charset=" + charset.encode() if charset else b"")
    raw = b"From: a@example.co.jp\r\n" + headers + b"Content-Type: " + ctype + b"\r\n\r\n" + data
    [chunk] = parse(raw, ENV).texts
    return chunk.text


def cp50221(text: str) -> bytes:
    """ISO-2022-JP as Outlook writes it (CP50221): CP932 characters in JIS rows."""
    out, mode = bytearray(), b"(B"
    for ch in text:
        sjis = ch.encode("cp932")
        if len(sjis) == 1 and sjis[0] >= 0xA1:
            want, data = b"(I", bytes([sjis[0] - 0x80])
        elif len(sjis) == 1:
            want, data = b"(B", sjis
        else:
            s1, s2 = sjis
            s1 -= 0x40 if s1 >= 0xE0 else 0
            j1 = (s1 - 0x81) * 2 + 0x21 + (1 if s2 >= 0x9F else 0)
            j2 = s2 - 0x7E if s2 >= 0x9F else s2 - (0x1F if s2 < 0x7F else 0x20)
            want, data = b"$B", bytes([j1, j2])
        if want != mode:
            out += b"\x1b" + want
            mode = want
        out += data
    return bytes(out + (b"\x1b(B" if mode != b"(B" else b""))


@pytest.mark.parametrize(
    "charset, codec",
    [
        ("iso-2022-jp", "iso2022_jp"),
        ("ISO-2022-JP", "iso2022_jp"),
        ("iso-2022-jp-2004", "iso2022_jp_2004"),
        ("iso-2022-jp-2", "iso2022_jp_2"),
        ("euc-jp", "euc_jp"),
        ("EUC-JP", "euc_jis_2004"),
        ("shift_jis", "cp932"),
        ("Shift_JIS", "shift_jis"),
        ("windows-31j", "cp932"),
        ("utf-8", "utf-8"),
    ],
)
def test_declared_charsets(charset, codec):
    assert body(TEXT.encode(codec), charset) == TEXT


@pytest.mark.parametrize("charset", ["shift_jis", "sjis", "x-sjis", "cp932", None, "us-ascii"])
def test_shift_jis_is_read_as_cp932_with_its_extensions(charset):
    assert body(EXTENDED.encode("cp932"), charset) == EXTENDED


@pytest.mark.parametrize("charset", ["iso-2022-jp", "ISO-2022-JP-MS", None])
def test_iso_2022_jp_as_microsoft_writes_it(charset):
    data = cp50221(EXTENDED + TEXT)
    with pytest.raises(UnicodeDecodeError):
        data.decode("iso2022_jp_ext")  # no Python codec reads ① or 髙 in ISO-2022-JP
    assert body(data, charset) == EXTENDED + TEXT
    assert iso2022jp_as_cp932(data) == EXTENDED + TEXT


def test_plain_iso_2022_jp_still_uses_the_codec_and_jis_x_0213_works():
    assert body("第2004版の𠀋".encode("iso2022_jp_2004"), "iso-2022-jp-2004") == "第2004版の𠀋"


@pytest.mark.parametrize("codec", ["cp932", "euc_jp", "utf-8", "iso2022_jp"])
def test_undeclared_charset_is_detected(codec):
    assert body(TEXT.encode(codec), None) == TEXT


@pytest.mark.parametrize(
    "declared, codec",
    [
        ("iso-2022-jp", "cp932"),  # 8-bit Shift_JIS labelled as JIS: very common
        ("iso-8859-1", "cp932"),  # Latin-1 decodes anything; detection must still win
        ("us-ascii", "utf-8"),
        ("shift_jis", "utf-8"),  # valid UTF-8 is never an accident
        ("euc-jp", "cp932"),
        ("bogus-charset", "cp932"),
    ],
)
def test_wrongly_declared_charset(declared, codec):
    assert body(TEXT.encode(codec), declared) == TEXT


def test_western_text_declared_latin1_stays_latin1():
    assert body("Grüße aus München".encode("latin-1"), "iso-8859-1") == "Grüße aus München"


@pytest.mark.parametrize(
    "data, expected",
    [
        ("顧客".encode("utf-8-sig"), "顧客"),
        ("顧客\tリスト".encode("utf-16"), "顧客\tリスト"),
        (b"", ""),
        (b"plain ascii", "plain ascii"),
    ],
)
def test_boms_and_trivial_input(data, expected):
    assert decode_bytes(data) == expected


def test_undecodable_bytes_never_raise():
    assert isinstance(decode_bytes(b"\xff\xfe\xfd\x80\x81" * 10, "utf-8"), str)
    assert isinstance(decode_bytes(b"\x1b$B\xff\xff", "iso-2022-jp"), str)


def b64word(data: bytes, charset: str = "UTF-8") -> str:
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?="


def test_encoded_words_split_inside_a_character_are_joined():
    data = "顧客リスト送付".encode()
    split = f"{b64word(data[:4])}\r\n {b64word(data[4:11])} {b64word(data[11:])}"
    assert decode_header_value(split) == "顧客リスト送付"


def test_encoded_words_of_each_charset_and_q_encoding():
    jis = b64word("見積書".encode("iso2022_jp"), "ISO-2022-JP")
    sjis = b64word(EXTENDED.encode("cp932"), "Shift_JIS")
    q = "=?utf-8?Q?=E9=A1=A7=E5=AE=A2_list?="
    assert decode_header_value(f"Re: {jis} / {sjis} ({q})") == f"Re: 見積書 / {EXTENDED} (顧客 list)"


def test_whitespace_between_encoded_words_is_dropped_but_kept_around_text():
    assert decode_header_value("=?utf-8?Q?a?= =?utf-8?Q?b?= c =?utf-8?Q?d?=") == "ab c d"


@pytest.mark.parametrize("codec", ["cp932", "utf-8"])
def test_raw_8bit_subject(codec):
    raw = b"Subject: " + "【至急】顧客リスト①".encode(codec) + b"\r\n\r\nx"
    assert parse(raw, ENV).subject == "【至急】顧客リスト①"


def test_raw_8bit_mixed_with_encoded_word():
    raw = b"Subject: " + "件名".encode("cp932") + b" " + b64word("テスト".encode()).encode() + b"\r\n\r\nx"
    assert parse(raw, ENV).subject == "件名 テスト"


@pytest.mark.parametrize("value", ["=?utf-8?B?broken", "=?bogus?Q?abc?=", "=?utf-8?B?!!!?=", "", "\udcff"])
def test_broken_encoded_words_never_raise(value):
    assert isinstance(decode_header_value(value), str)


def test_addresses_survive_encoded_and_8bit_display_names():
    raw = (
        b"From: " + b64word("山田".encode()).encode() + b" <yamada@example.co.jp>\r\n"
        b"To: " + "佐藤, 様".encode("cp932") + b" <sato@client.example>, b@x.example\r\n"
        b"Cc: =?ISO-2022-JP?B?GyRCOFw1UhsoQg==?= <c@client.example>\r\n\r\nx"
    )
    view = parse(raw, ENV)
    assert view.header_from == ("yamada@example.co.jp",)
    assert view.header_to == ("sato@client.example", "b@x.example")
    assert view.visible_recipients == ("sato@client.example", "b@x.example", "c@client.example")


@pytest.mark.parametrize(
    "disposition, name",
    [
        (
            b"attachment; filename*=UTF-8''%E9%A1%A7%E5%AE%A2%E3%83%AA%E3%82%B9%E3%83%88.xlsx",
            "顧客リスト.xlsx",
        ),
        (b"attachment; filename*=Shift_JIS''%8C%DA%8B%71%87%40.csv", "顧客①.csv"),
        (b"attachment; filename*=iso-2022-jp''%1B%24B8%5C5R%1B%28B.txt", "顧客.txt"),
        (b"attachment; filename*0*=UTF-8''%E9%A1%A7; filename*1*=%E5%AE%A2; filename*2=.pdf", "顧客.pdf"),
        (b'attachment; filename="=?ISO-2022-JP?B?GyRCOFw1UiVqJTklSBsoQg==?=.xlsx"', "顧客リスト.xlsx"),
        (b'attachment; filename="' + "見積①.pdf".encode("cp932") + b'"', "見積①.pdf"),
        (b'attachment; filename="' + "見積.pdf".encode() + b'"', "見積.pdf"),
        (b'attachment; filename="C:\\Users\\me\\Desktop\\report.txt"', "report.txt"),
    ],
)
def test_attachment_file_names(disposition, name):
    raw = (
        b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
        b"--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: "
        + disposition
        + b"\r\n\r\nabc\r\n--B--\r\n"
    )
    [attachment] = parse(raw, ENV).attachments
    assert attachment.filename == name
    assert attachment.where == f"attachment:{name}"


def test_content_type_name_parameter_is_the_fallback():
    raw = (
        b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
        b'Content-Type: text/plain; name="=?UTF-8?B?5ZCN57C/LnR4dA==?="\r\n\r\n'
        + "名簿".encode()
        + b"\r\n--B--\r\n"
    )
    view = parse(raw, ENV)
    assert [a.filename for a in view.attachments] == ["名簿.txt"]
    assert [(t.where, t.text) for t in view.texts] == [("attachment:名簿.txt", "名簿")]


def test_iso_2022_jp_subject_with_microsoft_characters():
    word = b64word(cp50221("①髙橋様 見積"), "ISO-2022-JP")
    assert parse(f"Subject: {word}\r\n\r\nx".encode(), ENV).subject == "①髙橋様 見積"
