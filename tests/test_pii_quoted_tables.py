"""One table, one set of findings (issue 14): the same 12-row list counts the same in a plain
body, quoted ("> ") in a forwarded mail, in HTML (in a <blockquote> too), as a CSV
attachment (CP932) and as a CSV inside a zip; only `where` differs. Quoted prose stays as it
was: its contacts are not counted."""

from __future__ import annotations

import datetime
import io
import zipfile
from email.message import EmailMessage

import pytest

from inspectors.base import Envelope
from inspectors.message import parse
from inspectors.personal_data import PersonalData

TODAY = datetime.date(2024, 4, 1)
ENV = Envelope(mail_from="yamada@sample.co.jp", rcpt_tos=("sato@client.example",))
SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田"]
HEAD = ["氏名", "電話番号", "メールアドレス", "住所"]
ROWS = [
    [
        f"{s} 花子",
        f"090-{1200 + i:04d}-{5600 + i:04d}",
        f"c{i}@mail.example",
        f"東京都港区芝{i + 1}-{i + 1}-{i + 1}",
    ]
    for i, s in enumerate(SURNAMES)
]


def tsv(prefix: str = "") -> str:
    return "\n".join(prefix + "\t".join(r) for r in [HEAD, *ROWS]) + "\n"


def csv_bytes() -> bytes:
    return "\r\n".join(",".join(r) for r in [HEAD, *ROWS]).encode("cp932")


def html(quoted: bool) -> str:
    table = (
        "<table>"
        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in [HEAD, *ROWS])
        + "</table>"
    )
    body = f"<p>2024年3月1日 山田 wrote:</p><blockquote>{table}</blockquote>" if quoted else table
    return f"<html><body><p>名簿をお送りします。</p>{body}</body></html>"


def message(carrier: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = ENV.mail_from, ENV.rcpt_tos[0], "Fw: 名簿"
    if carrier == "plain":
        msg.set_content("名簿をお送りします。\n\n" + tsv())
    elif carrier == "quoted-forward":
        msg.set_content(
            "転送します。\n\n-----Original Message-----\nFrom: 山田\nSent: 2024/03/01\n\n"
            "> 名簿をお送りします。\n>\n" + tsv("> ")
        )
    elif carrier == "quoted-reply":
        msg.set_content("ご確認ください。\n\n" + tsv("> "))
    elif carrier in ("html", "html-blockquote"):
        msg.set_content("名簿をお送りします。")
        msg.add_alternative(html(carrier == "html-blockquote"), subtype="html")
    elif carrier == "csv":
        msg.set_content("名簿をお送りします。")
        msg.add_attachment(csv_bytes(), maintype="text", subtype="csv", filename="名簿.csv")
    elif carrier == "zip":
        msg.set_content("名簿をお送りします。")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("名簿.csv", csv_bytes())
        msg.add_attachment(buffer.getvalue(), maintype="application", subtype="zip", filename="名簿.zip")
    return bytes(msg)


def findings(carrier: str) -> dict:
    return {f.code: f for f in PersonalData(today=TODAY).inspect(parse(message(carrier), ENV))}


CARRIERS = ["plain", "quoted-forward", "quoted-reply", "html", "html-blockquote", "csv", "zip"]


def test_the_reference_finds_the_whole_table():
    found = findings("plain")
    assert {code: f.count for code, f in found.items()} == {
        "pii.records": 12,
        "pii.phone": 12,
        "pii.email_address": 12,
        "pii.address": 12,
        "pii.person_name": 12,
    }


@pytest.mark.parametrize("carrier", CARRIERS[1:])
def test_one_table_counts_the_same_wherever_it_stands(carrier):
    reference, found = findings("plain"), findings(carrier)
    assert {c: (f.count, f.evidence) for c, f in found.items()} == {
        c: (f.count, f.evidence) for c, f in reference.items()
    }


def test_where_names_the_carrier():
    assert findings("csv")["pii.phone"].where[0].startswith("attachment:名簿.csv!")
    assert "名簿.zip" in findings("zip")["pii.phone"].where[0]
    assert findings("quoted-forward")["pii.phone"].where[0].startswith("body")


def test_quoted_prose_is_still_not_counted():
    """A signature-less quoted reply with a phone and an address in prose: no contacts."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = ENV.mail_from, ENV.rcpt_tos[0], "Re: ご連絡"
    msg.set_content(
        "承知しました。\n\n> 先日は090-1234-5678にお電話ありがとうございました。\n"
        "> 東京都港区芝1-1-1の件、よろしくお願いします。\n"
    )
    found = {f.code for f in PersonalData(today=TODAY).inspect(parse(bytes(msg), ENV))}
    assert not found & {"pii.phone", "pii.address", "pii.records"}


def test_signatures_laid_out_in_quoted_table_cells_stay_quoted_text():
    """A long Outlook thread: each quoted reply ends in a signature laid out as a table (the
    HTML parser turns its cells into tabs). No header row: quoted text, contacts not counted."""
    replies = "".join(
        f"<p>-----Original Message-----<br>From: {s}<br>Sent: 2024/03/{i + 1:02d}</p><blockquote><p>承知しました。</p>"
        f"<table><tr><td>株式会社エー{i}</td><td>営業部</td></tr><tr><td>{s} 一郎</td><td>課長</td></tr>"
        f"<tr><td>TEL</td><td>03-3211-{4000 + i}</td></tr><tr><td>Mail</td><td>staff{i}@a{i}.example</td></tr>"
        f"</table>"
        for i, s in enumerate(SURNAMES)
    )
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = ENV.mail_from, ENV.rcpt_tos[0], "Re: ご相談"
    msg.set_content("x")
    msg.add_alternative(
        f"<html><body><p>ありがとうございます。</p>{replies}{'</blockquote>' * 12}</body></html>",
        subtype="html",
    )
    found = {f.code: f for f in PersonalData(today=TODAY).inspect(parse(bytes(msg), ENV))}
    assert not {"pii.phone", "pii.email_address", "pii.records"} & set(found), found


def test_a_forwarded_list_without_a_header_row_counts_as_it_would_unquoted():
    rows = "\n".join(f"{i}. " + "  ".join(r[:3]) for i, r in enumerate(ROWS, 1)) + "\n"
    counted = []
    for body in (
        "参加者名簿です。\n\n" + rows,
        "転送します。\n\n---------- Forwarded message ---------\nFrom: 鈴木\nDate: 2024年3月29日\n\n" + rows,
    ):
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = ENV.mail_from, ENV.rcpt_tos[0], "Fwd: 参加者名簿"
        msg.set_content(body)
        counted.append({f.code: f.count for f in PersonalData(today=TODAY).inspect(parse(bytes(msg), ENV))})
    assert counted[0] == counted[1] and counted[0]["pii.phone"] == 12 and counted[0]["pii.records"] == 12


def _quoted_body(body: str) -> dict:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = ENV.mail_from, ENV.rcpt_tos[0], "Re: 名簿"
    msg.set_content("ご確認ください。\n\n2024年3月1日 山田 <yamada@sample.co.jp>:\n" + body)
    return {f.code: f for f in PersonalData(today=TODAY).inspect(parse(bytes(msg), ENV))}


@pytest.mark.parametrize("blank", [">", "> ", "＞", ">\t"])
def test_a_quoted_table_with_blank_quote_lines_between_rows_is_one_table(blank):
    """A reply quotes the blank lines between rows too (HTML tables come out double spaced)."""
    body = f"\n{blank}\n".join("> " + "\t".join(r) for r in [HEAD, *ROWS]) + "\n"
    reference = findings("plain")
    assert {c: (f.count, f.evidence) for c, f in _quoted_body(body).items()} == {
        c: (f.count, f.evidence) for c, f in reference.items()
    }


@pytest.mark.parametrize("filler", [["-\t-\t-\t-"] * 70, [f"-\t-\t-\t{i}" for i in range(300)]])
def test_filler_rows_ahead_of_the_people_do_not_make_a_quoted_list_quoted_text(filler):
    """The trial that tells a quoted list from a quoted form has no fixed window to fill."""
    body = "\n".join("> " + line for line in ["\t".join(HEAD), *filler, *("\t".join(r) for r in ROWS)]) + "\n"
    found = _quoted_body(body)
    assert found["pii.phone"].count == 12 and found["pii.records"].count == 12


@pytest.mark.timing
def test_a_long_quoted_table_that_is_no_list_is_read_in_bounded_time():
    """Reading it whole to find no one costs one more pass, not one per chunk."""
    import time

    body = "".join(f"> 品番{i}\t{i * 7 % 1000}個\t単価{i % 97}円\n" for i in range(40_000))
    started = time.perf_counter()
    found = _quoted_body(body)
    assert "pii.records" not in found and time.perf_counter() - started < 10
