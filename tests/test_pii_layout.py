"""Signatures as `layout` finds them in the texts mail really carries (CRLF, full-width
digits, ideographic spaces, HTML spacing, long texts), through the detector's findings.

The signature decision is made from a line index built once per text (inspectors/pii/lines.py);
these pin what it must see: which lines are blank, which are separators, how far a block
reaches, and the phone count of a block written in full-width digits.
"""

from __future__ import annotations

import datetime

from inspectors.base import Envelope
from inspectors.message import MessageView, TextChunk
from inspectors.personal_data import PersonalData
from inspectors.pii.layout import Layout

TODAY = datetime.date(2024, 4, 1)
ENV = Envelope(mail_from="yamada@sample.co.jp", rcpt_tos=("sato@client.example",))
GREETING = "佐藤様\n\nお世話になっております。資料をお送りします。\n\n"
SIGNATURE = (
    "--\n株式会社サンプル 営業部\n山田 太郎\n〒100-0001 東京都千代田区千代田1-1-1\n"
    "TEL: 03-1234-5678 / FAX: 03-1234-5679\n携帯: 090-1111-2222\nMail: t.yamada@sample.co.jp\n"
)


def counts(text: str) -> dict[str, int]:
    view = MessageView(envelope=ENV, size=len(text), texts=(TextChunk(where="body", text=text),))
    return {f.code.removeprefix("pii."): f.count for f in PersonalData(today=TODAY).inspect(view)}


def test_a_signature_in_crlf_text_is_a_signature():
    assert counts((GREETING + SIGNATURE).replace("\n", "\r\n")) == {"person_name": 1}


def test_a_signature_between_separators_with_carriage_returns_inside_them():
    # Some mailers leave a lone CR in a rule line; the line still reads as a separator.
    text = GREETING + "━━━━━\r━━━━━\n" + SIGNATURE.removeprefix("--\n") + "━━━━━━━━━━\n\n" + "以上です。\n"
    assert counts(text) == {"person_name": 1}


def test_a_paragraph_ends_at_a_line_of_ideographic_spaces():
    """Without a separator the block is the paragraph: a line of U+3000 ends it. Read as one
    paragraph with the list below, the block would hold five phones, too many for a
    signature, and the signature's phones would be counted."""
    signature = "株式会社サンプル 営業部 山田 太郎\nTEL 03-1234-5678\n携帯 090-1111-2222\n"
    others = "".join(f"連絡先{i}: 090-{3000 + i}-{4000 + i}\n" for i in range(3))
    assert counts(GREETING + signature + "\u3000\u3000\n" + others) == {"person_name": 1, "phone": 3}
    assert counts(GREETING + signature + others)["phone"] == 5


def test_full_width_phones_count_in_the_signature_test():
    """A block with five phone numbers is no one's signature, written in full-width digits too."""
    phones = "".join(f"ＴＥＬ{i}：０３－１２３４－５６７{i}\n" for i in range(5))
    found = counts(GREETING + "--\n株式会社サンプル 営業部\n" + phones + "--\n")
    assert found.get("phone") == 5
    two = "".join(f"ＴＥＬ{i}：０３－１２３４－５６７{i}\n" for i in range(2))
    assert "phone" not in counts(GREETING + "--\n株式会社サンプル 営業部\n" + two + "--\n")


def test_html_spacing_signature_behind_quote_marks():
    quoted = "".join(f"> {line}\n\n" for line in SIGNATURE.splitlines())
    layout = Layout((GREETING + quoted).encode())
    assert layout.spacing == 2
    at = (GREETING + quoted).encode().index(b"090-1111")
    assert layout.signature(at) and layout.quoted(at)


def test_signatures_deep_in_a_long_text_are_found():
    """Thousands of paragraphs: each signature is judged by its own block, wherever it stands."""
    paragraph = "本日の会議では、来期の販売計画について議論しました。\n各部門からの報告を受けました。\n\n"
    body = GREETING + paragraph * 3000 + SIGNATURE + "\n" + paragraph * 3000 + "以上\n" + SIGNATURE
    assert counts(body) == {"person_name": 1}
    data = body.encode()
    layout = Layout(data)
    second = data.rindex(b"090-1111")
    assert layout.signature(second) and not layout.signature(data.index("各部門".encode()))


# --- a run of same-shaped blocks is a typed list, not signatures ----------------------------------
SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田"]


def entry(i: int) -> str:
    return (
        f"{SURNAMES[i]} 花子\n勤務先: 株式会社テスト{i}\n〒150-{1000 + i:04d} 東京都渋谷区渋谷{i + 1}-1-1\n"
        f"TEL 090-{1200 + i:04d}-{5600 + i:04d}\n"
    )


def test_typed_entries_naming_an_employer_are_a_list():
    found = counts("顧客一覧です。\n\n" + "\n".join(entry(i) for i in range(12)))
    # records: 24 while records.text_people counts a name and its 〒 line apart (xfail in
    # test_attacks_i14::test_a_typed_list_counts_each_person_once, another module's).
    assert found["records"] >= 12 and found["phone"] == 12 and found["postal_code"] == 12


def test_three_entries_make_a_run_two_do_not():
    three = counts("ご紹介します。\n\n" + "\n".join(entry(i) for i in range(3)))
    two = counts("ご紹介します。\n\n" + "\n".join(entry(i) for i in range(2)))
    assert three.get("phone") == 3 and "phone" not in two


def test_a_thread_of_signatures_of_one_shape_stays_quiet():
    """Each message of a thread ends in a signature; quote headers and quoted text stand between
    them, so no two are neighbours, however alike they are."""
    replies = "".join(
        f"\n-----Original Message-----\nFrom: {SURNAMES[i]}\nSent: 2024/03/0{i + 1}\n\n"
        f"承知しました。\n\n{entry(i)}"
        for i in range(1, 6)
    )
    found = counts(GREETING + entry(0) + replies)
    assert "phone" not in found and "records" not in found


def test_signatures_of_different_shapes_side_by_side_stay_signatures():
    """Two people sign one mail (営業と技術), one block each, not the same shape: signatures."""
    second = "株式会社サンプル 技術部\n鈴木 一郎\nTEL 03-1234-5680\nMail: i.suzuki@sample.co.jp\n"
    found = counts(GREETING + SIGNATURE.removeprefix("--\n") + "\n" + second)
    assert "phone" not in found
