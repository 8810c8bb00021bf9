"""client.mismatch and the client directory: whose document is this, and who gets it?

Name matching is tested on plain text; the inspector on MessageView values (texts and tables as
attachment extraction will produce them) and on real messages with real xlsx/docx/pdf
attachments, read by the real extraction.
"""

from __future__ import annotations

import email.policy
import io
from dataclasses import dataclass
from email.message import EmailMessage

import docx
import openpyxl
import pypdf
import pytest

from inspectors.base import Envelope
from inspectors.client_mismatch import ClientMismatch
from inspectors.clients import Client, ClientDirectory
from inspectors.message import Attachment, MessageView, Table, TextChunk, parse

from .pdf_file import pdf_file

INTERNAL = ("example.co.jp",)
A = Client(name="株式会社エー", aliases=("A社", "エー社", "A Corp"), domains=("a-corp.co.jp",))
B = Client(name="株式会社ビー", aliases=("B Corp",), domains=("b-corp.co.jp", "b-corp.com"))
C = Client(name="Acme Corporation", domains=("acme.example",))
OURS = "株式会社エグザンプル"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def directory(*extra: Client) -> ClientDirectory:
    return ClientDirectory([A, B, C, *extra], own_names=[OURS])


def inspector(*extra: Client) -> ClientMismatch:
    return ClientMismatch(directory(*extra), INTERNAL)


def envelope(*rcpts: str) -> Envelope:
    return Envelope(mail_from="sato@example.co.jp", rcpt_tos=rcpts)


def findings(view, *extra):
    return [f for f in inspector(*extra).inspect(view) if f.code == "client.mismatch"]


# --- name variants ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "株式会社エー",
        "エー株式会社",
        "(株)エー",
        "（株）エー",
        "㈱エー",
        "エー㈱",
        "株式会社　エー",
        "株式会社 エー 御中",
        "エー社",
        "ｴｰ",
        "ｶ)ｴｰ",
        "ｴｰ(ｶ",
        "ｴｰ 様",
        "A社",
        "Ａ社",
        "a corp",
        "A CORP",
        "Ａ Ｃｏｒｐ",
        "御見積書\n株式会社エー\n",
        "宛先: エー様",
    ],
)
def test_japanese_and_english_variants_find_the_client(text):
    [mention] = directory().mentions(text, "subject")
    assert mention.clients == (0,) and mention.where == "subject"


@pytest.mark.parametrize(
    "text",
    [
        "エージェント",
        "データエー",
        "エーテル株式会社",
        "DATA CORP",
        "a corporation",
        "Acme Corporations",
        "Aの件",
        "今日はエーと言った",
        "株式会社エグザンプル",
        "",
    ],
)
def test_words_that_only_contain_a_name_are_not_the_client(text):
    assert directory().mentions(text, "body") == []


def test_a_name_that_is_an_everyday_word_needs_its_context():
    d = ClientDirectory(
        [
            Client(name="株式会社ライセンス"),
            Client(name="Global Inc."),
            Client(name="株式会社三菱商事"),
            Client(name="ヤマダ電機株式会社", aliases=("ヤマダデンキ",)),
        ]
    )
    assert d.mentions("ライセンス費用は年額です。global pricing", "x") == []
    found = "株式会社ライセンス、ライセンス社様、Global Inc.、三菱商事の件、ヤマダデンキで購入、ヤマダ電機"
    assert [m.clients for m in d.mentions(found, "x")] == [(0,), (0,), (1,), (2,), (3,), (3,)]


def test_honorific_raises_confidence():
    [plain] = directory().mentions("株式会社エー", "x")
    [honoured] = directory().mentions("株式会社エー　御中", "x")
    assert (plain.honorific, honoured.honorific) == (False, True)


def test_longer_name_wins_over_the_name_inside_it():
    d = ClientDirectory([Client(name="山田商事株式会社"), Client(name="東山田商事株式会社")])
    assert [m.clients for m in d.mentions("東山田商事様 と 山田商事様", "x")] == [(1,), (0,)]


def test_table_cells_are_located():
    table = Table(
        where="attachment:q.xlsx!見積", rows=(("御見積書", ""), ("", "株式会社ビー 御中")), first_row=3
    )
    [m] = directory().table_mentions(table)
    assert m.where == "attachment:q.xlsx!見積!B4" and m.clients == (1,) and m.honorific


def test_recipient_domains_resolve_to_clients_with_subdomains():
    d = directory()
    assert d.clients_at("tokyo.b-corp.com") == {1} and d.clients_at("a-corp.co.jp") == {0}
    assert d.clients_at("b-corp.com.evil.example") == set()


def test_five_thousand_clients_one_automaton():
    many = [Client(name=f"株式会社テスト{i:04d}", domains=(f"t{i}.example",)) for i in range(5000)]
    d = ClientDirectory(many)
    assert [m.clients for m in d.mentions("（株）テスト4321 御中、テスト0007社", "x")] == [(4321,), (7,)]


# --- the inspector on views as extraction will build them ---------------------------------


def view(rcpts, subject="お見積りの件", texts=(), tables=(), attachments=()):
    return MessageView(
        envelope=envelope(*rcpts),
        size=1000,
        subject=subject,
        texts=tuple(texts),
        tables=tuple(tables),
        attachments=tuple(attachments),
    )


def attachment(name, ctype=XLSX):
    return Attachment(where=f"attachment:{name}", filename=name, content_type=ctype, size=100, part="2")


# What the inspector says of B's quote sent to A (test_explain words the same finding).
QUOTE_EVIDENCE = (
    "named_clients=1",
    "client=株式会社ビー",
    "confidence=high",
    "as=ビー",
    "addressed=株式会社エー",
    "recipients=a-corp.co.jp",
)


def test_quote_table_for_another_client():
    v = view(
        ["tanaka@a-corp.co.jp"],
        texts=[TextChunk(where="body", text="エー社 田中様\nお見積りを送ります。")],
        tables=[Table(where="attachment:見積.xlsx!見積", rows=(("御見積書",), ("株式会社ビー 御中",)))],
        attachments=[attachment("見積.xlsx")],
    )
    [f] = findings(v)
    assert (f.count, f.where) == (1, ("attachment:見積.xlsx!見積!A2",))
    assert f.evidence == QUOTE_EVIDENCE
    assert not any("tanaka" in e for e in f.evidence)


def test_docx_text_and_document_properties():
    @dataclass(frozen=True, kw_only=True)
    class WithProperties(Attachment):
        properties: tuple[tuple[str, str], ...] = ()

    doc = WithProperties(
        where="attachment:仕様書.docx",
        filename="仕様書.docx",
        content_type=DOCX,
        size=9,
        part="2",
        properties=(("company", "Acme Corporation"),),
    )
    v = view(
        ["tanaka@a-corp.co.jp"],
        attachments=[doc],
        texts=[TextChunk(where="attachment:仕様書.docx", text="本仕様はB Corp向けです。")],
    )
    found = {f.evidence[1]: f for f in findings(v)}
    assert set(found) == {"client=Acme Corporation", "client=株式会社ビー"}
    assert found["client=Acme Corporation"].where == ("attachment:仕様書.docx!properties",)
    assert found["client=株式会社ビー"].evidence[:3] == (
        "named_clients=2",
        "client=株式会社ビー",
        "confidence=medium",
    )


def test_body_mentions_are_reported_apart():
    v = view(
        ["tanaka@a-corp.co.jp"],
        subject="Re: (株)ビー様の件",
        texts=[
            TextChunk(where="body", text="株式会社ビー様にもご確認ください。"),
            TextChunk(where="body:1.2", text="B Corp"),
        ],
    )
    strong, body = findings(v)
    assert strong.where == ("subject",) and strong.count == 1
    assert body.where == ("body", "body:1.2") and body.count == 2


def test_both_clients_addressed_is_fine():
    v = view(
        ["tanaka@a-corp.co.jp", "suzuki@mail.b-corp.com"],
        subject="エー社・ビー社 合同会議",
        tables=[
            Table(where="attachment:議事録.xlsx!Sheet1", rows=(("株式会社エー 御中", "株式会社ビー 御中"),))
        ],
    )
    assert findings(v) == []


def test_only_our_own_company_is_fine():
    v = view(
        ["tanaka@a-corp.co.jp"],
        subject="株式会社エグザンプルより",
        texts=[TextChunk(where="attachment:会社案内.pdf", text="株式会社エグザンプル\n営業部")],
    )
    assert findings(v) == []


def test_internal_mail_is_not_checked():
    v = view(["kato@example.co.jp"], subject="ビー社の見積")
    assert findings(v) == []


def test_a_directory_entry_of_our_own_group_is_never_a_mismatch():
    group = Client(name="エグザンプル販売株式会社", domains=("sales.example.co.jp",))
    v = view(["tanaka@a-corp.co.jp"], subject="エグザンプル販売株式会社より")
    assert findings(v, group) == []


def test_unknown_recipient_and_a_named_client():
    v = view(["someone@gmail.com"], subject="株式会社ビー 御中 請求書")
    [f] = findings(v)
    assert "addressed=none" in f.evidence and "recipients=gmail.com" in f.evidence


def test_a_shared_alias_means_the_addressed_client():
    twin = Client(name="ビー販売株式会社", aliases=("B Corp",), domains=("b-hanbai.co.jp",))
    v = view(["x@b-hanbai.co.jp"], subject="B Corp quote")
    assert findings(v, twin) == []


# --- real messages -----------------------------------------------------------------------


def mail(to, subject, body, attachments=()):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "sato@example.co.jp", ", ".join(to), subject
    msg.set_content(body)
    for name, data, ctype in attachments:
        main, sub = ctype.split("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return parse(msg.as_bytes(policy=email.policy.SMTP), envelope(*to))


def xlsx(rows, sheet="見積"):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_bytes(paragraphs, title=""):
    document = docx.Document()
    document.core_properties.title = title
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_bytes(lines):
    """A one-page PDF written by hand (Helvetica: the text stays ASCII)."""
    content = "BT /F1 14 Tf 72 720 Td " + " ".join(f"({line}) Tj 0 -20 Td" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_file([o.encode() for o in objects], header=b"%PDF-1.4\n")


def test_the_handwritten_pdf_is_a_real_pdf():
    text = pypdf.PdfReader(io.BytesIO(pdf_bytes(["INVOICE", "Bill to: B Corp"]))).pages[0].extract_text()
    assert "Bill to: B Corp" in text


def test_subject_names_another_client():
    v = mail(["tanaka@a-corp.co.jp"], "【株式会社ビー様】お見積りの件", "田中様\nお見積りをお送りします。")
    [f] = findings(v)
    assert f.where == ("subject",) and f.evidence[:3] == (
        "named_clients=1",
        "client=株式会社ビー",
        "confidence=high",
    )


def test_attachment_named_after_another_client():
    quote = xlsx([["御見積書"], ["株式会社エー 御中"]])
    v = mail(["tanaka@a-corp.co.jp"], "お見積り", "エー社 田中様", [("見積書_ビー社様.xlsx", quote, XLSX)])
    [f] = findings(v)
    assert f.where == ("attachment:見積書_ビー社様.xlsx",) and f.evidence[1] == "client=株式会社ビー"


def test_the_other_client_only_in_the_mail_body():
    v = mail(["tanaka@a-corp.co.jp"], "打合せ", "田中様\n先日ビー社様との打合せで伺った件です。\n")
    [f] = findings(v)
    assert f.where == ("body",) and f.evidence[1] == "client=株式会社ビー"


def test_both_clients_addressed_in_a_real_message():
    v = mail(
        ["tanaka@a-corp.co.jp", "suzuki@b-corp.co.jp"],
        "エー社・ビー社 御中 合同会議",
        "エー社様、ビー社様",
        [("エー社_ビー社_議事録.xlsx", xlsx([["株式会社エー", "株式会社ビー"]]), XLSX)],
    )
    assert findings(v) == []


def test_quote_for_one_client_in_an_xlsx_named_after_another():
    quote = xlsx([["御見積書"], ["株式会社ビー 御中"], ["品名", "数量", "単価"], ["保守費用", 1, 120000]])
    v = mail(["tanaka@a-corp.co.jp"], "お見積り", "エー社 田中様", [("見積書_エー社様.xlsx", quote, XLSX)])
    [f] = findings(v)
    assert f.evidence[1] == "client=株式会社ビー"
    assert all(w.startswith("attachment:見積書_エー社様.xlsx") for w in f.where)


def test_docx_whose_only_mention_of_the_other_client_is_in_its_body():
    spec = docx_bytes(["システム更改 仕様書", "本書は株式会社ビー様向けの提案内容です。"], title="仕様書")
    v = mail(["tanaka@a-corp.co.jp"], "仕様書送付", "エー社 田中様", [("仕様書.docx", spec, DOCX)])
    [f] = findings(v)
    assert f.evidence[1] == "client=株式会社ビー" and f.where[0].startswith("attachment:仕様書.docx")


def test_pdf_invoice_addressed_to_another_client():
    invoice = pdf_bytes(["INVOICE No. 2024-118", "Bill to: B Corp", "Total: JPY 1,320,000"])
    v = mail(
        ["tanaka@a-corp.co.jp"], "請求書送付", "エー社 田中様", [("invoice.pdf", invoice, "application/pdf")]
    )
    [f] = findings(v)
    assert f.evidence[1] == "client=株式会社ビー" and f.where[0].startswith("attachment:invoice.pdf")


def test_honorific_in_the_next_cell_and_cells_located_across_rows():
    table = Table(
        where="attachment:請求書.xlsx!請求書",
        first_col=2,
        rows=(("請求書", "", ""), ("株式会社ビー", "御中", ""), ("", "", ""), ("品名", "エー社", "A Corp")),
    )
    found = [(m.where, m.clients, m.honorific) for m in directory().table_mentions(table)]
    assert found == [
        ("attachment:請求書.xlsx!請求書!B2", (1,), True),
        ("attachment:請求書.xlsx!請求書!C4", (0,), False),
        ("attachment:請求書.xlsx!請求書!D4", (0,), False),
    ]


def test_a_table_and_its_text_are_read_once():
    rows = (("株式会社ビー 御中",),)
    v = view(
        ["tanaka@a-corp.co.jp"],
        tables=[Table(where="attachment:q.xlsx!S", rows=rows)],
        texts=[TextChunk(where="attachment:q.xlsx!S", text="株式会社ビー 御中")],
    )
    [f] = findings(v)
    assert (f.count, f.where) == (1, ("attachment:q.xlsx!S!A1",))


def test_a_customer_list_names_many_clients_in_few_findings():
    many = [Client(name=f"株式会社テスト{i:04d}", domains=(f"t{i}.example",)) for i in range(300)]
    rows = tuple((f"株式会社テスト{i:04d}", "東京都") for i in range(300)) + (
        ("株式会社テスト0299 御中", ""),
    )
    v = view(["tanaka@a-corp.co.jp"], tables=[Table(where="attachment:顧客一覧.csv", rows=rows)])
    found = list(ClientMismatch(ClientDirectory(many), INTERNAL).inspect(v))
    assert len(found) == 20 and all(f.evidence[0] == "named_clients=300" for f in found)
    first = found[0]  # the one with 御中, named in two cells
    assert first.evidence[1:3] == ("client=株式会社テスト0299", "confidence=high") and first.count == 2
    assert first.where == ("attachment:顧客一覧.csv!A300", "attachment:顧客一覧.csv!A301")
