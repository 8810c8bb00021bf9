"""The admin console's message search, bulk actions, dashboard and the sender's notice of an
admin's decision (issue 18, items 10 and 12), over a real SQLite store with the shipped rules."""

from __future__ import annotations

import datetime as dt
import email
import re
import time
from email import policy

from .admin_console import ADMIN, CSRF, NOTICE_FROM, SENDER, post, unescaped
from .page_words import english_words

BULK = "/admin/messages/bulk"
# The rule book's Japanese reason quotes the English marker it looks for (「Confidential」)
RULE_WORDS = ("Confidential",)


def found(admin, **params) -> set[str]:
    page = admin.client.get("/admin/messages", params=params)
    assert page.status_code == 200, page.text
    return set(re.findall(r"件名[A-Z]", page.text))


def notices(admin) -> list[tuple[str, str, str]]:
    """(recipient, subject, body) of the notices queued for senders."""
    out = []
    for rcpt, raw in admin.sql("SELECT rcpt_tos, raw FROM outbound WHERE kind = 'notice' ORDER BY id"):
        msg = email.message_from_bytes(raw, policy=policy.default)
        out.append((rcpt, str(msg["Subject"]), msg.get_content()))
    return out


def test_search_filters_each_field_and_the_rule_list_reads_japanese(admin):
    admin.hold("Q1", sender="hanako@example.co.jp", rcpt="a@client-a.example", subject="件名A 見積")
    admin.hold("Q2", rcpt="b@client-b.example", subject="件名B 請求")
    admin.hold("Q3", kind="hold_for_approval", subject="件名C 契約")
    admin.run(lambda: admin.store.decide_hold("Q2", "cancelled", actor="sender", client_addr=None))
    page = admin.client.get("/admin/messages").text
    # the rule list: the rules in force, by their Japanese reason; the id only as the value
    option = re.search(r'<option value="sensitive-id-external"\s*>([^<]+)</option>', page)
    assert option and option.group(1).startswith("マイナンバー・カード番号"), page
    assert english_words(page, allow=("hanako", "A", "B", "C", *RULE_WORDS)) == []
    assert found(admin) == {"件名A", "件名B", "件名C"}
    assert found(admin, subject="請求") == {"件名B"}
    assert found(admin, subject="顧客.xlsx") == {"件名A", "件名B", "件名C"}, "attachment names too"
    assert found(admin, sender="HANAKO") == {"件名A"}
    assert found(admin, recipient="client-b") == {"件名B"}
    assert found(admin, rule="sensitive-id-external") == {"件名A", "件名B", "件名C"}
    assert found(admin, rule="client-mismatch") == set()
    assert found(admin, state="held") == {"件名A", "件名C"}
    assert found(admin, state="approval") == {"件名C"}
    assert found(admin, state="cancelled") == {"件名B"}
    today = dt.date.today()
    assert found(admin, **{"from": today.isoformat(), "to": today.isoformat()}) == {"件名A", "件名B", "件名C"}
    assert found(admin, **{"from": (today + dt.timedelta(days=1)).isoformat()}) == set()
    # the rows read Japanese: state words, the rule's reason, the id as technical text
    listed = admin.client.get("/admin/messages").text
    assert "承認待ち" in listed and "取り消し" in listed and "保留中" in listed
    assert '<code class="tech">sensitive-id-external</code>' in listed


def test_a_reversed_period_and_bad_fields_are_clear_japanese_errors(admin):
    admin.hold("Q1", subject="件名A")
    r = admin.client.get("/admin/messages", params={"from": "2026-03-10", "to": "2026-03-01"})
    assert r.status_code == 400
    text = unescaped(r)
    assert "期間：終わり（2026-03-01）が始まり（2026-03-10）より前です" in text and "件名A" not in text
    assert english_words(r.text, allow=RULE_WORDS) == []
    bad = admin.client.get("/admin/messages", params={"rule": "Bad Rule", "state": "nope", "page": "x"})
    assert bad.status_code == 400
    for words in ("ルール：一覧から選んでください", "状態：一覧から選んでください", "ページ："):
        assert words in unescaped(bad)
    english = admin.client.get(
        "/admin/messages", params={"from": "2026-03-10", "to": "2026-03-01", "lang": "en"}
    )
    assert "the period ends (2026-03-01) before it starts (2026-03-10)" in unescaped(english)
    assert admin.client.get("/admin/messages", params={"sender": "x" * 5000}).status_code == 200


def test_pagination_keeps_the_filters(admin):
    for i in range(53):
        admin.hold(f"P{i:02d}", subject=f"subject-{i:02d}-", sender="bulk@example.co.jp")
    admin.hold("OTHER", subject="件名Z")
    first = admin.client.get("/admin/messages", params={"sender": "bulk@"}).text
    assert "53 件" in first and "件名Z" not in first and "subject-52-" in first and "subject-02-" not in first
    link = re.search(r'href="\?([^"]*page=2[^"]*)"', first).group(1)
    assert "sender=bulk%40" in link.replace("&amp;", "&")
    second = admin.client.get("/admin/messages?" + link.replace("&amp;", "&")).text
    assert "subject-00-" in second and "subject-03-" not in second and "件名Z" not in second
    assert "2 ページ目" in second and "次へ" not in second


def test_passed_mail_is_found_in_the_decision_log(admin):
    now = time.time()
    admin.hold("H1", subject="件名H")
    admin.record_decision("H1", now)  # held: listed with the holds, not among the passed
    admin.record_decision("PASS1", now, findings=(), sender="jiro@example.co.jp")
    admin.record_decision("PASS2", now - 86400 * 3)
    page = admin.client.get("/admin/messages", params={"state": "passed"})
    assert page.status_code == 200
    text = page.text
    assert "PASS1" in text and 'href="/admin/messages/PASS1"' not in text, "no detail page: no body kept"
    assert text.count("送信済み（保留なし）") >= 2 and "件名H" not in text
    assert "2 件" in text and "jiro@example.co.jp" in text
    assert english_words(text, allow=("jiro", *RULE_WORDS)) == []
    only_jiro = admin.client.get("/admin/messages", params={"state": "passed", "sender": "jiro"}).text
    assert "1 件" in only_jiro
    by_rule = admin.client.get(
        "/admin/messages", params={"state": "passed", "rule": "sensitive-id-external"}
    ).text
    assert "1 件" in by_rule and "jiro@" not in by_rule, "PASS2's decision matched the rule"
    today = dt.date.today().isoformat()
    assert "1 件" in admin.client.get("/admin/messages", params={"state": "passed", "from": today}).text
    no_subject = admin.client.get("/admin/messages", params={"state": "passed", "subject": "x"})
    assert no_subject.status_code == 400 and "件名を記録していない" in unescaped(no_subject)


def test_bulk_cancel_needs_a_reason_and_a_confirmation_then_decides_each_and_tells_each_sender(admin):
    admin.hold("B1", subject="件名A")
    admin.hold("B2", subject="件名B", sender="hanako@example.co.jp")
    admin.hold("B3", subject="件名C")
    # no reason: nothing happens, the confirmation page asks for one
    r = post(admin, BULK, action="cancel", ids=["B1", "B2"])
    assert r.status_code == 422 and "理由を入力してください" in r.text
    # a reason but no confirmation: the confirmation page, nothing changed
    r = post(admin, BULK, action="cancel", ids=["B1", "B2"], note="誤送信の疑い")
    assert r.status_code == 200 and "2 件を取り消す" in r.text and 'name="confirm" value="1"' in r.text
    assert english_words(r.text, allow=("hanako", "A", "B")) == []
    assert {admin.run(admin.store.get, q).state for q in ("B1", "B2")} == {"held"}
    # confirmed
    r = post(admin, BULK, action="cancel", ids=["B1", "B2"], note="誤送信の疑い", confirm="1")
    assert r.status_code == 303 and r.headers["location"] == "/admin/messages?bulk=cancelled&done=2"
    for qid in ("B1", "B2"):
        record = admin.run(admin.store.get, qid)
        assert (record.state, record.acted_by, record.note) == ("cancelled", f"admin:{ADMIN}", "誤送信の疑い")
        trail = admin.run(admin.store.audit_trail, qid)
        assert (trail[-1].action, trail[-1].actor) == ("cancelled", f"admin:{ADMIN}")
    assert admin.run(admin.store.get, "B3").state == "held"
    assert admin.queued == [], "nothing released, the worker has nothing to send"
    sent = notices(admin)
    assert [rcpt for rcpt, _, _ in sent] == [f'["{SENDER}"]', '["hanako@example.co.jp"]']
    for (_, subject, body), name in zip(sent, ("件名A", "件名B"), strict=True):
        assert name in subject and "管理者" in subject
        assert f"件名「{name}」" in body and "取り消しました" in body and "> 誤送信の疑い" in body
        assert ADMIN in body
    outcome = admin.client.get(r.headers["location"]).text
    assert "2 件を取り消しました" in outcome


def test_bulk_release_queues_and_reports_stale_ones(admin):
    admin.hold("B1", subject="件名A")
    admin.hold("B2", subject="件名B")
    admin.hold("B3", subject="件名C")
    admin.run(lambda: admin.store.decide_hold("B3", "released", actor="sender", client_addr=None))
    confirm = post(admin, BULK, action="release", ids=["B1", "B2", "B3"], note="確認済み")
    assert confirm.status_code == 200 and "2 件を送信する" in confirm.text
    assert "すでに処理済み" in confirm.text and "件名C" in confirm.text
    # between the confirmation and the click, the sender cancels B2
    admin.run(lambda: admin.store.decide_hold("B2", "cancelled", actor="sender", client_addr=None))
    r = post(admin, BULK, action="release", ids=["B1", "B2"], note="確認済み", confirm="1")
    assert r.status_code == 303 and r.headers["location"] == "/admin/messages?bulk=released&done=1&stale=B2"
    assert admin.run(admin.store.get, "B1").state == "released"
    assert admin.run(admin.store.get, "B2").acted_by == "sender"
    assert admin.queued == [1]
    assert admin.sql("SELECT kind FROM outbound WHERE message_id = 'B1' ORDER BY id") == [
        ("release",),
        ("notice",),
    ]
    assert admin.sql("SELECT count(*) FROM outbound WHERE message_id = 'B2'") == [(0,)]
    page = admin.client.get(r.headers["location"]).text
    assert "1 件を送信しました" in page and "すでに処理済み" in page and "/admin/messages/B2" in page
    assert "送信しました" in notices(admin)[0][2]


def test_bulk_refuses_without_csrf_and_bounds_its_input(admin):
    admin.hold("B1")
    token = CSRF.search(admin.client.get("/admin/messages").text).group(1)
    no_csrf = admin.client.post(BULK, data={"action": "cancel", "ids": ["B1"], "note": "x", "confirm": "1"})
    assert no_csrf.status_code == 403
    assert admin.run(admin.store.get, "B1").state == "held"

    def bulk(**data):
        return admin.client.post(BULK, data={"csrf": token, **data}, follow_redirects=False)

    assert bulk(action="delete", ids=["B1"], note="x", confirm="1").status_code == 400
    assert bulk(action="cancel", ids=["../x"], note="x", confirm="1").status_code == 400
    assert bulk(action="cancel", ids=[f"Q{i}" for i in range(51)], note="x", confirm="1").status_code == 400
    none = bulk(action="cancel", note="x", confirm="1")
    assert none.status_code == 422 and "メールを選んでください" in none.text
    empty_reason = bulk(action="cancel", ids=["B1"], note="   ", confirm="1")
    assert empty_reason.status_code == 422 and admin.run(admin.store.get, "B1").state == "held"
    gone = bulk(action="cancel", ids=["NOPE"], note="x", confirm="1")
    assert gone.status_code == 200 and "見つからないメール 1 件" in gone.text


def test_a_single_admin_decision_tells_the_sender_with_the_reason(admin):
    admin.hold("Q1", subject="見積書")
    admin.hold("Q2", subject="請求書", kind="hold_for_approval")
    admin.hold("Q3", subject="無言", sender="")
    post(admin, "/admin/messages/Q1", action="release", note="電話で確認済み")
    post(admin, "/admin/messages/Q2", action="cancel", note="")
    post(admin, "/admin/messages/Q3", action="cancel", note="")
    (r1, s1, b1), (_, s2, b2) = notices(admin)
    assert r1 == f'["{SENDER}"]' and "見積書" in s1 and "管理者が送信" in s1
    assert "件名「見積書」の保留中のメールを、管理者（" + ADMIN + "）が送信しました" in b1
    assert "> 電話で確認済み" in b1
    assert "請求書" in s2 and "取り消しました" in b2 and "理由" not in b2
    assert admin.sql("SELECT mail_from FROM outbound WHERE kind = 'notice'")[0] == (NOTICE_FROM,)
    # nobody to tell for the null sender; the page says the sender is told
    page = admin.client.get("/admin/messages/Q1?done=released").text
    assert "送信者に通知します" in page
    assert english_words(page, allow=("testclient",)) == [], "the test client's address"


def test_dashboard_figures_on_a_known_set(admin):
    now = time.time()
    admin.hold("D1", subject="最古の保留")
    admin.hold("D2", kind="hold_for_approval")
    admin.hold("D3")
    admin.hold("D4")
    admin.hold("D5")
    admin.hold("D6")
    # D1 waited longest; D6 was held two days ago (not today's); D3, D4 released, D5 cancelled
    admin.sql("UPDATE held_messages SET created_at = :t WHERE id = 'D1'", t=now - 3600 * 5)
    admin.sql("UPDATE held_messages SET created_at = :t WHERE id = 'D6'", t=now - 86400 * 2)
    for qid, state in (("D3", "released"), ("D4", "released"), ("D5", "cancelled"), ("D6", "expired")):
        admin.run(lambda q=qid, s=state: admin.store.decide_hold(q, s, actor="sender", client_addr=None))
    midnight = time.mktime(dt.date.today().timetuple())
    today = 5 if now - 3600 * 5 >= midnight else 4
    page = admin.client.get("/admin/")
    assert page.status_code == 200
    text = page.text

    def figure(card: str) -> str:
        return re.search(rf'id="{card}".*?class="figure">([^<]*)<', text, re.S).group(1)

    assert figure("held-today") == str(today)
    assert figure("waiting") == "2" and figure("approvals") == "1"
    assert figure("release-rate") == "50%", "2 released of 4 decided (cancelled and expired count)"
    assert re.search(r'id="oldest".*?href="/admin/messages/D1">最古の保留<', text, re.S)
    assert english_words(text) == []
    assert admin.client.get("/admin/dashboard").status_code == 200
    empty_rate = admin.client.get("/admin/dashboard?lang=en").text
    assert "Oldest waiting hold" in empty_rate


def test_a_local_rule_without_a_japanese_reason_is_still_told_apart(admin):
    admin.rules_file.write_text(
        "rules:\n  - id: local-phone-list\n    when: {code: pii.phone, min_count: 50}\n    action: hold\n",
        "utf-8",
    )
    assert admin.rulebook.reload_if_changed()
    page = admin.client.get("/admin/messages").text
    assert '<option value="local-phone-list" >説明のないルール（local-phone-list）</option>' in page
