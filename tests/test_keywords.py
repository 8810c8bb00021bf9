"""Keyword dictionaries (issue 17): the loader's errors, matching and its word forms, proximity to a
person or a table of people, the shipped dictionaries' words and exceptions, hostile input,
and the whole way from a rule file to a held message."""

from __future__ import annotations

import asyncio
import datetime
import html
import os
import re
import time
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest

from inspectors.base import Envelope, Finding, MessageView
from inspectors.codes import SHIPPED_KEYWORDS
from inspectors.extract.pieces import Attachment
from inspectors.keyword_dictionary import MAX_WORDS, KeywordDictionary, text_form, word_forms
from inspectors.keywords import Keywords
from inspectors.message import Table, TextChunk
from proxy.directory import DirectoryFeed
from proxy.pipeline import build_inspectors, inspect_raw, inspector_config
from proxy.settings import load_settings
from quarantine.admin.rule_draft import DraftError, validate
from quarantine.deliveries import DeliveryHistory
from quarantine.directory_store import DirectoryStore
from quarantine.explain import sentences
from quarantine.i18n import code_label
from quarantine.store import Store
from rules import MessageFacts, RuleError, decide, load_rules
from rules.book import RuleBook

from .admin_console import post, unescaped
from .cli import cli

TODAY = datetime.date(2026, 12, 1)
ENV = Envelope(mail_from="saeki.k@narumi-ts.co.jp", rcpt_tos=("ogawa.h@kohoku-logi.co.jp",))
SHIPPED = load_rules().dictionaries


def view(body: str = "", *, subject: str = "", tables: tuple[Table, ...] = ()) -> MessageView:
    texts = (TextChunk(where="body", text=body),) if body else ()
    return MessageView(envelope=ENV, size=len(body), subject=subject, texts=texts, tables=tables)


def found(dictionaries, message: MessageView) -> dict[str, Finding]:
    return {f.code: f for f in Keywords(dictionaries, today=TODAY).inspect(message)}


def shipped(body: str = "", **kw) -> dict[str, Finding]:
    return found(SHIPPED, view(body, **kw))


def local(tmp_path: Path, text: str):
    path = tmp_path / "local.yaml"
    path.write_text(text, encoding="utf-8")
    return load_rules([path])


# --- loading -------------------------------------------------------------------------------


def test_the_shipped_dictionaries_load_with_their_rules():
    ids = {d.id for d in SHIPPED}
    assert {"sensitive_health", "sensitive_disability", "sensitive_criminal", "sensitive_belief"} <= ids
    assert {"sensitive_race", "confidential"} <= ids
    rules = {r.id for r in load_rules().active}
    assert {"sensitive-category-external", "confidential-mark-external"} <= rules


@pytest.mark.parametrize(
    "item, key, says",
    [
        ("{id: Bad-Id, words: [x]}", "dictionaries[0].id", "a-z 0-9"),
        ("{id: a, words: [x], colour: red}", "dictionaries.a.colour", "unknown key"),
        ("{id: a}", "dictionaries.a.words", "needs words or patterns"),
        ("{id: a, words: ['  ']}", "dictionaries.a.words", "empty word"),
        ("{id: a, words: x}", "dictionaries.a.words", "list of text"),
        ("{id: a, words: [1]}", "dictionaries.a.words", "list of text"),
        ("{id: a, patterns: ['(a']}", "dictionaries.a.patterns[0]", "not a valid RE2 pattern"),
        ("{id: a, patterns: [x, '(a)\\1']}", "dictionaries.a.patterns[1]", "not a valid RE2 pattern"),
        ("{id: a, patterns: ['(?<=a)b']}", "dictionaries.a.patterns[0]", "not a valid RE2 pattern"),
        # Each alone: joined as (?:a)|(?:b) these two would make one valid program.
        ("{id: a, patterns: ['a)|(?:b', c]}", "dictionaries.a.patterns[0]", "not a valid RE2 pattern"),
        ("{id: a, patterns: [x, 'y*']}", "dictionaries.a.patterns[1]", "matches the empty text"),
        ("{id: a, patterns: ['(?:)']}", "dictionaries.a.patterns[0]", "matches the empty text"),
        ("{id: a, patterns: ['^']}", "dictionaries.a.patterns[0]", "matches the empty text"),
        ("{id: a, patterns: [x, '\\b']}", "dictionaries.a.patterns[1]", "matches the empty text"),
        ("{id: a, patterns: ['b?']}", "dictionaries.a.patterns[0]", "matches the empty text"),
        ("{id: a, patterns: ['a\\Cb']}", "dictionaries.a.patterns[0]", "one byte"),
        ("{id: a, words: [x, '・']}", "dictionaries.a.words[1]", "a letter or a digit"),
        ('{id: a, words: ["\\u200b"]}', "dictionaries.a.words[0]", "a letter or a digit"),
        ("{id: a, words: [x], near: nearby}", "dictionaries.a.near", "none, person, people_table, mark"),
        ("{id: a, words: [x], window: 30}", "dictionaries.a.window", "only with near: person"),
        ("{id: a, words: [x], near: mark, window: 30}", "dictionaries.a.window", "only with near: person"),
        ("{id: a, words: [x], description: [1]}", "dictionaries.a.description", "at most 500"),
        (f"{{id: a, words: [x], description: {'x' * 501}}}", "dictionaries.a.description", "at most 500"),
        ("{id: a, words: [x], show_words: 'no'}", "dictionaries.a.show_words", "true or false"),
        ("{id: a, words: [x], near: person, window: 0}", "dictionaries.a.window", "from 1 to 1000"),
        ("{id: a, words: [x], near: person, window: 5000}", "dictionaries.a.window", "from 1 to 1000"),
        ("{id: a, words: [x], min_count: true}", "dictionaries.a.min_count", "whole number"),
        ("{id: a, words: [x], enabled: 'no'}", "dictionaries.a.enabled", "true or false"),
        ("{id: a, words: [x], unless: ['']}", "dictionaries.a.unless", "empty word"),
        (f"{{id: a, words: [x, {'x' * 51}]}}", "dictionaries.a.words[1]", "longer than 50"),
        (f"{{id: a, words: [x], unless: [{'x' * 51}]}}", "dictionaries.a.unless[0]", "longer than 50"),
    ],
)
def test_a_bad_dictionary_is_refused_naming_the_file_and_the_key(tmp_path, item, key, says):
    with pytest.raises(RuleError) as err:
        local(tmp_path, f"dictionaries:\n  - {item}\n")
    assert str(tmp_path / "local.yaml") in str(err.value)
    assert f": {key}: " in str(err.value) and says in str(err.value)


def test_a_dictionary_defined_twice_in_one_file_is_refused(tmp_path):
    with pytest.raises(RuleError, match=r"dictionaries\.a\.id: defined twice"):
        local(tmp_path, "dictionaries:\n  - {id: a, words: [x]}\n  - {id: a, words: [y]}\n")


@pytest.mark.timing
def test_a_dictionary_of_a_million_words_is_refused_before_any_automaton_is_built(tmp_path):
    words = "\n".join(f"    - w{i}" for i in range(MAX_WORDS + 1))
    started = time.perf_counter()
    with pytest.raises(RuleError, match=r"dictionaries\.big\.words: 10001 entries; at most 10000"):
        local(tmp_path, f"dictionaries:\n  - id: big\n    words:\n{words}\n")
    assert time.perf_counter() - started < 5


def test_more_words_than_all_dictionaries_may_hold_together_are_refused(tmp_path):
    parts = [f"  - id: d{n}\n    words: [{', '.join(f'w{n}x{i}' for i in range(9_000))}]\n" for n in range(3)]
    with pytest.raises(RuleError, match=r"dictionaries: 27\d\d\d words in all; at most 20000"):
        local(tmp_path, "dictionaries:\n" + "".join(parts))
    long = [
        f"  - id: e{n}\n    words: [{', '.join(f'{i:05d}' + 'ア' * 40 for i in range(2_000))}]\n"
        for n in range(3)
    ]
    with pytest.raises(RuleError, match=r"dictionaries: 27\d{4} characters of words in all; at most 200000"):
        local(tmp_path, "dictionaries:\n" + "".join(long))


@pytest.mark.timing
def test_the_largest_automaton_the_caps_allow_is_built_in_bounded_time():
    # 4,000 words of 50 characters (the caps: 200,000 characters), each in four forms.
    words = tuple(
        "".join(chr(0x30A1 + (i * 7 + j * 13) % 85) for j in range(45)) + f"{i:05d}" for i in range(4_000)
    )
    started = time.perf_counter()
    keywords = Keywords([KeywordDictionary(id="big", words=words)])
    assert time.perf_counter() - started < 5
    assert keywords.matches("本文に" + words[1234] + "とある")


def test_a_local_file_turns_a_shipped_dictionary_off_or_replaces_it(tmp_path):
    ruleset = local(
        tmp_path,
        "dictionaries:\n  - {id: sensitive_race, enabled: false}\n"
        "  - {id: confidential, words: [マル秘]}\n  - {id: project_x, words: [プロジェクトX]}\n",
    )
    by_id = {d.id: d for d in ruleset.dictionaries}
    assert not by_id["sensitive_race"].enabled and by_id["sensitive_race"].words  # the shipped words kept
    assert "sensitive_race" not in {d.id for d in ruleset.active_dictionaries}
    assert by_id["confidential"].words == ("マル秘",) and not by_id["confidential"].patterns
    assert by_id["project_x"].near == "none" and by_id["project_x"].window == 40


def test_the_console_draft_check_takes_dictionaries_and_names_the_key(tmp_path):
    files = ()  # the draft is the console layer, on top of no file
    ok = validate("dictionaries:\n  - {id: project_x, words: [プロジェクトX]}\n", files, {})
    assert "project_x" in {d.id for d in ok.dictionaries}
    with pytest.raises(DraftError) as err:
        validate("dictionaries:\n  - {id: project_x, patterns: ['[']}\n", files, {})
    assert "console: " in str(err.value) and "dictionaries.project_x.patterns" in str(err.value)


# --- matching --------------------------------------------------------------------------------


def test_the_text_keeps_every_position_and_the_words_take_the_forms_a_text_may_spell():
    text = "ＣＯＮＦＩＤＥＮＴＩＡＬ　ケストレル（ｹｽﾄﾚﾙ） Abc"
    assert text_form(text) == "confidential　ケストレル（ｹｽﾄﾚﾙ） abc" and len(text_form(text)) == len(text)
    assert word_forms("ガバナンス(案)") == {
        "ガバナンス(案)",
        "がばなんす(案)",
        "ｶﾞﾊﾞﾅﾝｽ(案)",
        "ガバナンス（案）",
    }
    assert word_forms("Strictly Confidential") == {"strictly confidential", "strictly\u3000confidential"}
    assert word_forms(" \u3000") == set()


def test_words_match_across_width_kana_and_case():
    d = KeywordDictionary(id="kestrel", words=("ケストレル計画", "Project Kestrel", "ガバナンス"))
    for text in (
        "ケストレル計画",
        "けすとれる計画",
        "ｹｽﾄﾚﾙ計画",
        "ＰＲＯＪＥＣＴ　ＫＥＳＴＲＥＬ",
        "project kestrel",
        "ｶﾞﾊﾞﾅﾝｽ",
    ):
        assert found([d], view(f"来週の{text}について")), text


def test_english_words_match_whole_words_only():
    d = KeywordDictionary(id="x", words=("secret",))
    assert found([d], view("a secret plan")) and found([d], view("社内のsecret資料"))
    assert not found([d], view("secretary and secretion"))


def test_a_longer_word_is_counted_once_and_an_exception_shadows_the_words_in_it():
    d = KeywordDictionary(id="x", words=("信仰", "宗教"), unless=("宗教法人",))
    f = found([d], view("信仰の話。宗教法人の見積。宗教の話。"))["keyword.x"]
    assert f.count == 2 and f.evidence == ("信仰 ×1", "宗教 ×1")
    health = shipped("佐伯 健太様の健康診断結果です")["keyword.sensitive_health"]
    assert health.count == 1 and health.evidence == ("健康診断結果 ×1",)  # not 診断結果 too


def test_patterns_run_on_the_text_form_and_their_evidence_is_never_what_they_matched():
    d = KeywordDictionary(id="staff_id", patterns=("emp-\\d{6}",))
    f = found([d], view("社員番号 ＥＭＰ-１２３４５６ と emp-654321"))["keyword.staff_id"]
    assert f.count == 2 and f.evidence == ("(pattern) ×2",)
    assert not any("123456" in e or "654321" in e for e in f.evidence)


def test_min_count_and_places():
    d = KeywordDictionary(id="x", words=("極秘",), min_count=2)
    assert not found([d], view("極秘"))
    f = found([d], view("極秘", subject="極秘"))["keyword.x"]
    assert f.count == 2 and set(f.where) == {"body", "subject"}


# --- proximity -------------------------------------------------------------------------------


def test_near_person_needs_a_name_or_identifier_within_the_window():
    assert "keyword.sensitive_health" in shipped("氏名：北村 翔太\n既往歴：高血圧")
    assert "keyword.sensitive_health" not in shipped("健康診断の既往歴欄は各自が記入してください。")
    far = "氏名：北村 翔太\n" + "。" * 60 + "\n既往歴の欄"
    assert "keyword.sensitive_health" not in shipped(far)
    d = KeywordDictionary(id="h", words=("既往歴",), near="person", window=80)
    assert found([d], view(far))


def test_a_person_in_the_same_row_of_a_table_and_a_column_heading_over_people():
    rows = (
        ("社員番号", "氏名", "総合判定", "既往歴"),
        ("N1021", "佐伯 健太", "要精密検査", "高血圧"),
        ("N1034", "三浦 由美", "異常なし", ""),
        ("N1047", "高森 亮", "要治療", "糖尿病"),
    )
    f = shipped(tables=(Table(where="attachment:健診.xlsx!Sheet1", rows=rows),))["keyword.sensitive_health"]
    # 要精密検査 (B2 row), 要治療 (row 4), 既往歴 over the two people with a value
    assert f.count == 4 and "attachment:健診.xlsx!Sheet1!D1" in f.where
    no_people = (("項目", "説明"), ("既往歴", "過去の病気"), ("服薬", "飲んでいる薬"))
    assert not shipped(tables=(Table(where="attachment:記入例.xlsx!Sheet1", rows=no_people),))


def test_near_people_table_counts_only_in_a_list_of_people():
    d = KeywordDictionary(id="salary", words=("基本給",), near="people_table")
    people = (("氏名", "基本給"), ("佐伯 健太", "300000"), ("三浦 由美", "280000"), ("高森 亮", "310000"))
    assert (
        found([d], view(tables=(Table(where="attachment:a.xlsx!S", rows=people),)))["keyword.salary"].count
        == 1
    )
    grades = (("等級", "基本給"), ("1", "200000"), ("2", "240000"), ("3", "280000"))
    assert not found([d], view(tables=(Table(where="attachment:b.xlsx!S", rows=grades),)))
    assert not found([d], view("基本給の改定について 佐伯 健太様"))  # prose is no table


def test_evidence_holds_the_words_never_the_person_next_to_them():
    f = shipped("氏名：北村 翔太 身体障害者手帳4級")["keyword.sensitive_disability"]
    assert all("北村" not in e and "翔太" not in e for e in (*f.evidence, *f.where))


# --- the shipped dictionaries against ordinary business mail ---------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "担当 高森 亮様、本日のシステム障害対応ありがとうございました。障害報告書を送ります。",
        "佐伯 健太様 倉庫の耐震診断とシステム診断の結果をご報告します。",
        "みなと内科（院長 杉本 隆先生）の診療時間は9時から18時です。",
        "宗教法人 光明寺様（ご住職 安藤 義信様）の空調工事の件",
        "当社の行動信条に基づき、佐伯 健太様を表彰します。",
        "佐伯 健太様の前歴換算による基本給の計算表です。",
        "This e-mail is confidential and intended only for the addressee.",
        "ワレモノにつき取扱注意でお願いします。",
        "工程表は社外秘のためお見せできませんが、総額はご説明できます。",
        "添付の会社案内は社外秘ではありません。",
    ],
)
def test_ordinary_business_words_do_not_fire(body):
    assert shipped(body) == {}


@pytest.mark.parametrize(
    "body, code",
    [
        ("氏名：北村 翔太\n療育手帳 B2", "keyword.sensitive_disability"),
        ("応募者 田中 一郎様には逮捕歴があるとのことです", "keyword.sensitive_criminal"),
        ("山田 花子さんの信仰する宗教について", "keyword.sensitive_belief"),
        ("社外秘\n2027年度 価格改定方針", "keyword.confidential"),
        ("【Confidential】 pricing", "keyword.confidential"),
        ("STRICTLY CONFIDENTIAL\r\nField service review", "keyword.confidential"),
        ("［取扱注意］顧客別原価", "keyword.confidential"),
    ],
)
def test_the_shipped_dictionaries_find_what_they_are_for(body, code):
    assert code in shipped(body)


# --- hostile input ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timing
def test_a_pattern_that_backtracks_exponentially_elsewhere_is_linear_here():
    d = KeywordDictionary(id="x", patterns=("(a+)+$", "(x|xx)+y"))
    started = time.perf_counter()
    found([d], view("a" * 200_000 + "!" + "x" * 200_000))
    assert time.perf_counter() - started < 2


@pytest.mark.timing
@pytest.mark.slow
def test_a_flood_of_sensitive_words_next_to_names_stays_within_the_scan_budget():
    body = "佐伯 健太様 既往歴 要治療。\n" * 110_000  # 1.8 M characters, all scanned for names
    started = time.perf_counter()
    f = shipped(body)["keyword.sensitive_health"]
    assert f.count == 220_000 and len(f.where) == 1 and f.evidence == ("既往歴 ×110000", "要治療 ×110000")
    assert time.perf_counter() - started < 20


def test_past_the_scan_budget_words_count_as_near_and_say_so():
    # Too long to scan whole (2.5 M characters): a window around each word, until the budget of
    # 2 M characters is spent; no one is near the first ones, the rest count unchecked.
    body = ("既往歴" + "x" * 80 + "\n") * 30_000
    f = shipped(body)["keyword.sensitive_health"]
    unchecked = int(next(e for e in f.evidence if e.startswith("unchecked=")).partition("=")[2])
    assert 5_000 < unchecked < 10_000 and f.count == unchecked


def test_a_long_text_is_read_in_windows_around_its_words():
    far = "x" * 2_100_000
    assert "keyword.sensitive_health" not in shipped(far + "既往歴の欄" + far)
    assert "keyword.sensitive_health" in shipped(far + "氏名：北村 翔太 既往歴：なし" + far)


# --- from a rule file to a held message ------------------------------------------------------

GUARD = """organization:
  internal_domains: [narumi-ts.co.jp]
rules: [local.yaml]
"""
LOCAL = """dictionaries:
  - id: project_kestrel
    words: [ケストレル計画]
rules:
  - id: kestrel-external
    when: {all: [{recipients: external}, {code: keyword.project_kestrel}]}
    action: hold
"""


def _mail(body: str, to: str) -> bytes:
    m = EmailMessage(policy=SMTP)
    m["From"], m["To"], m["Subject"] = "saeki.k@narumi-ts.co.jp", to, "ご連絡"
    m.set_content(body)
    return m.as_bytes()


def test_a_dictionary_in_a_local_rules_file_reaches_the_inspectors_and_the_rules(tmp_path):
    (tmp_path / "guard.yaml").write_text(GUARD, encoding="utf-8")
    (tmp_path / "local.yaml").write_text(LOCAL, encoding="utf-8")
    settings = load_settings(tmp_path / "guard.yaml", environ={})
    inspectors = build_inspectors(inspector_config(settings))
    rules = load_rules(settings.rules)
    for body, to, verdict in [
        ("ｹｽﾄﾚﾙ計画の件です", "ogawa.h@kohoku-logi.co.jp", "hold"),
        ("ケストレル計画の件です", "miura.y@narumi-ts.co.jp", "pass"),  # internal
        ("氏名：北村 翔太\n身体障害者手帳 4級", "ogawa.h@kohoku-logi.co.jp", "hold"),
        ("耐震診断の結果です", "ogawa.h@kohoku-logi.co.jp", "pass"),
    ]:
        envelope = Envelope(mail_from="saeki.k@narumi-ts.co.jp", rcpt_tos=(to,))
        findings = inspect_raw(_mail(body, to), envelope, inspectors).findings
        decision = decide(findings, MessageFacts.of(envelope), rules)
        assert decision.verdict == verdict, (body, findings)


def test_an_edited_dictionary_reaches_the_inspection_workers_and_a_broken_edit_does_not(tmp_path):
    (tmp_path / "guard.yaml").write_text(GUARD, encoding="utf-8")
    local_file = tmp_path / "local.yaml"
    local_file.write_text(LOCAL, encoding="utf-8")
    settings = load_settings(tmp_path / "guard.yaml", environ={})

    async def run() -> list:
        store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'guard.db'}")
        try:
            book = RuleBook(settings.rules, {})
            feed = DirectoryFeed(settings, DirectoryStore(store), DeliveryHistory(store.engine), rules=book)
            seen = [{d.id for d in (await feed.config()).dictionaries}]
            feed.applied()
            seen.append(feed._words_changed())
            local_file.write_text(LOCAL.replace("project_kestrel", "project_osprey"), encoding="utf-8")
            os.utime(local_file, ns=(1, 1))  # a new stamp whatever the clock's resolution
            book.reload_if_changed()
            seen.append(feed._words_changed())
            seen.append({d.id for d in (await feed.config()).dictionaries})
            feed.applied()
            local_file.write_text("dictionaries: [{id: Bad}]\n", encoding="utf-8")
            book.reload_if_changed()
            seen.append((feed._words_changed(), book.error is not None))
            return seen
        finally:
            await store.close()

    first, unchanged, edited, after, broken = asyncio.run(run())
    assert "project_kestrel" in first and not unchanged
    assert edited and "project_osprey" in after and "project_kestrel" not in after
    assert broken == (False, True)  # the last good dictionaries stay


def test_the_console_lists_the_dictionaries_and_refuses_a_bad_one_naming_the_key(admin):
    admin.rules_file.write_text(
        "dictionaries:\n  - {id: sensitive_race, enabled: false}\n  - {id: project_x, words: [プロジェクトX]}\n",
        "utf-8",
    )
    admin.rulebook.reload_if_changed()
    page = admin.client.get("/admin/rules").text
    table = page[page.index('id="dictionaries"') :]
    assert "keyword.sensitive_health" in table and "健康診断結果" in table and "±40" in table
    assert "keyword.project_x" in table and "プロジェクトX" in table
    assert "無効" in table[table.index("keyword.sensitive_race") :][:120]
    before = admin.rules_file.read_text()
    for op in ("check", "save"):
        r = post(
            admin, f"/admin/rules/{op}", draft="dictionaries:\n  - {id: project_x, patterns: ['(?<=a)b']}\n"
        )
        assert (
            r.status_code == 422
            and "dictionaries.project_x.patterns[0]: not a valid RE2 pattern" in unescaped(r)
            and "2行目: dictionaries.project_x.patterns[0]: 正規表現（RE2）として正しくありません"
            in html.unescape(re.sub(r"<[^>]+>", "", r.text))
        )
    assert admin.rules_file.read_text() == before


def test_a_rule_naming_a_dictionary_that_does_not_exist_is_refused(tmp_path):
    rule = "rules:\n  - id: typo\n    when: {all: [{recipients: external}, {not: {code: keyword.projet_x}}]}\n    action: hold\n"
    with pytest.raises(RuleError, match=r"rule 'typo': when: no dictionary 'projet_x'"):
        local(tmp_path, rule)
    assert local(tmp_path, rule.replace("keyword.projet_x", "keyword.project_*"))  # a wildcard may match none
    assert local(tmp_path, "dictionaries: [{id: projet_x, words: [x], enabled: false}]\n" + rule)


def test_file_names_are_read_too():
    named = MessageView(
        envelope=ENV,
        size=1,
        attachments=(
            Attachment(
                where="attachment:【社外秘】価格表.xlsx",
                filename="【社外秘】価格表.xlsx",
                content_type="application/octet-stream",
                size=1,
                part="2",
            ),
        ),
    )
    f = found(SHIPPED, named)["keyword.confidential"]
    assert f.where == ("attachment:【社外秘】価格表.xlsx",)


@pytest.mark.process
def test_rules_check_lists_the_dictionaries_and_refuses_a_bad_one(tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text("dictionaries:\n  - {id: sensitive_race, enabled: false}\n", "utf-8")
    bad.write_text("dictionaries:\n  - {id: x, words: [a], near: everywhere}\n", "utf-8")
    out = cli("rules", "check", str(good), text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("keyword.sensitive_race"))
    assert line.split()[1:3] == ["off", "7"]
    assert "and 5 keyword dictionaries" in out.stdout
    out = cli("rules", "check", str(bad), text=True, timeout=60, cwd=tmp_path)
    assert (
        out.returncode == 2 and "dictionaries.x.near: must be one of none, person, people_table" in out.stderr
    )


@pytest.mark.parametrize("code", sorted(SHIPPED_KEYWORDS))
def test_each_shipped_dictionary_has_its_own_label_and_sentence(code):
    f = Finding(code=code, count=2, where=("body", "attachment:a.xlsx!Sheet1!C2"), evidence=("既往歴 ×2",))
    ja, en = sentences(f)
    assert code_label(code, "ja") != code_label("keyword.other", "ja")
    for said in (ja, en):
        assert "keyword" not in said and "_" not in said and "×" not in said, said
    assert "既往歴" in ja and "既往歴" in en


@pytest.mark.timing
def test_a_table_is_one_pass_with_each_cell_a_line_of_its_own():
    rows = (("CONFIDENTIAL", ""), ("社", "外秘"), ("品番", "単価")) + tuple(
        (f"A{i}", str(i)) for i in range(100_000)
    )
    started = time.perf_counter()
    f = shipped(tables=(Table(where="attachment:price.xlsx!Sheet1", rows=rows),))["keyword.confidential"]
    assert time.perf_counter() - started < 3
    assert f.count == 1 and f.where == ("attachment:price.xlsx!Sheet1!A1",)  # 社|外秘 spans two cells


def test_a_match_after_empty_and_ragged_rows_names_its_own_cell():
    rows = (("品番", "単価", "備考"), (), ("A1",), ("", "", "社外秘"))
    f = shipped(tables=(Table(where="attachment:p.xlsx!S", rows=rows),))["keyword.confidential"]
    assert f.where == ("attachment:p.xlsx!S!C4",)


@pytest.mark.timing
@pytest.mark.slow
def test_a_text_of_nothing_but_marks_is_counted_up_to_a_bound():
    body = "極秘\n" * 2_000_000 + "\nconfidential\n" * 300_000
    started = time.perf_counter()
    f = shipped(body)["keyword.confidential"]
    assert time.perf_counter() - started < 20
    # The first 250,000 looked at, the rest counted unread and said so (fail closed).
    rest = 2_300_000 - 250_000
    assert f.count == 2_300_000
    assert f.evidence == (f"(not read) ×{rest}", "極秘 ×250000", f"unchecked={rest}")


@pytest.mark.slow
def test_a_flood_of_one_word_hides_no_other_dictionary():
    body = "極秘\n" * 250_001 + "山田太郎様 既往歴：糖尿病"
    f = shipped(body)
    assert f["keyword.sensitive_health"].count == 1
    assert f["keyword.sensitive_health"].evidence == ("既往歴 ×1",)
    assert "unchecked=1" in f["keyword.confidential"].evidence
