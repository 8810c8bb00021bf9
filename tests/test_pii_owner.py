"""Data going back to its owner (issue 14): whose people a list holds — the recipients'
organisation, ours, third parties — and the default rules that hold third parties' lists
only, keeping the owners' visible in monitor mode."""

from __future__ import annotations

import datetime

import pytest

from inspectors.base import Envelope, Finding
from inspectors.freemail import FreemailDomains
from inspectors.message import MessageView, TextChunk
from inspectors.personal_data import PersonalData
from inspectors.pii.owners import OWN, RECIPIENT, THIRD, owners_for
from rules import decide, load_rules
from rules.model import MessageFacts

from . import names

TODAY = datetime.date(2024, 4, 1)
OURS = ("sample.co.jp",)
SURNAMES = names.SURNAMES[:15]


def staff(domain: str, n: int = 12, start: int = 0, phone: str = "06-6123") -> list[str]:
    return [
        f"{SURNAMES[i % 15]} 一郎,営業部,{phone}-{4500 + i:04d},staff{i}@{domain}"
        for i in range(start, start + n)
    ]


def inspect(rows: list[str], *rcpt: str) -> dict:
    text = "\n".join(["氏名,部署,電話番号,メールアドレス", *rows]) + "\n"
    return inspect_text(text, "attachment:一覧.csv", *rcpt)


def inspect_text(text: str, where: str, *rcpt: str) -> dict:
    env = Envelope(mail_from="yamada@sample.co.jp", rcpt_tos=rcpt)
    view = MessageView(envelope=env, size=0, tables=(), texts=(TextChunk(where=where, text=text),))
    found = {
        f.code: f
        for f in PersonalData(today=TODAY, internal_domains=OURS, freemail=FreemailDomains()).inspect(view)
    }
    found["_env"] = env
    return found


def tallies(finding: Finding) -> dict[str, int]:
    return {k: int(v) for k, _, v in (e.partition("=") for e in finding.evidence[:3])}


def rules_for(found: dict) -> tuple[list[str], list[str]]:
    """(enforced, monitor-mode) default rules that match; the recipients are external."""
    env = found.pop("_env")
    external = Finding(code="recipients.external", count=len(env.rcpt_tos), where=("envelope",), evidence=())
    decision = decide(
        [*found.values(), external],
        MessageFacts(mail_from=env.mail_from, rcpt_tos=env.rcpt_tos),
        load_rules(),
    )
    return (
        [m.id for m in decision.matched if m.mode == "enforce"],
        [m.id for m in decision.matched if m.mode == "monitor"],
    )


def test_a_clients_staff_list_sent_back_to_the_client():
    found = inspect(staff("a-corp.co.jp"), "tanaka@a-corp.co.jp")
    assert tallies(found["pii.records"]) == {"third_parties": 0, "recipient_org": 12, "own_org": 0}
    assert found["pii.phone"].evidence[0] == "third_parties=0"
    assert rules_for(found) == ([], ["personal-data-list-owner"])


def test_subdomains_are_the_same_organisation():
    found = inspect(staff("osaka.a-corp.co.jp"), "tanaka@tokyo.a-corp.co.jp")
    assert tallies(found["pii.records"])["recipient_org"] == 12


def test_our_own_team_sent_to_the_client():
    found = inspect(
        staff("sample.co.jp", phone="03-5555") + staff("dev.sample.co.jp", n=2, start=12),
        "tanaka@a-corp.co.jp",
    )
    assert tallies(found["pii.records"]) == {"third_parties": 0, "recipient_org": 0, "own_org": 14}
    assert rules_for(found) == ([], ["personal-data-list-owner"])


def test_a_mix_of_three_client_staff_and_twelve_customers_is_held():
    customers = [
        f"{SURNAMES[i]} 花子,個人,090-{3300 + i:04d}-{1200 + i:04d},cust{i}@gmail.com" for i in range(12)
    ]
    found = inspect(staff("a-corp.co.jp", n=3) + customers, "tanaka@a-corp.co.jp")
    assert tallies(found["pii.records"]) == {"third_parties": 12, "recipient_org": 3, "own_org": 0}
    assert rules_for(found)[0] == ["personal-data-list-external"]


def test_a_list_sent_to_the_client_and_another_organisation_is_third_parties():
    found = inspect(staff("a-corp.co.jp"), "tanaka@a-corp.co.jp", "sato@b-corp.co.jp")
    assert tallies(found["pii.records"])["third_parties"] == 12
    assert rules_for(found)[0] == ["personal-data-list-external"]


@pytest.mark.parametrize(
    "domain", ["a-corp.co.jp.evil.example", "evil-a-corp.co.jp", "a-corp.co.jp-mail.example"]
)
def test_a_lookalike_domain_is_not_the_recipients(domain):
    found = inspect(staff(domain), "tanaka@a-corp.co.jp")
    assert tallies(found["pii.records"])["third_parties"] == 12
    assert rules_for(found)[0] == ["personal-data-list-external"]


def test_freemail_is_never_an_organisation():
    customers = [
        f"{SURNAMES[i]} 花子,個人,090-{3300 + i:04d}-{1200 + i:04d},cust{i}@gmail.com" for i in range(12)
    ]
    found = inspect(customers, "friend@gmail.com")
    assert tallies(found["pii.records"])["third_parties"] == 12
    assert rules_for(found)[0] == ["personal-data-list-external"]


def test_a_source_routed_recipient_is_no_organisation():
    found = inspect(staff("a-corp.co.jp"), "tanaka%evil.example@a-corp.co.jp")
    assert tallies(found["pii.records"])["third_parties"] == 12


def test_owners_of_addresses():
    owners = owners_for(("tanaka@a-corp.co.jp", "colleague@sample.co.jp"), OURS, FreemailDomains())
    assert owners.recipient_org == ("a-corp.co.jp",)
    assert owners.of("x@a-corp.co.jp") == RECIPIENT and owners.of("x@mail.a-corp.co.jp") == RECIPIENT
    assert owners.of("x@sample.co.jp") == OWN and owners.of("x@gmail.com") == THIRD
    assert owners.of("x@a-corp.co.jp.evil.example") == THIRD
    assert owners_for(("a@gmail.com",), OURS, FreemailDomains()).recipient_org == ()


def test_a_team_list_typed_in_the_body_is_our_own():
    text = "当社の担当者です。\n\n" + "".join(
        f"{SURNAMES[i]} 一郎\nMail: member{i}@sample.co.jp\nTEL: 03-5555-{1200 + i:04d}\n\n"
        for i in range(12)
    )
    found = inspect_text(text, "body", "tanaka@a-corp.co.jp")
    assert tallies(found["pii.records"]) == {"third_parties": 0, "recipient_org": 0, "own_org": 12}
    for code in ("pii.phone", "pii.email_address", "pii.person_name"):
        assert found[code].count == 12 and found[code].evidence[0] == "third_parties=0", found[code]
    assert rules_for(found) == ([], ["personal-data-list-owner"])


def test_a_client_address_added_to_each_customer_row_does_not_make_them_the_clients():
    """The key is the least address; a row is the client's only when all its addresses are."""
    rows = [
        f"{SURNAMES[i]} 花子,個人,090-{3300 + i:04d}-{1200 + i:04d},cust{i}@gmail.com,a{i}@a-corp.co.jp"
        for i in range(12)
    ]
    text = "\n".join(["氏名,部署,電話番号,メールアドレス,連絡用メール", *rows]) + "\n"
    found = inspect_text(text, "attachment:一覧.csv", "tanaka@a-corp.co.jp")
    counted = tallies(found["pii.records"])
    assert counted["recipient_org"] == 0 and counted["third_parties"] >= 12
    assert rules_for(found)[0] == ["personal-data-list-external"]


def test_the_same_in_a_list_typed_in_the_body():
    text = "一覧です。\n\n" + "".join(
        f"{SURNAMES[i]} 花子\nMail: a{i}@a-corp.co.jp / cust{i}@gmail.com\n携帯: 090-{3300 + i:04d}-{1200 + i:04d}\n\n"
        for i in range(12)
    )
    found = inspect_text(text, "body", "tanaka@a-corp.co.jp")
    counted = tallies(found["pii.records"])
    assert counted["recipient_org"] == 0 and counted["third_parties"] >= 12


def hr(domain: str, n: int = 12) -> str:
    """An HR list: business contacts plus a birth date, a home address and a private mobile."""
    return (
        "\n".join(
            [
                "氏名,メールアドレス,生年月日,住所,携帯電話",
                *(
                    f"{SURNAMES[i % 15]} 一郎,staff{i}@{domain},1980/04/{1 + i:02d},東京都世田谷区桜{i + 1}-2-3,"
                    f"090-{3300 + i:04d}-{1200 + i:04d}"
                    for i in range(n)
                ),
            ]
        )
        + "\n"
    )


@pytest.mark.parametrize("domain", ["sample.co.jp", "a-corp.co.jp"])
def test_staff_private_data_is_third_parties_whoever_employs_them(domain):
    """The issue exempts business contact data only: our HR list (or the client's) with
    birth dates and home addresses is held when it goes to the client."""
    found = inspect_text(hr(domain), "attachment:社員名簿.csv", "tanaka@a-corp.co.jp")
    assert tallies(found["pii.records"]) == {"third_parties": 12, "recipient_org": 0, "own_org": 0}
    for code in ("pii.birth_date", "pii.address", "pii.phone"):
        assert found[code].evidence[0] == "third_parties=12", found[code]
    assert rules_for(found)[0] == ["personal-data-list-external"]


def test_staff_private_data_in_a_table_without_a_header_or_typed_in_the_body():
    rows = hr("sample.co.jp").splitlines()[1:]
    found = inspect_text("\n".join(rows) + "\n", "attachment:社員名簿.csv", "tanaka@a-corp.co.jp")
    assert tallies(found["pii.records"])["third_parties"] == 12
    body = "社員情報です。\n\n" + "".join(
        f"{SURNAMES[i]} 一郎\nMail: staff{i}@sample.co.jp\n生年月日: 1980年4月{1 + i}日\n\n"
        for i in range(12)
    )
    found = inspect_text(body, "body", "tanaka@a-corp.co.jp")
    assert tallies(found["pii.records"])["third_parties"] == 12
    assert rules_for(found)[0] == ["personal-data-list-external"]


def test_a_source_routed_address_is_a_third_party_seen_before_or_after_the_domain():
    owners = owners_for(("tanaka@a-corp.co.jp",), OURS, FreemailDomains())
    assert owners.of("x%evil.example@a-corp.co.jp") == THIRD
    assert owners.of("y@a-corp.co.jp") == RECIPIENT
    assert owners.of("x%evil.example@a-corp.co.jp") == THIRD
    assert owners.of("evil.example!x@a-corp.co.jp") == THIRD


@pytest.mark.parametrize("seed", range(20))
def test_column_and_row_readers_agree_on_private_rows(seed):
    """Some rows of staff carry a birth date: both readers leave exactly those with the third parties."""
    import random

    from inspectors.message import Table
    from inspectors.pii.ledger import Ledger
    from inspectors.pii.lists import read_rows, read_table
    from inspectors.pii.scanner import Scanner

    rng = random.Random(seed)
    rows = [
        (
            f"{SURNAMES[i % 15]} 一郎",
            f"s{i}@{rng.choice(['a-corp.co.jp', 'sample.co.jp', 'other.example'])}",
            f"03-5555-{1000 + i:04d}",
            rng.choice(["", f"1980/04/{1 + i % 28:02d}"]),
        )
        for i in range(rng.randint(4, 30))
    ]
    table = Table(where="attachment:x.xlsx!Sheet1", rows=(("氏名", "メール", "電話番号", "生年月日"), *rows))
    out = []
    for read in (read_table, read_rows):
        ledger = Ledger(owners=owners_for(("tanaka@a-corp.co.jp",), OURS, FreemailDomains()))
        read(table, Scanner(TODAY), ledger, False)
        out.append([(f.code, f.count, f.evidence) for f in ledger.findings()])
    assert out[0] == out[1]
    records = dict((c, e) for c, _, e in out[0])["pii.records"]
    private = sum(1 for r in rows if r[3])
    assert int(records[0].split("=")[1]) >= private


SHARED = ["tanaka@a-corp.co.jp", "yamada@sample.co.jp"]


@pytest.mark.parametrize("contact", SHARED)
def test_an_address_on_every_row_identifies_no_one(contact):
    """One account manager's address on each customer row: 12 customers, not one person of
    the recipient's or ours; column reader, row reader (no header) and a typed list alike."""
    rows = [
        f"{SURNAMES[i]} 花子,090-{3300 + i:04d}-{1200 + i:04d},東京都世田谷区桜{i + 1}-2-3,{contact}"
        for i in range(12)
    ]
    with_header = "\n".join(["氏名,電話番号,住所,担当者メール", *rows]) + "\n"
    body = "顧客一覧です。\n\n" + "".join(
        f"{SURNAMES[i]} 花子\n携帯: 090-{3300 + i:04d}-{1200 + i:04d}\n担当: {contact}\n\n" for i in range(12)
    )
    for text, where in (
        (with_header, "attachment:a.csv"),
        ("\n".join(rows) + "\n", "attachment:b.csv"),
        (body, "body"),
    ):
        found = inspect_text(text, where, "tanaka@a-corp.co.jp")
        assert tallies(found["pii.records"]) == {"third_parties": 12, "recipient_org": 0, "own_org": 0}, where
        assert found["pii.phone"].evidence[0] == "third_parties=12", where
        assert rules_for(found)[0] == ["personal-data-list-external"], where
