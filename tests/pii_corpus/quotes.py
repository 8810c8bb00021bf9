"""Issue 14, class 4: one table, one set of findings, wherever it stands.

A list of people quoted in a reply ("> " before every tab-separated row, once or twice) or in an
HTML <blockquote> must yield the same codes and counts as the same table unquoted: the people
(pii.records) and their phones, addresses and names. Hard negatives: a quoted list of branches.
"""

from __future__ import annotations

from collections import Counter
from html import escape

from fakes import Fake
from mails import People, Spec
from premises import offices
from recipes import COLUMN_SETS, person_row

COLUMNS = [c for c in COLUMN_SETS if "マイナンバー" not in c and "カード番号" not in c]


PEOPLE = ("下記の名簿の件、承知いたしました。当日の受付で使用します。", "参加者の名簿を送ります。")
PLACES = ("拠点一覧ありがとうございます。配送先マスタに登録いたしました。", "弊社の拠点一覧を送ります。")


def _reply(p: People, quoted: str, head: str, words: tuple[str, str]) -> str:
    return p.greeting() + f"\n{words[0]}\n\nよろしくお願いいたします。\n\n" + p.signature() + head + quoted


def _plain_quote(f: Fake, p: People, rows: list[list[str]], words: tuple[str, str] = PEOPLE) -> str:
    marker = f.r.choice(["> ", "> ", ">", "> > "])
    head = f.r.choice(
        [
            f"\nOn 2024/03/29 17:00, {p.to_email} wrote:\n",
            f"\n-----Original Message-----\nFrom: {p.to_surname} <{p.to_email}>\nSubject: 資料送付\n\n",
            f"\n---------- Forwarded message ---------\nFrom: <{p.to_email}>\nDate: 2024年3月29日(金) 17:00\n\n",
        ]
    )
    intro = [f"{p.company}", f"{p.surname}様", "", words[1], ""]
    return _reply(
        p, "".join(f"{marker}{line}\n" for line in intro + ["\t".join(r) for r in rows]), head, words
    )


def _html_quote(p: People, rows: list[list[str]], words: tuple[str, str] = PEOPLE) -> str:
    table = (
        "<table border=1>"
        + "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
        + "</table>"
    )
    reply = "".join(f"<div>{escape(line) or '<br>'}</div>" for line in _reply(p, "", "", words).splitlines())
    # As Gmail writes a reply: the attribution and the quote in a gmail_quote block.
    return (
        f'<html><body>{reply}<br><div class="gmail_quote"><div class="gmail_attr">2024年3月29日(金) 17:00 '
        f'{escape(p.to_email)}:<br></div><blockquote class="gmail_quote" style="margin:0 0 0 .8ex;'
        f'border-left:1px #ccc solid;padding-left:1ex"><div>{escape(words[1])}</div>{table}</blockquote></div>'
        f"</body></html>\n"
    )


def positive(f: Fake, n: int) -> Spec:
    p = People(f)
    columns = COLUMNS[n // 2 % len(COLUMNS)]
    size = f.r.randint(10, 25) if n % 5 else f.r.randint(3, 6)
    values: dict = {}
    rows = [list(columns)] + [person_row(f, columns, Counter(), values) for _ in range(size)]
    html = n % 2 == 1
    body = _html_quote(p, rows) if html else _plain_quote(f, p, rows)
    spec = Spec(
        "positive",
        "quoted_html" if html else "quoted_plain",
        "Re: 参加者名簿",
        body,
        html=html,
        note=f"quoted:{'/'.join(columns)}",
        group="quoted",
        records=size,
        tally={"third_parties": size},
        prose_names=1,
        **p.header(),
    )
    spec.expect = Counter({k: len(v) for k, v in values.items()})
    return spec


def hard_negative(f: Fake, n: int) -> Spec:
    p = People(f)
    rows, title, _ = offices(f, p, f.r.randint(10, 14), False)
    html = n % 2 == 1
    body = _html_quote(p, rows, PLACES) if html else _plain_quote(f, p, rows, PLACES)
    return Spec(
        "hard_negative",
        "quoted_html" if html else "quoted_plain",
        f"Re: {title}",
        body,
        html=html,
        note="quoted:places",
        group="quoted",
        places=len(rows) - 1,
        hold=False,
        prose_names=1,
        **p.header(),
    )
