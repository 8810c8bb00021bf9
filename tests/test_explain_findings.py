"""Issue 14 item 5 on real findings: real messages — a customer list in CP932, 全銀協 transfer
files (attached, zipped, pasted), a 住民票コード, a list of branch offices, a client's staff
list sent back, our own team's contacts, a client named in the subject, a quoted table in a
forwarded mail — through the real inspectors (proxy.pipeline's build_inspectors and
inspect_raw), the default rules and the sentences; what the sender reads is asserted word for
word. test_explain.py covers every code; this file keeps its findings honest."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from inspectors.base import Envelope, Finding
from inspectors.clients import Client
from proxy.pipeline import InspectorConfig, build_inspectors, inspect_raw
from quarantine.explain import reasons
from quarantine.i18n import action_label, actor_label
from quarantine.notice import hold_notice
from rules import MessageFacts, decide, load_rules
from rules.decide import tally
from rules.model import Decision

from . import names
from .sender_page import held_on, open_store, serving, why
from .test_explain import NOTATION
from .test_message_mime import zipped
from .test_pii_places import OFFICES
from .test_zengin import records, zengin_file

OURS = "sample.co.jp"
CLIENTS = (
    Client(name="株式会社エー", aliases=("エー社", "A社"), domains=("a-corp.co.jp",)),
    Client(name="株式会社ビー", aliases=("ビー社", "B社"), domains=("b-corp.co.jp",)),
)
INSPECTORS = build_inspectors(
    InspectorConfig(internal_domains=(OURS,), clients=CLIENTS, own_names=("株式会社サンプル",))
)
CLIENT = ("tanaka@a-corp.co.jp",)
SURNAMES = names.SURNAMES[:15]
GIVEN = [
    "花子",
    "太郎",
    "一郎",
    "美咲",
    "健",
    "陽子",
    "翔",
    "真由美",
    "大輔",
    "由美",
    "誠",
    "愛",
    "涼",
    "茜",
    "蓮",
]
HEADER = "氏名,部署,電話番号,メールアドレス\r\n"


def customers(n: int = 12, start: int = 0) -> list[str]:
    return [
        f"{SURNAMES[i]} {GIVEN[i]},個人,090-{3300 + i:04d}-{1200 + i:04d},cust{i}@gmail.com"
        for i in range(start, start + n)
    ]


def staff(domain: str, n: int = 12, phone: str = "06-6123") -> list[str]:
    return [f"{SURNAMES[i]} {GIVEN[i]},営業部,{phone}-{4500 + i:04d},staff{i}@{domain}" for i in range(n)]


def csv(rows: list[str], header: str = HEADER) -> str:
    return header + "".join(f"{row}\r\n" for row in rows)


CUSTOMER_CSV = csv(
    [
        f"{SURNAMES[i]} {GIVEN[i]},{150 + i:03d}-{1000 + i:04d},東京都渋谷区神南{i + 1}-{i + 2}-{i + 3},"
        f"090-{3300 + i:04d}-{1200 + i:04d},cust{i}@gmail.com"
        for i in range(12)
    ],
    "氏名,郵便番号,住所,電話番号,メールアドレス\r\n",
)
RESIDENT_CODE = "12345678903"  # ten digits and the check digit of 平成14年総務省告示第436号


@dataclass(frozen=True)
class Checked:
    findings: dict[str, Finding]
    decision: Decision
    ja: list[str]  # what the sender reads, rule after rule (the page and the notice)
    en: list[str]
    monitored: tuple[str, ...]


def mail(
    subject: str, body: str, *files: tuple[str, bytes], to: tuple[str, ...] = CLIENT
) -> tuple[bytes, Envelope]:
    message = MIMEMultipart()
    message["From"], message["To"], message["Subject"] = f"yamada@{OURS}", ", ".join(to), subject
    message.attach(MIMEText(body, "plain", "utf-8"))
    for name, data in files:
        part = MIMEApplication(data)
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
        message.attach(part)
    return message.as_bytes(), Envelope(mail_from=f"yamada@{OURS}", rcpt_tos=to)


def check(raw: bytes, envelope: Envelope) -> Checked:
    """The pipeline, the default rules, and the sentences of the rules that decided — or,
    when only monitor-mode rules matched, of those (what the sender would read if enforced)."""
    found = inspect_raw(raw, envelope, INSPECTORS).findings
    decision = decide(
        list(found), MessageFacts(mail_from=envelope.mail_from, rcpt_tos=envelope.rcpt_tos), load_rules()
    )
    shown = decision.deciding or tuple(m for m in decision.matched if m.mode == "monitor")
    said = {lang: [s for m in shown for s in reasons(m.findings, lang)] for lang in ("ja", "en")}
    for sentence in said["ja"] + said["en"]:
        assert not any(n in sentence for n in NOTATION), sentence
    return Checked(
        {f.code: f for f in found},
        decision,
        said["ja"],
        said["en"],
        tuple(m.id for m in decision.matched if m.mode == "monitor"),
    )


def held_by(checked: Checked) -> list[str]:
    return [m.id for m in checked.decision.deciding]


# --- lists of people, and whose they are ----------------------------------------------------


def test_a_customer_list_in_cp932_is_one_sentence_of_people_and_what_they_hold():
    c = check(*mail("顧客リスト", "ご確認ください。", ("顧客一覧.csv", CUSTOMER_CSV.encode("cp932"))))
    assert held_by(c) == ["personal-data-list-external"]
    assert c.ja == [
        "添付ファイル『顧客一覧.csv』に 12 人分の個人情報（氏名・電話番号・メールアドレス・住所）があります。"
    ]
    assert c.en == [
        "There is personal data of 12 people (personal names, phone numbers, e-mail addresses, addresses) "
        'in the attachment "顧客一覧.csv".'
    ]
    assert {"pii.phone", "pii.address", "pii.person_name"} <= set(c.findings), (
        "the contacts stay in the details"
    )


def test_a_clients_own_staff_list_sent_back_says_it_is_theirs():
    c = check(*mail("名簿の件", "ご依頼の名簿です。", ("社員名簿.csv", csv(staff("a-corp.co.jp")).encode())))
    assert c.decision.action == "pass" and c.monitored == ("personal-data-list-owner",)
    assert tally(c.findings["pii.records"], "recipient_org") == 12
    assert c.ja == [
        "添付ファイル『社員名簿.csv』に宛先の会社の方 12 人分の個人情報（氏名・電話番号・メールアドレス）があります。"
    ]
    assert c.en == [
        "There is personal data of 12 people of the recipients' organisation (personal names, "
        'phone numbers, e-mail addresses) in the attachment "社員名簿.csv".'
    ]


def test_our_own_team_sent_to_the_client_says_it_is_ours():
    c = check(
        *mail("体制表", "プロジェクト体制です。", ("体制表.csv", csv(staff(OURS, phone="03-5555")).encode()))
    )
    assert c.decision.action == "pass" and c.monitored == ("personal-data-list-owner",)
    assert c.ja == [
        "添付ファイル『体制表.csv』に当社の社員 12 人分の個人情報（氏名・電話番号・メールアドレス）があります。"
    ]
    assert "12 people of our own staff" in c.en[0]


def test_a_list_mixing_the_clients_staff_and_customers_is_held_and_says_who_is_who():
    c = check(
        *mail(
            "名簿",
            "名簿です。",
            ("名簿.csv", csv(staff("a-corp.co.jp", n=3) + customers(12, start=3)).encode()),
        )
    )
    assert held_by(c) == ["personal-data-list-external"]
    assert c.ja == [
        "添付ファイル『名簿.csv』に 15 人分の個人情報（氏名・電話番号・メールアドレス）があります。"
        "うち宛先の会社の方 3 人、それ以外の方（第三者） 12 人です。"
    ]
    assert c.en[0].endswith("Of them: 3 of the recipients' organisation and 12 third parties.")


def test_a_quoted_tab_table_in_a_forwarded_mail_is_one_list_in_the_body():
    body = "転送します。\n\n-----Original Message-----\nFrom: 佐藤\n\n" + "".join(
        f"> {row.replace(',個人,', chr(9)).replace(',', chr(9))}\n" for row in customers()
    )
    c = check(*mail("Fw: 会員リスト", body))
    assert {"pii.records", "pii.phone", "pii.email_address"} <= set(c.findings)
    assert c.ja == ["本文に 12 人分の個人情報（氏名・電話番号・メールアドレス）があります。"]
    assert c.en == [
        "There is personal data of 12 people (personal names, phone numbers, e-mail addresses) in the message body."
    ]


# --- places ---------------------------------------------------------------------------------


def test_a_list_of_branch_offices_passes_and_its_finding_says_premises():
    c = check(*mail("拠点一覧", "弊社の拠点一覧です。", ("拠点一覧.csv", OFFICES.encode("cp932"))))
    assert c.decision.action == "pass" and c.decision.matched == ()
    assert "pii.records" not in c.findings
    ja, en = reasons((c.findings["pii.places"],), "ja"), reasons((c.findings["pii.places"],), "en")
    assert ja == [
        "添付ファイル『拠点一覧.csv』の一覧は、拠点・建物の一覧（12 件、本社・営業所・支店 など）です。"
        "個人の情報としては数えていません。"
    ]
    assert en == [
        'The list in the attachment "拠点一覧.csv" is a list of premises such as offices, branches or '
        "buildings (12 entries, e.g. 本社, 営業所, 支店). It is not counted as personal data."
    ]


def test_offices_next_to_a_customer_list_count_no_people_of_their_own():
    c = check(
        *mail(
            "資料",
            "資料です。",
            ("拠点一覧.csv", OFFICES.encode("cp932")),
            ("顧客.csv", csv(customers()).encode()),
        )
    )
    assert held_by(c) == ["personal-data-list-external"]
    # pii.phone spans both files, but its 12 third parties' numbers are the list's people.
    assert tally(c.findings["pii.phone"], "third_parties") == 12 and c.findings["pii.phone"].count == 24
    assert c.ja == [
        "添付ファイル『顧客.csv』に 12 人分の個人情報（氏名・電話番号・メールアドレス）があります。"
    ]


def test_phones_beyond_the_list_are_said_on_their_own():
    body = "折り返しは 080-5500-7700 か 080-5501-7701、または 080-5502-7702 までお願いします。"
    c = check(*mail("顧客", body, ("顧客.csv", csv(customers()).encode())))
    assert tally(c.findings["pii.phone"], "third_parties") == 15
    assert c.ja == [
        "添付ファイル『顧客.csv』に 12 人分の個人情報（氏名・電話番号・メールアドレス）があります。",
        "本文と添付ファイル『顧客.csv』に電話番号が 15 件あります。",
    ]


# --- bank transfer files and identifiers ------------------------------------------------------

TRANSFER_JA = "{at}に銀行の振込データ（全銀協フォーマット）があり、振込先の口座番号が 12 件入っています。"
PAYEES_JA = (
    "{at}に銀行の振込データ（全銀協フォーマット）があり、振込先 12 人分の名前と口座番号が入っています。"
)


@pytest.mark.parametrize(
    "files, body, at",
    [
        ((("furikomi.txt", zengin_file()),), "今月分です。", "添付ファイル『furikomi.txt』"),
        (
            (("振込.zip", zipped(**{"202404/sogo.fb": zengin_file()})),),
            "今月分です。",
            "添付ファイル『振込.zip』の中の『202404/sogo.fb』",
        ),
        ((), "以下です。\r\n" + "\r\n".join(records()) + "\r\n", "本文"),
    ],
)
def test_a_zengin_transfer_file_is_named_as_one_wherever_it_stands(files, body, at):
    c = check(*mail("振込データ", body, *files))
    assert held_by(c) == ["sensitive-id-external", "personal-data-list-external"]
    assert c.findings["pii.records"].where[0].endswith("!records 2-13")
    assert c.ja == [TRANSFER_JA.format(at=at), PAYEES_JA.format(at=at)]
    assert c.en[1].endswith(": names and account numbers of 12 payees.")


def test_a_typed_table_of_payees_is_not_called_a_transfer_file():
    rows = [f"{SURNAMES[i]} {GIVEN[i]},みずほ銀行,渋谷支店,普通,{1234500 + i:07d}" for i in range(12)]
    c = check(
        *mail(
            "振込先",
            "振込先一覧です。",
            ("振込先.csv", csv(rows, "氏名,銀行名,支店名,口座種別,口座番号\r\n").encode("cp932")),
        )
    )
    assert held_by(c) == ["sensitive-id-external", "personal-data-list-external"]
    assert c.ja == [
        "添付ファイル『振込先.csv』に銀行口座番号が 12 件あります（****500、****501）。",
        "添付ファイル『振込先.csv』に 12 人分の氏名と銀行口座番号（振込先の一覧など）があります。",
    ]
    assert not any("全銀協" in s or "Zengin" in s for s in c.ja + c.en)


def test_a_resident_record_code_shows_only_its_masked_tail():
    c = check(*mail("住民票", f"住民票コード: {RESIDENT_CODE}\nよろしくお願いします。"))
    assert held_by(c) == ["sensitive-id-external"]
    assert c.ja == ["本文に住民票コードが 1 件あります（*******8903）。"]
    assert c.en == ["There is 1 resident record code (住民票コード) in the message body (*******8903)."]
    assert check(*mail("住民票", "住民票コード: 12345678901\n")).decision.action == "pass", (
        "a wrong check digit"
    )


# --- the client mismatch of the issue ---------------------------------------------------------


def test_a_client_named_in_the_subject_reads_as_the_issue_wants():
    c = check(*mail("株式会社ビー様 見積書", "お世話になっております。見積書をお送りします。"))
    assert held_by(c) == ["client-mismatch"]
    assert c.ja == ["件名に『株式会社ビー』とありますが、宛先は株式会社エーです。"]
    assert c.en == ["The subject names 株式会社ビー, but you are mailing 株式会社エー."]


def test_a_client_named_to_many_unknown_recipients_says_how_many_more():
    to = tuple(f"x@org{i}.example" for i in range(7))
    c = check(*mail("ビー社御中 見積書", "見積書です。", to=to))
    assert "client-mismatch" in held_by(c)
    mismatch = reasons((c.findings["client.mismatch"],), "ja")[0]
    assert mismatch == (
        "件名に『株式会社ビー』とありますが、宛先（org0.example, org1.example, org2.example, "
        "org3.example, org4.example ほか 2 件）は株式会社ビーではありません。"
    )
    assert "and 2 more) are not 株式会社ビー." in reasons((c.findings["client.mismatch"],), "en")[0]


# --- the notice and the page, from the same real findings -------------------------------------


def test_the_hold_notice_of_a_transfer_file_says_the_sentences_and_no_account_or_payee():
    raw, env = mail("振込データ", "今月分です。", ("furikomi.txt", zengin_file()))
    c = check(raw, env)
    notice = hold_notice(
        notice_from="guard@sample.co.jp",
        sender=env.mail_from,
        subject="振込データ",
        link="http://127.0.0.1:8025/h/x",
        decision=c.decision,
        kind="hold",
        when_text="2026-12-05",
    )
    body = email.message_from_bytes(notice, policy=email.policy.default).get_content()
    assert "    " + PAYEES_JA.format(at="添付ファイル『furikomi.txt』") in body.splitlines()
    assert "ﾔﾏﾀﾞ" not in body and "ｻﾝﾌﾟﾙ" not in body
    assert not re.search(r"\d{7}", body), "no account number, not even in a sample"


@pytest.fixture
def page(tmp_path):
    """The sender's page for a message held on its real findings, in ja or en."""

    store = open_store(f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}")
    raw, env = mail("株式会社ビー様 振込データ", "今月分です。", ("furikomi.txt", zengin_file()))
    found = inspect_raw(raw, env, INSPECTORS)
    msg = held_on(raw, env, found.findings, found.summary)
    with serving(store, msg, OURS, "guard@sample.co.jp") as web:
        yield lambda lang: web.get(f"/h/tok-Q1?lang={lang}").text


def test_the_page_says_the_real_findings_in_sentences_and_the_history_in_words(page):
    ja, en = page("ja"), page("en")
    sentences = re.findall(r'<li class="sentence">(.*?)</li>', why(ja))
    assert sentences == [
        TRANSFER_JA.format(at="添付ファイル『furikomi.txt』"),
        PAYEES_JA.format(at="添付ファイル『furikomi.txt』"),
        "件名に『株式会社ビー』とありますが、宛先は株式会社エーです。",
    ]
    assert "The subject names 株式会社ビー, but you are mailing 株式会社エー." in why(en)
    history = re.search(r"<table id=\"history\">(.*?)</table>", ja, re.S).group(1)
    assert "<td>保留しました</td>" in history and "自動処理" in history and "system" not in history
    assert "<td>held for review</td>" in en and "automatic" in en and ">system<" not in en


STORED_ACTIONS = (
    "held",
    "modified",
    "released",
    "cancelled",
    "expired",
    *(f"{job}_{outcome}" for job in ("notice", "release") for outcome in ("sent", "deferred", "failed")),
)


@pytest.mark.parametrize("action", STORED_ACTIONS)
def test_every_action_the_store_writes_has_words_in_both_languages(action):
    ja, en = action_label(action, "ja"), action_label(action, "en")
    assert re.search(r"[ぁ-んァ-ン一-龥]", ja) and not re.search("[a-z_]", ja)
    assert en != action and "_" not in en and len(en.split()) >= 2
    assert ja != action_label("something_new", "ja") == "その他の操作"


def test_who_acted_in_words():
    assert [
        actor_label(a, "ja") for a in ("system", "sender", "approver:boss@sample.co.jp", "admin:root")
    ] == ["自動処理", "送信者", "承認者 boss@sample.co.jp", "管理者 root"]
    assert actor_label("approver:boss@sample.co.jp", "en") == "approver boss@sample.co.jp"
    # Never the stored notation (issue 18): a bare role in words, anything unknown as "other".
    assert actor_label("admin:", "en") == "administrator" and actor_label("", "ja") == ""
    assert actor_label("admin:?", "ja") == "管理者" and actor_label("robot:x", "ja") == "その他"


# --- one reading of a tally, for the rule and for the page --------------------------------------


@pytest.mark.parametrize(
    "item, count",
    [
        ("third_parties=12", 12),
        ("third_parties=0", 0),
        ("third_parties=999999999", 999999999),
        ("third_parties=1000000000", -1),  # more digits than a count of one message can have
        ("third_parties=²", -1),
        ("third_parties=١٢", -1),
        ("third_parties=12 ", -1),
        ("third_parties=", -1),
        ("third_parties=" + "9" * 5000, -1),
        ("third_partiesx=12", -1),
    ],
)
def test_the_rule_and_the_page_read_a_tally_alike(item, count):
    f = Finding(code="pii.phone", count=40, where=("body!lines 1-40",), evidence=(item, "third_parties=3"))
    assert tally(f, "third_parties") == (count if count >= 0 else 3), "the first count of the name"
    alone = Finding(code="pii.phone", count=40, where=("body!lines 1-40",), evidence=(item,))
    external = Finding(code="recipients.external", count=1, where=("envelope",), evidence=())
    held = decide([alone, external], MessageFacts(mail_from=f"a@{OURS}", rcpt_tos=CLIENT), load_rules())
    said = reasons((alone,), "ja")[0]
    assert (held.action == "hold") == (count >= 10)
    assert ("うち第三者" in said) == (0 <= count < 40), said
