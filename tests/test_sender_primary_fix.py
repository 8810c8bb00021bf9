"""The fix each kind of hold asks for (issue 18, item 1): real messages through the real
inspection and the shipped rules, then `suggest` on the decision the sender's page reads."""

from __future__ import annotations

from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from inspectors.base import Envelope
from inspectors.clients import Client
from inspectors.recipients import ExternalRecipients
from proxy.pipeline import InspectorConfig, build_inspectors, inspect_raw
from quarantine.fix_outcome import masked_file, read, write
from quarantine.hold_page import file_kind
from quarantine.hold_view import checklist, client_names, organisations
from quarantine.sender_fix import SuggestedFix, recipient_fields, suggest
from rules import MessageFacts, decide, load_rules

from .test_explain_findings import CUSTOMER_CSV

OURS = "sample.co.jp"
CLIENTS = (
    Client(name="株式会社エー", aliases=("エー社",), domains=("a-corp.co.jp",)),
    Client(name="株式会社ビー", aliases=("ビー社",), domains=("b-corp.co.jp", "b-corp.com")),
)
INSPECTORS = build_inspectors(
    InspectorConfig(
        internal_domains=(OURS,),
        clients=CLIENTS,
        own_names=("株式会社サンプル",),
        suppressed=("stop@b-corp.co.jp",),
    )
)
is_external = ExternalRecipients((OURS,)).is_external


def mail(to: list[str], subject: str = "ご連絡", cc: list[str] = (), bcc: list[str] = (), files=()):
    message = MIMEMultipart()
    message["From"], message["To"], message["Subject"] = f"yamada@{OURS}", ", ".join(to), subject
    if cc:
        message["Cc"] = ", ".join(cc)
    message.attach(MIMEText("お世話になっております。よろしくお願いいたします。", "plain", "utf-8"))
    for name, data in files:
        part = MIMEApplication(data)
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
        message.attach(part)
    rcpts = (*to, *cc, *bcc)
    return message.as_bytes(), Envelope(mail_from=f"yamada@{OURS}", rcpt_tos=rcpts)


def suggested(raw: bytes, env: Envelope) -> SuggestedFix | None:
    inspection = inspect_raw(raw, env, INSPECTORS)
    decision = decide(
        list(inspection.findings), MessageFacts(mail_from=env.mail_from, rcpt_tos=env.rcpt_tos), load_rules()
    )
    assert decision.verdict == "hold", "every case here is a hold"
    return suggest(decision, env.rcpt_tos, inspection.summary.attachments, is_external)


def test_the_bcc_mistake_asks_to_move_the_externals_to_bcc():
    to = [f"p{i}@a-corp.co.jp" for i in range(6)] + [f"q{i}@b-corp.co.jp" for i in range(6)]
    fix = suggested(*mail(to, subject="セミナーのご案内"))
    assert fix == SuggestedFix(to_bcc=True)
    assert fix.label == "fix.primary.bcc"


def test_a_lookalike_domain_asks_to_remove_that_recipient_only():
    fix = suggested(*mail(["tanaka@a-c0rp.co.jp", "ito@sample.co.jp"]))
    assert fix == SuggestedFix(remove=("tanaka@a-c0rp.co.jp",))
    assert fix.label == "fix.primary.remove"


def test_a_suppressed_recipient_is_removed_and_is_on_the_checklist():
    raw, env = mail(["tanaka@a-corp.co.jp"], cc=["stop@b-corp.co.jp"])
    fix = suggested(raw, env)
    assert fix == SuggestedFix(remove=("stop@b-corp.co.jp",))
    inspection = inspect_raw(raw, env, INSPECTORS)
    decision = decide(
        list(inspection.findings), MessageFacts(mail_from=env.mail_from, rcpt_tos=env.rcpt_tos), load_rules()
    )
    items = [item for _, _, item in checklist(decision)]
    assert items == ["s***@b-corp.co.jp"], "masked, as the finding has it"
    orgs = organisations(env.rcpt_tos, is_external, inspection.findings)
    marks = {r.address: r.marks for o in orgs for r in o.rows}
    assert marks == {"tanaka@a-corp.co.jp": [], "stop@b-corp.co.jp": ["recipients.suppressed"]}


def test_another_clients_name_in_the_subject_removes_the_recipients_outside():
    fix = suggested(*mail(["tanaka@a-corp.co.jp", "ito@sample.co.jp"], subject="株式会社ビー御中 お見積書"))
    assert fix == SuggestedFix(remove=("tanaka@a-corp.co.jp",))


def test_removing_every_recipient_is_no_fix():
    assert suggested(*mail(["tanaka@a-corp.co.jp"], subject="株式会社ビー御中 お見積書")) is None


def test_a_customer_list_attached_asks_to_remove_the_attachment():
    raw, env = mail(["tanaka@a-corp.co.jp"], files=[("顧客一覧.csv", CUSTOMER_CSV.encode("utf-8"))])
    fix = suggested(raw, env)
    assert fix is not None and fix.remove == () and not fix.to_bcc
    assert [name for name, _ in fix.drop] == ["顧客一覧.csv"] and fix.drop[0][1] == "1.2"
    # issue 19: the list goes as a download link first; removing it stays the second choice
    assert fix.links and fix.links_primary and fix.label == "fix.primary.links"
    assert fix.drop_label == "fix.primary.drop"


def test_several_reasons_make_one_fix_of_several_parts():
    to = [f"p{i}@a-corp.co.jp" for i in range(6)] + [f"q{i}@b-corp.co.jp" for i in range(6)]
    raw, env = mail([*to, "x@a-c0rp.co.jp"], files=[("顧客一覧.csv", CUSTOMER_CSV.encode("utf-8"))])
    fix = suggested(raw, env)
    assert fix is not None and fix.to_bcc and fix.remove == ("x@a-c0rp.co.jp",) and len(fix.drop) == 1
    assert fix.label == "fix.primary.several"


def test_personal_data_in_the_body_has_no_fix_of_ours():
    message = MIMEText(CUSTOMER_CSV, "plain", "utf-8")
    message["From"], message["To"], message["Subject"] = f"yamada@{OURS}", "tanaka@a-corp.co.jp", "名簿"
    env = Envelope(mail_from=f"yamada@{OURS}", rcpt_tos=("tanaka@a-corp.co.jp",))
    assert suggested(message.as_bytes(), env) is None


def test_each_recipients_field_comes_from_the_header():
    raw = (
        b"From: a@sample.co.jp\r\nTo: =?utf-8?b?55Sw5Lit?= <Tanaka@A-corp.co.jp>,\r\n"
        b' "Ito, K" <ito@sample.co.jp>\r\nCc: boss@sample.co.jp\r\nSubject: x\r\n\r\n'
        b"To: body@nowhere.example\r\n"
    )
    rcpts = ("tanaka@a-corp.co.jp", "ito@sample.co.jp", "boss@sample.co.jp", "hidden@b-corp.co.jp")
    assert recipient_fields(raw, rcpts) == {
        "tanaka@a-corp.co.jp": "To",
        "ito@sample.co.jp": "To",
        "boss@sample.co.jp": "Cc",
        "hidden@b-corp.co.jp": "Bcc",
    }


def test_recipients_are_grouped_by_client_name_with_the_domains_beside_it():
    rcpts = ("a@b-corp.co.jp", "b@b-corp.com", "c@mail.a-corp.co.jp", "d@other.example", "e@sample.co.jp")
    fields = {"a@b-corp.co.jp": "To", "b@b-corp.com": "Cc"}
    orgs = organisations(rcpts, is_external, (), fields, client_names(CLIENTS))
    shown = [(o.client, o.domain, [r.address for r in o.rows]) for o in orgs]
    assert shown == [
        ("株式会社エー", "mail.a-corp.co.jp", ["c@mail.a-corp.co.jp"]),
        ("株式会社ビー", "b-corp.co.jp, b-corp.com", ["a@b-corp.co.jp", "b@b-corp.com"]),
        ("", "other.example", ["d@other.example"]),
        ("", "sample.co.jp", ["e@sample.co.jp"]),
    ]
    assert [r.field for r in orgs[1].rows] == ["To", "Cc"]


def test_a_fixs_outcome_is_kept_as_counts_and_masked_samples():
    detail = write(["spy@rival.example", "x y,=@odd.example"], ["顧客一覧.xlsx", "<b>.csv"], True, "hold")
    assert "spy@" not in detail and "顧客一覧" not in detail
    outcome = read(detail)
    assert outcome is not None
    assert (outcome.removed, outcome.dropped, outcome.to_bcc, outcome.verdict) == (2, 2, True, "hold")
    assert outcome.recipients == ("s***@rival.example", "x***@odd.example")
    assert outcome.files == ("顧***.xlsx", "***.csv")
    assert read("removed=1 dropped=0 bcc=0 verdict=pass") is not None  # rows written before issue 18
    assert read("state=held") is None and masked_file("noext") == "n***"


@pytest.mark.parametrize(
    ("name", "content_type", "key"),
    [
        ("見積.XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "kind.excel"),
        ("a.pdf", "application/pdf", "kind.pdf"),
        ("顧客.csv", "text/csv", "kind.csv"),
        ("写真", "image/jpeg", "kind.image"),
        ("x.bin", "application/octet-stream", "kind.other"),
    ],
)
def test_attachments_show_a_short_kind_not_a_mime_type(name, content_type, key):
    assert file_kind(name, content_type) == key
