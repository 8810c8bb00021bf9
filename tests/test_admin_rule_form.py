"""The rules page for non-engineers (issue 18 item 11): a rule's form writes exactly the keys
that change into the console layer's text (a new version in the store, issue 20), bad values are refused in Japanese, a bad draft's
errors come all at once with their lines, and a stored message can be tested."""

from __future__ import annotations

import dataclasses
import html
import re
import time

from .admin_console import held_message, post, unescaped
from .page_words import english_words
from .support import MY_NUMBER_BODY, message

_FIELD = re.compile(r'<(input|select)[^>]*name="(\w+)"[^>]*>')


def plain(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", response.text))


def rule_form(c, rule_id: str) -> dict[str, str]:
    """The values the rule's form would post as the page shows it."""
    page = c.client.get("/admin/rules?lang=ja").text
    card = page[page.index(f'id="rule-{rule_id}"') :]
    card = card[: card.index("</form>")]
    values = {"csrf": re.search(r'name="csrf" value="([^"]+)"', card).group(1)}
    for m in re.finditer(r'<input type="hidden" name="(\w+)" value="([^"]*)"', card):
        values[m.group(1)] = html.unescape(m.group(2))
    for name in ("delay", "senders", "recipients"):
        values[name] = html.unescape(re.search(rf'name="{name}" value="([^"]*)"', card).group(1))
    for name in ("mode", "action"):
        select = card[card.index(f'name="{name}"') :]
        values[name] = re.search(
            r'<option value="(\w+)" selected', select[: select.index("</select>")]
        ).group(1)
    if re.search(r'name="enabled" value="1" checked', card):
        values["enabled"] = "1"
    return values


def edit(c, rule_id: str, **changes):
    data = {**rule_form(c, rule_id), **changes}
    data = {k: v for k, v in data.items() if v is not None}
    return c.client.post("/admin/rules/edit", data=data, follow_redirects=False)


COMMENTED = """# Local rules of the sales department: keep this comment
rules:
  # our own rule
  - id: big-list   # 50 phone numbers
    description: A long list of phone numbers
    when: {code: pii.phone, min_count: 50}
    action: hold

  - {id: client-mismatch-body, enabled: false}  # too noisy
"""


def test_turning_a_shipped_rule_to_monitor_writes_just_that_key(admin):
    r = edit(admin, "sensitive-id-external", mode="monitor")
    assert (r.status_code, r.headers["location"]) == (
        303,
        "/admin/rules?saved=rule&rule=sensitive-id-external#rule-sensitive-id-external",
    )
    assert admin.console_text() == "rules:\n  - id: sensitive-id-external\n    mode: monitor\n"
    rule = {r.id: r for r in admin.rulebook.current.rules}["sensitive-id-external"]
    assert (rule.mode, rule.action, rule.enabled) == ("monitor", "hold", True)
    assert admin.sql("SELECT detail FROM audit_log WHERE action = 'rules_saved'") == [
        (f"version=1 active={len(admin.rulebook.current.active)} rule=sensitive-id-external fields=mode",)
    ]
    page = admin.client.get("/admin/rules?saved=rule&rule=sensitive-id-external&lang=ja")
    card = page.text[page.text.index('id="rule-sensitive-id-external"') :][:600]
    assert (
        "ルールの設定を保存して、読み込み直しました" in page.text and "保存して、読み込み直しました" in card
    )
    assert english_words(page.text, allow=("Local", "rules")) == []
    # the same form posted again changes nothing and writes nothing
    r = edit(admin, "sensitive-id-external")
    assert r.headers["location"].endswith("saved=same&rule=sensitive-id-external#rule-sensitive-id-external")
    assert admin.version() == "1" and admin.rules_file.read_text() == "rules: []\n"


def test_each_control_changes_exactly_its_key_and_keeps_the_comments(admin):
    admin.set_console(COMMENTED)
    assert edit(admin, "big-list", action="delay", delay="15分").status_code == 303
    expected = COMMENTED.replace("    action: hold\n", "    action: delay\n    delay: 15m\n")
    assert admin.console_text() == expected
    assert edit(admin, "client-mismatch-body", enabled="1").status_code == 303
    expected = expected.replace("enabled: false}", "enabled: true}")
    assert admin.console_text() == expected
    assert edit(admin, "lookalike-domain", enabled=None).status_code == 303  # the box unticked
    expected += "  - id: lookalike-domain\n    enabled: false\n"
    assert admin.console_text() == expected
    r = edit(admin, "big-list", action="hold", senders="@sales.example.co.jp、 taro@example.co.jp")
    assert r.status_code == 303
    expected = expected.replace(
        "    action: delay\n    delay: 15m\n",
        "    action: hold\n    scope: {senders: ['@sales.example.co.jp', taro@example.co.jp]}\n",
    )
    assert admin.console_text() == expected
    rules = {r.id: r for r in admin.rulebook.current.rules}
    assert rules["big-list"].scope.senders == ("@sales.example.co.jp", "taro@example.co.jp")
    assert (rules["big-list"].action, rules["big-list"].delay) == ("hold", 0.0)
    assert not rules["lookalike-domain"].enabled and rules["client-mismatch-body"].enabled


def test_invalid_values_are_refused_in_japanese_and_nothing_is_written(admin):
    before = admin.console_text()
    for changes, said in [
        ({"mode": "loud"}, "動作モードを一覧から選んでください"),
        ({"action": "explode"}, "動作を一覧から選んでください"),
        ({"action": "delay", "delay": ""}, "遅延送信には待ち時間が必要です"),
        ({"action": "delay", "delay": "soon"}, "待ち時間は 30秒・10分・2時間・1日 のように書いてください"),
        ({"action": "delay", "delay": "99999999d"}, "36500日まで"),
        (
            {"senders": "taro"},
            "送信者の範囲の「taro」は、アドレス・@ドメイン・group:グループ名のどれでもありません",
        ),
        ({"recipients": "group:nobody"}, "宛先の範囲の「group:nobody」は"),
        ({"senders": "a@b.example " * 400}, "送信者の範囲が長すぎます"),
    ]:
        r = edit(admin, "sensitive-id-external", **changes)
        assert r.status_code == 422 and said in unescaped(r), (changes, plain(r)[-800:])
        error = r.text[r.text.index('id="rule-errors"') - 80 :][:200]
        assert (
            "autofocus" in error
            and "rule-sensitive-id-external" in r.text[: r.text.index('id="rule-errors"')]
        )
    two = edit(admin, "sensitive-id-external", mode="x", action="y")
    assert "動作モードを一覧から" in unescaped(two) and "動作を一覧から" in unescaped(two)
    assert admin.console_text() == before and admin.version() == "0"


def test_a_stale_form_an_unknown_rule_and_a_missing_token_are_refused(admin):
    form = rule_form(admin, "sensitive-id-external")
    admin.set_console("rules:\n  - {id: lookalike-domain, mode: monitor}\n")  # another admin's save
    r = admin.client.post("/admin/rules/edit", data={**form, "mode": "monitor"}, follow_redirects=False)
    assert r.status_code == 409 and "別の管理者がルールを保存しました" in unescaped(r)
    assert english_words(r.text, allow=("lookalike", "domain", "monitor")) == []
    r = edit(admin, "sensitive-id-external", rule="no-such-rule")
    assert r.status_code == 400 and "このルールはありません" in unescaped(r)
    data = {k: v for k, v in rule_form(admin, "sensitive-id-external").items() if k != "csrf"}
    r = admin.client.post("/admin/rules/edit", data={**data, "mode": "monitor"}, follow_redirects=False)
    assert r.status_code == 403
    r = admin.client.post("/admin/rules/edit", data={**data, "csrf": "forged", "mode": "monitor"})
    assert r.status_code == 403
    assert admin.console_text() == "rules:\n  - {id: lookalike-domain, mode: monitor}\n"


def test_a_rule_of_any_rules_file_is_overridden_by_the_console_and_the_file_stays(tmp_path, sqlite_url):
    from .admin_console import open_console

    with open_console(tmp_path, sqlite_url, rule_files=2) as c:
        c.rulebook.files[1].write_text(COMMENTED, "utf-8")
        c.rulebook.reload_if_changed()
        c.login()
        page = c.client.get("/admin/rules?lang=ja").text
        card = page[page.index('id="rule-big-list"') :][:2500]
        assert 'name="mode"' in card[: card.index("</article>")]
        assert edit(c, "big-list", mode="monitor").status_code == 303
        assert c.console_text() == "rules:\n  - id: big-list\n    mode: monitor\n"
        assert c.rulebook.files[1].read_text() == COMMENTED and c.rules_file.read_text() == "rules: []\n"
        big = {r.id: r for r in c.rulebook.current.rules}["big-list"]
        assert (big.mode, big.source, big.description) == (
            "monitor",
            "console",
            "A long list of phone numbers",
        )


BROKEN = """rules:
  - id: x-rule
    when: {code: pii.my_number}
    action: hld
  - id: sensitive-id-external
    mode: loud
    colour: red
  - id: late
    when: {code: pii.phone}
    action: delay
    delay: soon
"""


def test_every_error_of_a_draft_at_once_with_its_line_next_to_the_editor(admin):
    for op in ("check", "save"):
        r = post(admin, f"/admin/rules/{op}?lang=ja", draft=BROKEN)
        assert r.status_code == 422
        text = plain(r)
        assert "次の 4 件を直してください" in text
        for line in (
            "4行目: rules[0].action: 'hld' は使えません（pass, tag, delay, hold, hold_for_approval, reject, bcc_convert, link_attachments のいずれか）",
            "6行目: rules[1].mode: 'loud' は使えません（enforce, monitor のいずれか）",
            "7行目: rules[1].colour: このキーは使えません",
            "11行目: rules[2].delay: 'soon' は時間として読めません",
        ):
            assert line in text, (line, text[text.index("直してください") :][:1500])
        status = r.text[r.text.index('id="draft-status"') - 60 :]
        assert "autofocus" in status[:200] and status.index("</ul>") < status.index('name="draft"')
        assert english_words(r.text, allow=("Local", "rules")) == [], english_words(r.text)
    r = admin.client.post("/admin/rules/check?lang=en", data={"csrf": admin.csrf(), "draft": BROKEN})
    assert "Fix these 4 errors" in r.text and "line 11: rules[2].delay: expected a duration" in unescaped(r)
    assert admin.console_text() == ""


def test_a_stored_message_can_be_tested(admin):
    msg = held_message("Q-STORED", subject="見積書（山田商事）", rules=admin.rulebook.current)
    msg = dataclasses.replace(msg, raw=message("見積", MY_NUMBER_BODY))
    admin.run(lambda: admin.store.hold(msg, token="tok-q", csrf="c", expires_at=time.time() + 3600))
    page = admin.client.get("/admin/rules?lang=ja").text
    assert '<option value="Q-STORED"' in page and "見積書（山田商事）" in page
    for field in ("stored", "stored_id"):
        r = post(admin, "/admin/rules/test?lang=ja", draft="rules: []\n", **{field: "Q-STORED"})
        assert r.status_code == 200, plain(r)[-500:]
        result = r.text[r.text.index('id="test-result"') :]
        assert 'state-held">保留<' in result and "sensitive-id-external" in result and "Q-STORED" in result
        assert "1234 5678 9018" not in r.text, "never the raw personal data"
        assert english_words(r.text, allow=("Local", "rules")) == [], english_words(r.text)
    r = post(
        admin,
        "/admin/rules/test?lang=ja",
        draft="rules:\n  - {id: sensitive-id-external, mode: monitor}\n",
        stored="Q-STORED",
    )
    assert 'state-released">送信<' in r.text and "（下書き）" in r.text
    for missing in ("NOPE", "../etc/passwd", "x" * 500):
        r = post(admin, "/admin/rules/test?lang=ja", draft="rules: []\n", stored_id=missing)
        assert r.status_code == 404 and "そのメールは見つかりません" in unescaped(r)
    r = admin.client.post("/admin/rules/test", data={"stored": "Q-STORED", "draft": "rules: []\n"})
    assert r.status_code == 403, "no CSRF token, no test"


def test_a_form_save_over_a_broken_console_layer_shows_its_errors_by_the_editor(admin):
    broken = "rules:\n  # fix me\n  - id: x-rule\n    when: {code: pii.nope}\n    action: hold\n"
    admin.set_console(broken)  # refused by the RuleBook: the last good rules stay in force
    r = edit(admin, "sensitive-id-external", mode="monitor")
    assert r.status_code == 422
    text = plain(r)
    assert "4行目: rules[0].when.code: 'pii.nope' という検出コードはありません" in text
    card = r.text[r.text.index('id="rule-sensitive-id-external"') :][:1500]
    assert 'href="#draft-status"' in card and "ルールにエラーがあるため保存できません" in card
    assert admin.console_text() == broken and admin.version() == "1"
