"""Issue 14 item 5: every finding in a sentence a salesperson understands (ja and en), the
technical detail behind a collapsed disclosure, and nothing a sender wrote — HTML in a file
name, a 2,000-character name, a right-to-left override — reaching the page or the notice as
anything but capped, one-line, escaped text. Plain findings for the sentences; the real
Store, the real Starlette app and the real notice for the page and the mail."""

from __future__ import annotations

import email
import email.policy
import re

import pytest

from inspectors.base import Finding
from inspectors.message import Summary
from quarantine.display import clean, file_name, location
from quarantine.explain import reasons, sentence, sentences, technical
from quarantine.notice import hold_notice
from quarantine.records import HeldMessage
from rules.codes import KNOWN_CODES
from rules.model import Decision, MatchedRule

from .sender_page import open_store, serving, why
from .test_clients import QUOTE_EVIDENCE

F = Finding
MISMATCH = F(code="client.mismatch", count=1, where=("subject",), evidence=QUOTE_EVIDENCE)
RECORDS = F(
    code="pii.records",
    count=120,
    where=("attachment:顧客一覧.xlsx!顧客!A2:D121",),
    evidence=("third_parties=105", "recipient_org=12", "own_org=3", "120 people: address+person_name+phone"),
)
PLACES = F(
    code="pii.places",
    count=12,
    where=("attachment:拠点一覧.csv!A2:C13",),
    evidence=("places=12", "営業所", "支店"),
)
# A table of payees typed by hand (cells), and a transfer file (the Zengin reader's records).
PAYEES = F(
    code="pii.records",
    count=12,
    where=("attachment:振込.zip!202404/振込先.csv!A2:E13",),
    evidence=("third_parties=12", "recipient_org=0", "own_org=0", "12 people: bank_account+person_name"),
)
ZENGIN = F(
    code="pii.records",
    count=12,
    where=("attachment:furikomi.txt!records 2-13",),
    evidence=("third_parties=12", "recipient_org=0", "own_org=0", "12 people: bank_account+person_name"),
)
ZENGIN_ACCOUNTS = F(
    code="pii.bank_account",
    count=12,
    where=("attachment:振込.zip!furikomi.fb!records 2-13",),
    evidence=("****567", "****568"),
)
SAMPLES = {  # one realistic finding per code, evidence as the inspectors write it
    "client.mismatch": MISMATCH,
    "pii.records": RECORDS,
    "pii.places": PLACES,
    "pii.my_number": F(code="pii.my_number", count=1, where=("body!line 3",), evidence=("****-****-9018",)),
    "pii.resident_code": F(
        code="pii.resident_code", count=2, where=("body!line 4",), evidence=("*******8903",)
    ),
    "pii.phone": F(
        code="pii.phone",
        count=12,
        where=("attachment:会員名簿.csv!B2:B13",),
        evidence=("third_parties=3", "090-****-5601", "090-****-5602"),
    ),
    "pii.email_address": F(
        code="pii.email_address",
        count=12,
        where=("attachment:会員名簿.csv!C2:C13",),
        evidence=("third_parties=12", "c***@mail.example"),
    ),
    "recipients.external": F(
        code="recipients.external",
        count=12,
        where=("envelope",),
        evidence=("organisations=4", "org0.example", "org1.example", "org2.example", "org3.example"),
    ),
    "recipients.visible_external": F(
        code="recipients.visible_external",
        count=12,
        where=("header:To",),
        evidence=("organisations=4", "org0.example (3)", "org1.example (3)"),
    ),
    "recipients.lookalike_domain": F(
        code="recipients.lookalike_domain",
        count=1,
        where=("envelope", "header:To"),
        evidence=("a-c0rp.co.jp resembles a-corp.co.jp (homoglyph)",),
    ),
    "recipients.suppressed": F(
        code="recipients.suppressed", count=1, where=("envelope",), evidence=("f***@example.net",)
    ),
    "recipients.first_time": F(
        code="recipients.first_time",
        count=2,
        where=("envelope",),
        evidence=("new_domains=1", "new_to_organisation=1", "new.example (domain new to the organisation)"),
    ),
    "recipients.freemail": F(
        code="recipients.freemail", count=1, where=("envelope",), evidence=("gmail.com (1)",)
    ),
    "attachment.encrypted": F(
        code="attachment.encrypted",
        count=1,
        where=("attachment:資料.zip",),
        evidence=("password-protected zip (ZipCrypto)",),
    ),
    "attachment.unscannable": F(
        code="attachment.unscannable", count=1, where=("attachment:議事録.zip",), evidence=("corrupt zip",)
    ),
    "attachment.unsupported": F(
        code="attachment.unsupported",
        count=1,
        where=("attachment:議事録.doc",),
        evidence=("unsupported format: Word 97-2003 document",),
    ),
    "attachment.type_mismatch": F(
        code="attachment.type_mismatch",
        count=1,
        where=("attachment:a.zip!report.pdf",),
        evidence=("name .pdf, content application/x-dosexec",),
    ),
    "inspector.error": F(
        code="inspector.error", count=1, where=("inspector:personal_data",), evidence=("TimeoutError",)
    ),
    "keyword.project-x": F(code="keyword.project-x", count=1, where=("body",)),
}
# What a sender must never be shown as the explanation: the inspectors' own notation.
NOTATION = (
    "=",
    "named_clients",
    "confidence",
    "addressed",
    "third_parties",
    "recipient_org",
    "own_org",
    "people:",
    "payees:",
    "resembles",
    "homoglyph",
    "domain new to",
    "inspector:",
    "!records",
    "B2:B13",
)
GENERIC = ("送信前に確認が必要な内容", "needs checking before")


def _finding(code: str) -> Finding:
    return SAMPLES.get(code) or F(
        code=code, count=3, where=("attachment:a.csv!A1:C3",), evidence=("x=1", "****12")
    )


@pytest.mark.parametrize(
    "code", sorted(KNOWN_CODES | {"pii.places", "pii.resident_code", "keyword.project-x"})
)
def test_every_code_has_its_own_sentence_in_both_languages_without_internal_notation(code):
    finding = _finding(code)
    ja, en = sentences(finding)
    assert ja and en and ja != en
    assert not any(g in ja or g in en for g in GENERIC), f"{code} fell back to the generic sentence"
    for said in (ja, en):
        assert code not in said and not any(n in said for n in NOTATION), said
    assert re.search(r"[ぁ-んァ-ン一-龥]", ja) and (en[:1].isupper() or en[:1].isdigit())


def test_an_unknown_code_gets_a_generic_sentence_that_shows_nothing_of_it():
    odd = F(code="future.thing", count=3, where=("body",), evidence=("secret=1", "raw-ish"))
    ja, en = sentences(odd)
    assert ja == "本文に、送信前に確認が必要な内容が見つかりました。"
    assert "future" not in ja + en and "secret" not in ja + en and "raw-ish" not in ja + en
    assert technical(odd) == "future.thing × 3 — body — secret=1, raw-ish"  # the admin's view


def test_the_client_mismatch_of_the_issue_in_both_languages():
    assert sentences(MISMATCH) == (
        "件名に『株式会社ビー』とありますが、宛先は株式会社エーです。",
        "The subject names 株式会社ビー, but you are mailing 株式会社エー.",
    )
    nobody = F(
        code="client.mismatch",
        count=2,
        where=("subject", "attachment:見積_ビー.xlsx!properties"),
        evidence=(
            "named_clients=1",
            "client=株式会社ビー",
            "as=ビー",
            "addressed=none",
            "recipients=x.example",
        ),
    )
    ja, en = sentences(nobody)
    assert (
        ja
        == "件名と添付ファイル『見積_ビー.xlsx』に『株式会社ビー』とありますが、宛先（x.example）は株式会社ビーではありません。"
    )
    assert en.startswith('株式会社ビー is named in the subject and the attachment "見積_ビー.xlsx", but')


def test_a_list_of_people_says_how_many_what_and_whose():
    ja, en = sentences(RECORDS)
    assert ja.startswith(
        "添付ファイル『顧客一覧.xlsx』に 120 人分の個人情報（氏名・電話番号・住所）があります。"
    )
    assert "うち宛先の会社の方 12 人、当社の社員 3 人、それ以外の方（第三者） 105 人です。" in ja
    assert en.endswith(
        "Of them: 12 of the recipients' organisation, 3 of our own staff and 105 third parties."
    )
    theirs = F(
        code="pii.records",
        count=14,
        where=("body!lines 3-16",),
        evidence=("third_parties=0", "recipient_org=14", "own_org=0", "14 people: email_address+person_name"),
    )
    assert sentences(theirs) == (
        "本文に宛先の会社の方 14 人分の個人情報（氏名・メールアドレス）があります。",
        "There is personal data of 14 people of the recipients' organisation "
        "(personal names, e-mail addresses) in the message body.",
    )
    plain = F(
        code="pii.records",
        count=12,
        where=("attachment:会員名簿.csv!A2:D13",),
        evidence=(
            "third_parties=12",
            "recipient_org=0",
            "own_org=0",
            "12 people: address+email_address+phone",
        ),
    )
    assert "うち" not in sentence(plain, "ja"), "all third parties: nothing to add"
    odd = F(
        code="pii.records",
        count=20,
        where=("body!lines 1-20",),  # tallies short of the count
        evidence=("third_parties=0", "recipient_org=3", "own_org=0", "20 people: phone"),
    )
    assert sentence(odd, "en").endswith(" Of them: 3 of the recipients' organisation.")


def test_places_are_said_to_be_places_not_people():
    ja, en = sentences(PLACES)
    assert (
        ja
        == "添付ファイル『拠点一覧.csv』の一覧は、拠点・建物の一覧（12 件、営業所・支店 など）です。個人の情報としては数えていません。"
    )
    assert "premises" in en and "not counted as personal data" in en


def test_payees_are_said_to_be_names_and_bank_accounts():
    ja, en = sentences(PAYEES)
    assert (
        ja
        == "添付ファイル『振込.zip』の中の『202404/振込先.csv』に 12 人分の氏名と銀行口座番号（振込先の一覧など）があります。"
    )
    assert en == (
        "There are names and bank account numbers of 12 people in the attachment "
        '"202404/振込先.csv" in "振込.zip" (a list of payees?).'
    )
    accounts = F(code="pii.bank_account", count=12, where=PAYEES.where, evidence=("****500", "****501"))
    assert sentence(accounts, "ja").endswith("に銀行口座番号が 12 件あります（****500、****501）。")


def test_a_zengin_transfer_file_is_named_as_one_when_the_finding_says_so():
    assert sentence(ZENGIN, "ja") == (
        "添付ファイル『furikomi.txt』に銀行の振込データ（全銀協フォーマット）があり、"
        "振込先 12 人分の名前と口座番号が入っています。"
    )
    ja, en = sentences(ZENGIN_ACCOUNTS)
    assert ja.startswith("添付ファイル『振込.zip』の中の『furikomi.fb』に銀行の振込データ")
    assert "12 payee account numbers" in en


def test_identifiers_show_their_masked_samples_and_contacts_their_third_parties():
    assert sentence(SAMPLES["pii.my_number"], "ja").startswith(
        "本文にマイナンバー（個人番号）が 1 件あります（****-****-9018）。"
    )
    assert (
        sentence(SAMPLES["pii.resident_code"], "en")
        == "There are 2 resident record codes (住民票コード) in the message body (*******8903)."
    )
    phone = sentence(SAMPLES["pii.phone"], "ja")
    assert (
        phone
        == "添付ファイル『会員名簿.csv』に電話番号が 12 件あります。うち第三者（宛先の会社・当社・拠点以外）のものは 3 件です。"
    )
    assert "5601" not in phone, "contact details are counted, not sampled"


def test_recipient_and_attachment_sentences_name_what_they_are_about():
    assert "a-c0rp.co.jp" in sentence(SAMPLES["recipients.lookalike_domain"], "ja")
    assert "a-corp.co.jp" in sentence(SAMPLES["recipients.lookalike_domain"], "en")
    assert "f***@example.net" in sentence(SAMPLES["recipients.suppressed"], "ja")
    assert "（4 組織: org0.example、org1.example）が To/Cc に" in sentence(
        SAMPLES["recipients.visible_external"], "ja"
    )
    assert "gmail.com" in sentence(SAMPLES["recipients.freemail"], "en")
    assert "new.example" in sentence(SAMPLES["recipients.first_time"], "ja")
    assert (
        sentence(SAMPLES["attachment.encrypted"], "ja")
        == "添付ファイル『資料.zip』はパスワード付き（暗号化）のため、中身を検査できませんでした。"
    )
    assert "『議事録.zip』は、壊れているため" in sentence(SAMPLES["attachment.unscannable"], "ja")
    subject = F(
        code="attachment.unscannable", count=1, where=("header:subject",), evidence=("corrupt: ValueError",)
    )
    assert sentences(subject) == (
        "件名を検査できませんでした（壊れているため）。",
        "The subject could not be checked: it is damaged.",
    )
    assert "Word 97-2003 document" in sentence(SAMPLES["attachment.unsupported"], "en")
    assert "『a.zip』の中の『report.pdf』" in sentence(SAMPLES["attachment.type_mismatch"], "ja")
    assert "project-x" in sentence(SAMPLES["keyword.project-x"], "ja")


def test_one_list_one_sentence_and_external_recipients_only_when_nothing_else_was_found():
    listing = F(
        code="pii.records",
        count=12,
        where=("attachment:会員名簿.csv!A2:D13",),
        evidence=("third_parties=12", "recipient_org=0", "own_org=0", "12 people: email_address+phone"),
    )
    elsewhere = F(code="pii.phone", count=2, where=("body!lines 3-4",), evidence=("third_parties=2",))
    said = reasons(
        (
            SAMPLES["recipients.external"],
            listing,
            SAMPLES["pii.phone"],
            SAMPLES["pii.email_address"],
            elsewhere,
            listing,
        ),
        "ja",
    )
    assert said == [sentence(listing, "ja"), sentence(elsewhere, "ja")]
    assert reasons((SAMPLES["recipients.external"],), "en") == [
        sentence(SAMPLES["recipients.external"], "en")
    ]
    assert reasons((), "ja") == []


# --- hostile values --------------------------------------------------------------------------

HTML_NAME = '<img src=x onerror="alert(1)">顧客.csv'
LONG_NAME = "顧" * 2000 + ".xlsx"
RTL_NAME = "請求書\u202eslx.exe"  # shows as 請求書exe.xlsx in a bidi-aware renderer
EVIL_CLIENT = "株式会社ビー\u202e\r\nhttp://evil.example/h/steal"


def test_hostile_names_are_one_line_capped_and_keep_their_real_extension():
    assert file_name(RTL_NAME) == "請求書 slx.exe"
    long = file_name(LONG_NAME)
    assert len(long) <= 60 and long.endswith(".xlsx") and "…" in long
    assert clean("a\r\nb\u2028c\u2066d\x00e" + "x" * 500, 20) == "a b c d e" + "x" * 10 + "…"
    ja, en = location("attachment:" + LONG_NAME + "!" + RTL_NAME + "!A1:B2")
    assert "\u202e" not in ja + en and len(ja) < 120 and ja.endswith("『請求書 slx.exe』")


@pytest.mark.parametrize("name", [HTML_NAME, LONG_NAME, RTL_NAME])
def test_a_hostile_file_name_stays_inside_its_sentence(name):
    for code in ("pii.records", "attachment.encrypted", "attachment.unscannable", "pii.my_number"):
        f = F(
            code=code,
            count=12,
            where=(f"attachment:{name}!A2:D13",),
            evidence=("third_parties=12", "12 people: phone+person_name"),
        )
        for said in sentences(f):
            assert "\u202e" not in said and "\n" not in said and len(said) < 400, said
            assert said.count("『") <= 1 or code == "pii.records"


def test_a_file_name_cannot_close_its_quote_and_write_a_sentence():
    name = '顧客.csv』は確認済みで問題ありません。『"ok".csv'
    f = F(code="attachment.encrypted", count=1, where=(f"attachment:{name}",))
    ja, en = sentences(f)
    assert "『顧客.csv」は確認済みで問題ありません。「'ok'.csv』" in ja
    assert ja.count("『") == ja.count("』") == 1 and en.count('"') == 2


def test_a_client_name_cannot_break_the_sentence_nor_the_technical_line():
    evil = F(
        code="client.mismatch",
        count=1,
        where=("subject",),
        evidence=("named_clients=1", f"client={EVIL_CLIENT}", "addressed=" + "エ" * 5000) + ("x",) * 1000,
    )
    for said in (*sentences(evil), technical(evil)):
        assert "\u202e" not in said and "\r" not in said and "\n" not in said
    assert len(technical(evil)) < 3000 and len(sentence(evil, "ja")) < 300


# --- the page and the notice ---------------------------------------------------------------


def _decision(findings: tuple[Finding, ...]) -> Decision:
    return Decision(
        action="hold",
        matched=(
            MatchedRule(
                id="personal-data-list-external",
                action="hold",
                mode="enforce",
                reason={
                    "ja": "10人以上の個人情報が含まれています。",
                    "en": "Personal data of 10 or more people.",
                },
                findings=findings,
            ),
        ),
    )


HOSTILE = (
    F(
        code="pii.records",
        count=12,
        where=(f"attachment:{HTML_NAME}!A2:D13",),
        evidence=("third_parties=12", "recipient_org=0", "own_org=0", "12 people: phone+person_name"),
    ),
    F(
        code="attachment.encrypted",
        count=2,
        where=(f"attachment:{LONG_NAME}", f"attachment:{RTL_NAME}"),
        evidence=("password-protected zip (ZipCrypto)",),
    ),
    MISMATCH,
)


@pytest.fixture
def page(tmp_path):
    store = open_store(f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}")
    msg = HeldMessage(
        id="Q1",
        mail_from="taro@example.co.jp",
        rcpt_tos=("tanaka@a-corp.co.jp",),
        raw=b"Subject: x\r\n\r\nbody\r\n",
        decision=_decision(HOSTILE),
        findings=HOSTILE,
        summary=Summary(
            subject="見積\u202e書",
            attachments=tuple(
                (n, "text/csv", 100, f"{i + 2}") for i, n in enumerate((HTML_NAME, LONG_NAME, RTL_NAME))
            ),
        ),
    )
    with serving(store, msg, "example.co.jp", "guard@example.co.jp") as web:
        yield lambda lang: web.get(f"/h/tok-Q1?lang={lang}").text


def test_the_page_says_the_sentences_and_keeps_the_notation_in_the_closed_details(page):
    ja, en = page("ja"), page("en")
    assert "件名に『株式会社ビー』とありますが、宛先は株式会社エーです。" in why(ja)
    assert "The subject names 株式会社ビー, but you are mailing 株式会社エー." in why(en)
    assert "12 人分の個人情報（氏名・電話番号）" in why(ja)
    for html in (ja, en):
        assert not any(n in why(html) for n in ("named_clients", "confidence=", "third_parties", "people:"))
        details = re.search(r'<details class="tech"([^>]*)>(.*?)</details>', html, re.S)
        assert "open" not in details.group(1), "the technical details start collapsed"
        assert "named_clients=1" in details.group(2) and "client.mismatch × 1" in details.group(2)
    assert "詳細" in ja and "Details" in en


def test_the_page_escapes_caps_and_straightens_hostile_names(page):
    for html in (page("ja"), page("en")):
        assert "<img" not in html and 'onerror="alert' not in html
        assert "&lt;img src=x onerror=&#39;alert(1)&#39;&gt;顧客.csv" in html
        assert "\u202e" not in html and "請求書 slx.exe" in html and "見積 書" in html
        assert "顧" * 100 not in html, "a 2,000-character name is cut"
        assert len(html) < 30_000


def test_the_notice_lists_the_same_sentences_on_lines_of_their_own():
    raw = hold_notice(
        notice_from="guard@example.co.jp",
        sender="taro@example.co.jp",
        subject="見積",
        link="http://127.0.0.1:8025/h/x",
        decision=_decision(
            HOSTILE
            + (
                F(
                    code="client.mismatch",
                    count=1,
                    where=("subject",),
                    evidence=(f"client={EVIL_CLIENT}", "addressed=株式会社エー"),
                ),
            )
        ),
        kind="hold",
        when_text="2026-12-05 10:00",
    )
    body = email.message_from_bytes(raw, policy=email.policy.default).get_content()
    assert "    件名に『株式会社ビー』とありますが、宛先は株式会社エーです。" in body.splitlines()
    assert "    The subject names 株式会社ビー, but you are mailing 株式会社エー." in body.splitlines()
    assert "\u202e" not in body and "<img src=x" in body  # plain text: shown as written
    assert "http://evil.example" not in body, "no link in a notice but ours"
    assert [line for line in body.splitlines() if "http" in line and "://" in line] == [
        "http://127.0.0.1:8025/h/x"
    ] * 2
    assert max(len(line) for line in body.splitlines()) < 420


def test_the_admin_console_shows_the_notation_with_the_senders_sentence(admin):
    admin.hold("Q1")  # a My Number in the body, to an external recipient
    page = admin.client.get("/admin/messages/Q1").text
    assert "pii.my_number" in page and "****-****-9018" in page, "the technical detail stays"
    assert "本文にマイナンバー（個人番号）が 1 件あります（****-****-9018）。" in page
