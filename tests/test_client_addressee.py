"""A document addressed to one client going to another client's people (issue 17, item 7).

The head of a document (first lines, first rows, first page) names its addressee with 御中, 様,
Bill to …; client.mismatch reports the document when the recipients include a client it neither
addresses nor names. Real xlsx, docx, pdf and zip attachments read by the real extraction.
"""

from __future__ import annotations

import time

import pytest

from inspectors.addressee import HEAD_LINES, Addressees, is_head
from inspectors.base import Finding
from inspectors.clients import Client
from inspectors.message import Table
from quarantine.explain import sentences
from quarantine.hold_view import checklist

from . import test_explain_findings as pipeline
from .eval_set.fabric import zip_of
from .test_clients import (
    DOCX,
    OURS,
    XLSX,
    attachment,
    directory,
    docx_bytes,
    findings,
    mail,
    pdf_bytes,
    view,
    xlsx,
)

A_ONLY = ["tanaka@a-corp.co.jp"]
A_AND_B = ["tanaka@a-corp.co.jp", "suzuki@b-corp.co.jp"]
WITH_STAFF = ["tanaka@a-corp.co.jp", "ito@example.co.jp", "kato@sales.example.co.jp"]
A, B = 0, 1  # directory indices (tests.test_clients: A, B, C)


def heads_of(text: str, where: str = "attachment:見積.docx") -> set[int]:
    found = Addressees(directory())
    found.text(where, text)
    return found.heads[where].clients if where in found.heads else set()


def addressee_findings(v) -> list[Finding]:
    return [f for f in findings(v) if any(e.startswith("addressee=") for e in f.evidence)]


def evidence(f: Finding) -> dict[str, str]:
    return dict(e.split("=", 1) for e in f.evidence if "=" in e)


# --- the head -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        "御見積書\n株式会社エー 御中",
        "請求書\nエー社 様\n2026年11月30日",
        "納品書\n株式会社エー　殿",
        "株式会社エー宛\n送付状",
        "INVOICE\nBill to: A Corp",
        "INVOICE\nBILL TO\nA Corp\nTokyo",
        "Attn: Purchasing, A Corp",
        "To: A Corp",
        "Dear A Corp team,",
        "請求先：株式会社エー",
        "見積先\t株式会社エー",
        "納品先: エー社",
        "ＢＩＬＬ ＴＯ： A Corp",
        "見積書\nA社 田中様",
        "株式会社エー 営業部 田中 一郎 様\t\t2026年11月20日",
    ],
)
def test_an_addressing_mark_at_the_head_names_the_addressee(head):
    assert heads_of(head) == {A}


@pytest.mark.parametrize(
    "text",
    [
        "御見積書\n施工: 株式会社エー\n合計 100,000",  # a party, not the addressee
        "Total: A Corp group discount",  # "To" inside "Total" is no label
        "Today A Corp visited",
        "関係者各位\n議事録",
        "\n".join(
            ["見積書", *[f"{i}行目" for i in range(HEAD_LINES)], "株式会社エー 御中"]
        ),  # below the head
    ],
)
def test_no_addressing_mark_at_the_head_is_no_addressee(text):
    assert heads_of(text) == set()


@pytest.mark.parametrize(
    "where, head",
    [
        ("attachment:a.pdf!page1", True),
        ("attachment:a.pdf!page2", False),
        ("attachment:a.pdf!page12", False),
        ("attachment:a.docx!properties", False),
        ("attachment:a.docx!comments", False),
        # A tracked deletion or hidden text is what the document no longer says: not its head.
        ("attachment:a.docx!tracked-changes", False),
        ("attachment:a.docx!hidden-text", False),
        ("attachment:a.odt!tracked-changes", False),
        ("attachment:a.zip!b.xlsx!Sheet1", True),
        ("attachment:a.docx!table1", True),
        ("attachment:a.docx!table3", False),
        ("attachment:a.docx!header1", True),
        ("attachment:a.docx!footer1", False),
        ("attachment:a.pptx!slide1", True),
        ("attachment:a.pptx!slide2", False),
        ("attachment:a.pdf!page1!annotations", False),
        ("attachment:fwd.eml!body", False),
        ("attachment:fwd.eml!headers", False),
        ("attachment:fwd.eml!見積.xlsx!Sheet1", True),
        ("body", False),
        ("subject", False),
    ],
)
def test_only_the_first_page_and_the_document_itself_are_heads(where, head):
    assert is_head(where) is head


def test_a_table_head_reads_the_cell_after_a_label_and_the_honorific_in_the_next_cell():
    found = Addressees(directory())
    found.table(Table(where="attachment:q.xlsx!見積", rows=(("御見積書", ""), ("株式会社エー", "御中"))))
    found.table(Table(where="attachment:i.xlsx!請求", rows=(("請求書",), ("請求先", "株式会社ビー"))))
    assert found.heads["attachment:q.xlsx!見積"].clients == {A}
    assert found.heads["attachment:q.xlsx!見積"].kind == "quotation"
    assert found.heads["attachment:i.xlsx!請求"].clients == {B}
    assert found.heads["attachment:i.xlsx!請求"].where == ["attachment:i.xlsx!請求!A2"]


def test_our_own_company_is_never_an_addressee():
    assert heads_of(f"注文書\n{OURS} 御中\n株式会社エー") == set()


# --- the finding --------------------------------------------------------------------------


def test_a_quote_for_a_in_a_reply_all_still_copying_b_is_reported():
    quote = xlsx([["御見積書"], ["株式会社エー　御中"], ["品名", "金額"], ["保守", 100000]])
    v = mail(A_AND_B, "Re: 日程の件", "田中様、鈴木様\n日程承知しました。", [("見積.xlsx", quote, XLSX)])
    [f] = addressee_findings(v)
    assert evidence(f)["addressee"] == "株式会社エー"
    assert evidence(f)["other_clients"] == "株式会社ビー"
    assert evidence(f)["document"] == "quotation"
    assert f.where[0] == "attachment:見積.xlsx" and f.count == 1
    assert sentences(f) == (
        "添付ファイル『見積.xlsx』は株式会社エー宛の見積書ですが、株式会社ビーの方にも送られます。",
        'The attachment "見積.xlsx" (quotation) is made out to 株式会社エー, '
        "but it also goes to people of 株式会社ビー.",
    )


def test_a_pdf_bill_to_a_sent_to_b_and_a_is_reported():
    invoice = pdf_bytes(["INVOICE", "Bill to: A Corp", "Total JPY 132,000"])
    v = mail(A_AND_B, "Invoice", "Please find the invoice.", [("inv.pdf", invoice, "application/pdf")])
    [f] = addressee_findings(v)
    assert evidence(f)["document"] == "invoice"


def test_a_docx_for_a_sent_to_b_only_is_the_mismatch_of_a_named_client():
    invoice = docx_bytes(["請求書", "株式会社エー 御中", "下記のとおりご請求申し上げます。"])
    v = mail(["suzuki@b-corp.co.jp"], "請求書", "鈴木様", [("請求書.docx", invoice, DOCX)])
    [f] = findings(v)  # the addressee is not a recipient: the named client's finding says it
    assert evidence(f)["client"] == "株式会社エー" and evidence(f)["confidence"] == "high"


def test_a_document_in_a_zip_is_named_by_its_member():
    inner = zip_of({"見積_エー.xlsx": xlsx([["株式会社エー 御中"], ["保守", 1]])})
    v = mail(A_AND_B, "資料", "ご確認ください。", [("資料.zip", inner, "application/zip")])
    [f] = addressee_findings(v)
    assert f.where[0] == "attachment:資料.zip!見積_エー.xlsx"


def test_the_subject_says_whose_an_unaddressed_attachment_is():
    sheet = xlsx([["御見積書"], ["品名", "金額"], ["保守", 100000]])
    v = mail(A_AND_B, "【エー社様】お見積り", "ご確認ください。", [("見積.xlsx", sheet, XLSX)])
    [f] = addressee_findings(v)
    assert f.where == ("attachment:見積.xlsx", "subject")


def test_many_documents_for_a_make_one_finding():
    files = [(f"見積{i}.xlsx", xlsx([["株式会社エー 御中"]]), XLSX) for i in range(5)]
    v = mail(A_AND_B, "見積", "各種お見積り", files)
    [f] = addressee_findings(v)
    assert len(f.where) == 10  # each file and its head


def test_the_shipped_rules_hold_it_and_the_sender_reads_whose_document_goes_where():
    quote = xlsx([["御見積書"], ["株式会社エー 御中"], ["保守", 100000]])
    to = ("tanaka@a-corp.co.jp", "suzuki@b-corp.co.jp")
    c = pipeline.check(*pipeline.mail("Re: 日程の件", "各位", ("見積.xlsx", quote), to=to))
    assert pipeline.held_by(c) == ["client-mismatch"]
    assert c.ja == [
        "添付ファイル『見積.xlsx』は株式会社エー宛の見積書ですが、株式会社ビーの方にも送られます。"
    ]
    assert [item for _, _, item in checklist(c.decision)] == ["株式会社ビー"]


# --- ordinary threads that pass -----------------------------------------------------------


def test_the_subject_alone_is_the_conversation():
    v = mail(A_AND_B, "Re: 【エー社様】打合せ日程", "田中様、鈴木様\n9日でいかがでしょうか。")
    assert findings(v) == []


def test_joint_minutes_addressed_to_both_or_to_neither_pass():
    both = docx_bytes(["議事録", "株式会社エー 御中", "株式会社ビー 御中", "1. 工程"])
    neither = xlsx([["工程表"], ["関係者各位"], ["作業", "開始"]])
    for name, data, ctype in (("議事録.docx", both, DOCX), ("工程表.xlsx", neither, XLSX)):
        assert findings(mail(A_AND_B, "合同会議", "各位", [(name, data, ctype)])) == []


def test_a_quote_to_a_with_our_staff_copied_passes():
    quote = xlsx([["御見積書"], ["株式会社エー 御中"]])
    assert findings(mail(WITH_STAFF, "お見積り", "田中様", [("見積.xlsx", quote, XLSX)])) == []


def test_a_quote_to_a_naming_b_as_subcontractor_sent_to_both_passes():
    quote = xlsx([["御見積書"], ["株式会社エー 御中"], ["改修工事（施工：株式会社ビー）", 2300000]])
    assert findings(mail(A_AND_B, "お見積り", "田中様、鈴木様", [("見積.xlsx", quote, XLSX)])) == []


def test_a_quote_to_a_naming_b_sent_to_a_only_is_still_the_named_clients_finding():
    """Decided: B named in A's document going to A alone stays reported (medium confidence,
    no honorific): the addressee does not make a mention of B harmless (B's figures pasted
    into A's quote are the first incident of the brief)."""
    quote = xlsx([["御見積書"], ["株式会社エー 御中"], ["改修工事（施工：株式会社ビー）", 2300000]])
    [f] = findings(mail(A_ONLY, "お見積り", "田中様", [("見積.xlsx", quote, XLSX)]))
    assert evidence(f)["client"] == "株式会社ビー" and evidence(f)["confidence"] == "medium"


def test_a_mail_inside_the_company_is_not_checked():
    quote = xlsx([["株式会社エー 御中"]])
    assert (
        findings(mail(["ito@example.co.jp"], "見積", "確認お願いします", [("見積.xlsx", quote, XLSX)])) == []
    )


# --- hostile input --------------------------------------------------------------------------


@pytest.mark.timing
def test_a_huge_first_line_and_a_wide_first_row_cost_only_the_head():
    found = Addressees(directory())
    line = "株式会社エー 御中 " * 500_000  # 13 MB on one line
    wide = tuple("株式会社ビー 御中" for _ in range(100_000))
    start = time.perf_counter()
    found.text("attachment:a.txt", line)
    found.table(Table(where="attachment:b.xlsx!S", rows=(wide,) * 1000))
    assert time.perf_counter() - start < 1.0
    assert found.heads["attachment:a.txt"].clients == {A}
    assert len(found.heads["attachment:b.xlsx!S"].where) == HEAD_LINES


def test_a_domain_two_directory_entries_share_is_one_party():
    group = Client(name="エー物流株式会社", domains=("a-corp.co.jp",))  # a group company, same domain
    quote = xlsx([["御見積書"], ["株式会社エー 御中"]])
    v = mail(A_ONLY + ["sato@a-corp.co.jp"], "お見積り", "田中様", [("見積.xlsx", quote, XLSX)])
    assert [f for f in findings(v, group) if "addressee=株式会社エー" in f.evidence] == []
    v = mail(A_AND_B, "お見積り", "田中様", [("見積.xlsx", quote, XLSX)])
    [f] = [f for f in findings(v, group) if "addressee=株式会社エー" in f.evidence]
    assert evidence(f)["other_clients"] == "株式会社ビー"


def test_the_addressee_finding_stays_small_with_many_clients_on_the_thread():
    v = view(
        [*A_AND_B, "x@acme.example"],
        tables=[Table(where="attachment:q.xlsx!S", rows=(("株式会社エー 御中",),))],
        attachments=[attachment("q.xlsx")],
    )
    [f] = addressee_findings(v)
    assert evidence(f)["other_clients"] == "Acme Corporation, 株式会社ビー"
    assert f.count == 2
