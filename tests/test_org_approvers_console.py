"""Directory groups on the console's rules page (issue 21): with a directory configured, a rule
may name a `group:NAME` that neither the configuration nor the directory holds yet (a sync may
bring it); the rule's form accepts it, and the page says, next to the rule, that nobody is in
its scope until then, in Japanese without English words. Without a directory it is refused."""

from __future__ import annotations

import html
import re

from quarantine.org_chart import OrgChart, OrgGroup, Person
from rules.model import Organization

from .admin_console import post
from .page_words import english_words
from .support import message
from .test_admin_rule_form import edit

CHART = OrgChart.of(
    (Person(mail="taro@example.co.jp"),), (OrgGroup(name="sales", members=("taro@example.co.jp",)),)
)
DRAFT = (
    "rules:\n  - {id: org-scoped, when: {recipients: external}, action: hold,"
    " scope: {senders: ['group:sales', 'group:ghost']}}\n"
)


def text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.text))


def test_unknown_group_refused_without_a_directory(admin):
    r = post(admin, "/admin/rules/save", draft=DRAFT, version="0")
    assert r.status_code == 422 and "ghost" in text(r) and admin.console_text() == ""


def test_directory_groups_accepted_and_the_unknown_one_noted(admin):
    admin.rulebook.organization = Organization(internal_domains=("example.co.jp",), directory=True)
    admin.rulebook.org = lambda: CHART
    r = post(admin, "/admin/rules/save", draft=DRAFT, version="0")
    assert r.status_code == 303, text(r)[-2000:]
    ja = admin.client.get("/admin/rules?lang=ja")
    card = ja.text[ja.text.index('id="rule-org-scoped"') :][:4000]
    assert "グループ「ghost」は設定にも組織のディレクトリにも今はありません" in html.unescape(card)
    assert "「sales」" not in html.unescape(card)  # the directory has it
    assert english_words(ja.text, allow=("ghost", "sales", "org-scoped")) == []
    en = admin.client.get("/admin/rules?lang=en")
    assert "The group ghost is in neither organization.groups nor the directory now" in html.unescape(en.text)
    # The rule's form takes a directory group it does not know yet, as the loader does.
    assert edit(admin, "org-scoped", senders="group:ghost2, group:sales").status_code == 303
    rule = next(r for r in admin.rulebook.current.rules if r.id == "org-scoped")
    assert rule.scope.senders == ("group:ghost2", "group:sales")
    r = edit(admin, "org-scoped", senders="group:")
    assert r.status_code == 422  # a name, at least


def test_a_draft_is_tested_with_the_directory_in_force(admin):
    """ "Test against a message" sees the directory's groups, as the guard's decide() does."""
    admin.rulebook.organization = Organization(internal_domains=("example.co.jp",), directory=True)
    admin.rulebook.org = lambda: CHART
    draft = (
        "rules:\n  - {id: sales-reject, when: {recipients: external}, action: reject,"
        " scope: {senders: ['group:sales']}}\n"
    )
    raw = message("見積", "よろしくお願いします。")  # from taro, in the directory's sales
    r = admin.client.post(
        "/admin/rules/test", data={"csrf": admin.csrf(), "draft": draft}, files={"message": ("m.eml", raw)}
    )
    assert r.status_code == 200, text(r)[-2000:]
    result = " ".join(text(r)[text(r).index("検査結果") :].split())
    assert "（下書き）: 拒否" in result and "（適用・拒否） sales-reject" in result
    admin.rulebook.org = lambda: OrgChart()  # the same draft, nobody in sales
    r = admin.client.post(
        "/admin/rules/test", data={"csrf": admin.csrf(), "draft": draft}, files={"message": ("m.eml", raw)}
    )
    result = " ".join(text(r)[text(r).index("検査結果") :].split())
    assert "（下書き）: 送信" in result and "一致したルール なし" in result
