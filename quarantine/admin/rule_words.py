"""The rules page's words: actions and modes as an office names them, and the loader's error
messages (English, for the CLI and the logs) said again in Japanese for the console.

The loader's messages are a closed set of sentences (rules/loader.py, rules/dictionaries.py);
each pattern here rewrites one. A sentence no pattern knows is shown as 「この値は使えません」
with the original in the technical details, never as English on a Japanese page.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from rules.diagnose import Problem

from ..i18n import code_label

__all__ = ["ACTIONS", "MODES", "NEAR", "VERDICTS", "WHERE", "code_label", "detail_ja", "problem_html", "word"]

# action -> (ja, en, what it does in ja, in en)
ACTIONS: dict[str, tuple[str, str, str, str]] = {
    "pass": ("通過", "Pass", "そのまま送信します", "sends the message as it is"),
    "tag": ("タグ付け", "Tag", "送信し、記録だけ残します", "sends it and records the match"),
    "delay": (
        "遅延送信",
        "Delay",
        "指定の時間待ってから送信します（その間は取り消せます）",
        "sends it after a delay, during which the sender can cancel",
    ),
    "hold": ("保留", "Hold", "送信者が確認するまで止めます", "holds it until the sender reviews it"),
    "hold_for_approval": (
        "上長承認",
        "Hold for approval",
        "上長が承認するまで止めます",
        "holds it until an approver approves it",
    ),
    "reject": ("拒否", "Reject", "送信しません（送信者に返します）", "refuses it; the sender gets it back"),
    "bcc_convert": (
        "Bccに変換",
        "Move to Bcc",
        "社外の宛先を Bcc に移して送信します",
        "moves visible external recipients to Bcc",
    ),
    "link_attachments": (
        "添付ファイルをダウンロードリンクにして送る",
        "Send attachments as download links",
        "社外の宛先には添付ファイルの代わりにリンクを送ります",
        "external recipients get links instead of the attachments",
    ),
}
MODES: dict[str, tuple[str, str, str, str]] = {
    "enforce": ("適用", "Enforce", "一致したメールに動作を行います", "acts on the messages it matches"),
    "monitor": ("監視のみ", "Monitor", "記録だけで、メールは止めません", "records matches, does not act"),
}
VERDICTS = {"pass": ("送信", "Pass"), "hold": ("保留", "Hold"), "reject": ("拒否", "Reject")}
WHERE = {
    "body": ("本文", "body"),
    "attachment": ("添付ファイル", "attachment"),
    "subject": ("件名", "subject"),
    "envelope": ("宛先", "recipients"),
    "header": ("ヘッダー", "header"),
    "message": ("メール全体", "message"),
}

NEAR = {
    "none": ("条件なし", "anywhere"),
    "person": ("人名の近く", "near a person's name"),
    "people_table": ("名簿の中", "in a table of people"),
    "mark": ("表示の近く", "near a marking"),
}


def where_kinds(places: list[str]) -> list[str]:
    """ "body!line 3", "attachment:a.xlsx!Sheet1" -> ["body", "attachment"]: the kinds, in
    words on the page; the places themselves are the hold page's (hold_view.where_text)."""
    kinds = (re.match(r"[a-z]*", p).group(0) for p in places)  # type: ignore[union-attr]
    return list(dict.fromkeys(k for k in kinds if k))


def word(table: dict, key: str, lang: str, part: int = 0) -> str:
    """table[key]'s word (part 0) or description (part 2) in `lang`; the key when unknown."""
    entry = table.get(str(key))
    return entry[part + (lang != "ja")] if entry else str(key)


_VALUE = r"(.+?)"
# (the loader's sentence, its Japanese): {1}, {2} are the sentence's groups
_JA: list[tuple[str, str]] = [
    (rf"^must be one of (.+); got {_VALUE}$", "{2} は使えません（{1} のいずれか）"),
    (r"^unknown key$", "このキーは使えません"),
    (r"^is required for action delay.*$", "動作が遅延送信（`delay`）のときは必須です（例: `10m`）"),
    (r"^is required$", "必須です"),
    (r"^only goes with action delay$", "動作が遅延送信（`delay`）のときだけ指定できます"),
    (
        r"^only goes with action link_attachments$",
        "動作が添付ファイルのダウンロードリンク化（`link_attachments`）のときだけ指定できます",
    ),
    (
        rf"^expected a duration from 1h to 31d; got {_VALUE}$",
        "{1} は使えません（`1h` から `31d` までの時間）",
    ),
    (
        rf"^expected a duration such as .*; got {_VALUE}$",
        "{1} は時間として読めません（例: `30s`, `10m`, `2h`, `1d`）",
    ),
    (rf"^must be kebab-case text, got {_VALUE}$", "{1} は使えません（英小文字・数字をハイフンでつないだID）"),
    (
        rf"^must be 1-64 of a-z 0-9 _ -; got {_VALUE}$",
        "{1} は使えません（英小文字・数字・_ と - の64文字まで）",
    ),
    (r"^defined twice in this file$", "このファイルで2回定義されています"),
    (rf"^unknown finding code {_VALUE}$", "{1} という検出コードはありません"),
    (rf"^must be true or false; got {_VALUE}$", "`true` か `false` で指定してください（{1} は使えません）"),
    (
        r"^must be text or a mapping with 'ja' and 'en'$",
        "文字列か、`ja` と `en` を持つマッピングで書いてください",
    ),
    (r"^a condition must be a mapping$", "条件はマッピングで書いてください"),
    (r"^must be the only key, with a non-empty list$", "このキーだけを、空でないリストで書いてください"),
    (r"^must be the only key$", "このキーだけを書いてください"),
    (
        r"^expected 'recipients: external'.*$",
        "`recipients: external`（`min_count` / `max_count` は任意）と書いてください",
    ),
    (rf"^must be a whole number ≥ 0; got {_VALUE}$", "{1} は使えません（0以上の整数）"),
    (rf"^must map .* to whole numbers; got {_VALUE}$", "{1} は使えません（集計名と整数の組）"),
    (
        r"^must be a mapping with senders and/or recipients$",
        "`senders` と `recipients` のマッピングで書いてください",
    ),
    (
        r"^must be a list of addresses, @domains or group:NAME$",
        "アドレス・`@ドメイン`・`group:グループ名` のリストで書いてください",
    ),
    (
        rf"^unknown group {_VALUE} \(.*\)$",
        "{1} というグループはありません（`organization.groups` に定義してください）",
    ),
    (
        rf"^{_VALUE} is not an address, @domain or group:NAME$",
        "{1} はアドレス・`@ドメイン`・`group:グループ名` のどれでもありません",
    ),
    (
        r"^not valid YAML: aliases \(\*(.*?)\) are not allowed.*$",
        "別名（`*{1}`）は使えません。値をそのまま書いてください",
    ),
    (r"^not valid YAML: (.*)$", "YAML として読めません"),
    (
        r"^expected a mapping with the keys 'rules' and 'dictionaries'$",
        "`rules` と `dictionaries` だけを持つマッピングで書いてください",
    ),
    (r"^must be a list$", "リストで書いてください"),
    (r"^each rule must be a mapping$", "ルールはマッピングで書いてください"),
    (r"^each dictionary must be a mapping$", "辞書はマッピングで書いてください"),
    (rf"^no dictionary {_VALUE} \(.*\)$", "{1} という辞書はありません（`dictionaries:` に定義してください）"),
    (r"^larger than (\d+) KiB$", "大きすぎます（{1} `KiB` まで）"),
    (r"^a dictionary needs words or patterns$", "`words` か `patterns` が必要です"),
    (r"^an empty word would match everywhere$", "空の語はどこにでも一致してしまいます"),
    (r"^a word needs a letter or a digit$", "語には文字か数字が必要です"),
    (r"^not a valid RE2 pattern: .*$", "正規表現（`RE2`）として正しくありません"),
    (
        r"^matches the empty text, so it would match everywhere$",
        "空の文字列に一致するため、どこにでも一致してしまいます",
    ),
    (r"^longer than (\d+) characters$", "長すぎます（{1} 文字まで）"),
    (r"^(\d+) entries; at most (\d+)$", "{1} 件あります（{2} 件まで）"),
    (rf"^must be a whole number from (\d+) to (\d+); got {_VALUE}$", "{3} は使えません（{1}〜{2} の整数）"),
    (r"^must be text of at most (\d+) characters$", "{1} 文字までの文字列で書いてください"),
    # add_bcc (supervisor Bcc, issue 19)
    (
        r"^must be a list of internal addresses and/or approvers$",
        "社内のアドレスか `approvers` のリストで書いてください",
    ),
    (
        rf"^only goes with an action that delivers \((.*)\); got {_VALUE}$",
        "動作 {2} では送信されないため指定できません（{1} のいずれかで使えます）",
    ),
    (
        r"^approvers: no group has approvers .*$",
        "承認者のいるグループがありません（`organization.groups` の `approvers` に定義してください）",
    ),
    (rf"^{_VALUE} is not an address or approvers$", "{1} はアドレスでも `approvers` でもありません"),
    # approvers from the org chart (issue 21)
    (
        r"^must be a list of addresses, manager or manager_of_manager$",
        "アドレス・`manager`・`manager_of_manager` のリストで書いてください",
    ),
    (r"^only goes with action hold_for_approval$", "動作 `hold_for_approval` でだけ指定できます"),
    (
        rf"^{_VALUE} is not (?:one plain address \(.*\)|an address), manager or manager_of_manager$",
        "{1} は1件ずつのアドレス（ASCII）・`manager`・`manager_of_manager` のどれでもありません",
    ),
    (
        r"^(manager|manager_of_manager): needs a directory: section .*$",
        "{1} を使うには組織のディレクトリ（`directory:`）の設定が必要です",
    ),
    (
        rf"^{_VALUE} is not internal \(.*\)$",
        "{1} は社内のアドレスではありません（社外への Bcc は情報漏えいになります）",
    ),
]
_PATTERNS = [(re.compile(p, re.S), ja) for p, ja in _JA]


_UNKNOWN = "この値は使えません（詳しくは技術的な詳細を見てください）"


def detail_ja(detail: str, html: bool = False) -> str:
    """The loader's sentence in Japanese; with `html`, markup whose file notation (the values,
    the keys) is in <code>, as a Japanese page shows notation."""
    for pattern, ja in _PATTERNS:
        m = pattern.match(detail)
        if m:
            values = [_code(v, html) for v in m.groups()]
            parts = ja.split("`")
            text = "".join(
                _code(p, html) if n % 2 else str(escape(p)) if html else p for n, p in enumerate(parts)
            )
            return Markup(text.format("", *values)) if html else text.format("", *values)
    return _UNKNOWN


def _code(text: str, html: bool) -> str:
    if not html:
        return text
    return str(Markup("<code>{}</code>").format(text))


def problem_text(problem: Problem, lang: str) -> str:
    """「12行目: rules[3].action: 'hld' は使えません（…）」, or its English."""
    if lang != "ja":
        at = f"line {problem.line}: " if problem.line else f"{problem.source}: "
        return f"{at}{problem.path + ': ' if problem.path else ''}{problem.detail}"
    at = f"{problem.line}行目: " if problem.line else f"{problem.source}: "
    return f"{at}{problem.path + ': ' if problem.path else ''}{detail_ja(problem.detail)}"


def problem_html(problem: Problem, lang: str) -> Markup:
    """problem_text as the page shows it: the file's notation (path, values) in <code>."""
    if lang != "ja":
        return Markup("{}").format(problem_text(problem, lang))
    at = (
        Markup("{}行目: ").format(problem.line)
        if problem.line
        else Markup("<code>{}</code>: ").format(problem.source)
    )
    path = Markup("<code>{}</code>: ").format(problem.path) if problem.path else ""
    return at + path + Markup(detail_ja(problem.detail, html=True))
