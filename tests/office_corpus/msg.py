"""Office corpus, class `msg` (issue 17): see make.py. Cases are registered with catalogue.case.

Outlook forwards a mail "as an attachment" as a .msg file (an OLE compound file), not as
message/rfc822; what it carries (its body, its own attachments, a .msg inside it) must be read
like a forwarded message. The .msg files are written by tests/msg_file.py.
"""

from __future__ import annotations

import dataclasses

from ..eval_set.cast import KOHOKU, MIURA, SAEKI, SAKURA, SIG_SAEKI, SIG_TAKAMORI, TAKAMORI
from ..eval_set.fabric import OUR, People, attachment, csv_text, message, my_number, xlsx
from ..msg_file import Attached, Msg, msg_bytes
from .catalogue import case

CLS = "msg"
OUTLOOK = "application/vnd.ms-outlook"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _forward(n: int, frm, to, subject: str, body: str, name: str, inner: Msg, cc=()) -> bytes:
    return message(n, frm, to, subject, body, cc=cc, files=[attachment(name, msg_bytes(inner), OUTLOOK)])


def _to_sharoshi(n: int, inner: Msg) -> bytes:
    """An employee's mail forwarded by 経理 to the payroll consultant (社労士)."""
    outer = "社労士事務所の担当者様\n\n社員から届いたメールを転送します。ご確認ください。\n"
    sharoshi = ("いずみ社労士事務所 泉様", "izumi@izumi-sr-office.jp")
    return _forward(n, MIURA, sharoshi, f"FW: {inner.subject}", outer, f"{inner.subject}.msg", inner)


def _inner(subject: str, body: str, frm=SAEKI, to=(KOHOKU,), files: tuple[Attached, ...] = ()) -> Msg:
    return Msg(subject=subject, body=body, sender=frm, to=tuple(to), attachments=files)


@case(
    "msg_p01_visitors.eml",
    "hold",
    CLS,
    "positive",
    "pii.records",
    "来場者リスト（氏名・電話・住所）の xlsx が転送 .msg の中にある",
)
def visitors(n: int) -> bytes:
    rows = [["氏名", "フリガナ", "電話番号", "住所"]] + [
        [p["name"], p["kana"], p["phone"], p["address"]] for p in People(1701).people(14)
    ]
    inner = _inner(
        "展示会来場者リスト",
        "展示会の来場者リストです。社内共有用。",
        frm=MIURA,
        to=(SAEKI,),
        files=(Attached("来場者リスト.xlsx", xlsx({"来場者": rows}), XLSX),),
    )
    body = f"港北ロジスティクス 小川様\n\nお世話になっております。展示会の件、下記のメールを転送いたします。\n\n{SIG_SAEKI}"
    return _forward(n, SAEKI, KOHOKU, "FW: 展示会来場者リスト", body, "展示会来場者リスト.msg", inner)


@case("msg_p02_my_number.eml", "hold", CLS, "positive", "pii.my_number", "転送 .msg の本文に個人番号")
def my_number_body(n: int) -> bytes:
    body = (
        "三浦さん\n\n年末調整の件、扶養家族の個人番号を送ります。\n"
        f"長男 佐伯 悠真　個人番号 {my_number('41852096317')}\n"
        f"長女 佐伯 結衣　個人番号 {my_number('70263158429')}\n"
    )
    return _to_sharoshi(n, _inner("扶養控除申告書の件", body, frm=SAEKI, to=(MIURA,)))


@case(
    "msg_p03_nested_csv.eml",
    "hold",
    CLS,
    "positive",
    "pii.records",
    ".msg の中の .msg に顧客 CSV",
)
def nested_customers(n: int) -> bytes:
    rows = [["顧客名", "電話", "メール", "郵便番号", "住所"]] + [
        [p["name"], p["home"], p["email"], p["zip"], p["address"]] for p in People(1702).people(20)
    ]
    data = csv_text(rows).encode("cp932")
    first = _inner(
        "会員名簿（11月）",
        "今月の会員名簿です。",
        frm=TAKAMORI,
        to=(SAEKI,),
        files=(Attached("会員名簿.csv", data, "text/csv"),),
    )
    second = _inner(
        "FW: 会員名簿（11月）",
        "参考までに転送します。",
        frm=SAEKI,
        to=(MIURA,),
        files=(Attached("会員名簿（11月）", message=first),),
    )
    body = "さくら台フーズ 市川様\n\n先日お話しした件のメールを添付します。\n"
    return _forward(n, MIURA, SAKURA, "FW: FW: 会員名簿", body, "FW 会員名簿.msg", second)


@case(
    "msg_p04_corrupt.eml",
    "hold",
    CLS,
    "positive",
    "attachment.unscannable",
    "途中で切れた .msg は読めないことを名指しで報告",
)
def corrupt(n: int) -> bytes:
    inner = _inner(
        "見積依頼",
        "見積をお願いします。",
        files=(Attached("仕様.xlsx", xlsx({"仕様": [["品目"], ["部品A"]]}), XLSX),),
    )
    cut = msg_bytes(inner)[:2600]
    body = "港北ロジスティクス 小川様\n\n見積依頼のメールを添付します。\n"
    return message(n, SAEKI, KOHOKU, "FW: 見積依頼", body, files=[attachment("見積依頼.msg", cut, OUTLOOK)])


@case(
    "msg_p05_rtf_body.eml",
    "hold",
    CLS,
    "positive",
    "pii.my_number",
    "リッチテキスト形式だけの .msg 本文に個人番号",
)
def rtf_body(n: int) -> bytes:
    number = my_number("58302746195")
    rtf = r"{\rtf1\ansi\ansicpg932\deff0{\fonttbl{\f0 MS Gothic;}}" + (
        rf"\f0 Personal number (My Number): {number}\par Tanaka Jiro\par}}"
    )
    return _to_sharoshi(n, Msg(subject="扶養家族の件", rtf=rtf, sender=SAEKI, to=(MIURA,)))


@case(
    "msg_p06_shift_jis.eml",
    "hold",
    CLS,
    "positive",
    "pii.my_number",
    "古い Outlook の 8 ビット（cp932）.msg の本文に個人番号",
)
def shift_jis(n: int) -> bytes:
    body = f"三浦さん\n\n住民票の写しの件です。\n本人 佐伯 翔　個人番号 {my_number('27094813652')}\n"
    inner = dataclasses.replace(_inner("住民票の件（ｺﾋﾟｰ）", body, frm=SAEKI, to=(MIURA,)), codepage=932)
    return _to_sharoshi(n, inner)


@case(
    "msg_n01_meeting.eml",
    "pass",
    CLS,
    "negative",
    "attachment.unsupported",
    "普通の打合せ案内を .msg で転送（かつては OLE として未対応扱い）",
)
def meeting(n: int) -> bytes:
    body = (
        "港北ロジスティクス 各位\n\n下記の日程で定例会を行います。\n日時: 12月10日(木) 14:00-15:00\n"
        "場所: 弊社 本社 5F 会議室A\n議題: 配送ルート見直しの進捗\n"
    )
    inner = _inner("定例会のご案内（12/10）", body, to=(KOHOKU,))
    inner = dataclasses.replace(inner, html="<p>" + body.replace("\n", "<br>") + "</p>")
    outer = f"小川様\n\n先日お送りした案内を再送します。\n\n{SIG_SAEKI}"
    return _forward(n, SAEKI, KOHOKU, "FW: 定例会のご案内（12/10）", outer, "定例会のご案内.msg", inner)


@case(
    "msg_n02_quote.eml",
    "pass",
    CLS,
    "negative",
    "pii.records",
    "見積書 xlsx を添付した .msg（品目と金額だけ）",
)
def quote(n: int) -> bytes:
    rows = [["品目", "数量", "単価", "金額"]] + [
        [f"保守部品 {c}", "10", "1,200", "12,000"] for c in "ABCDEFGHIJKL"
    ]
    inner = _inner(
        "御見積書送付",
        "御見積書を添付いたします。",
        files=(Attached("御見積書.xlsx", xlsx({"見積": rows}), XLSX),),
    )
    outer = "港北ロジスティクス 小川様\n\n先日の御見積書を再送いたします。\n"
    return _forward(n, SAEKI, KOHOKU, "FW: 御見積書送付", outer, "御見積書送付.msg", inner)


@case(
    "msg_n03_minutes_thread.eml",
    "pass",
    CLS,
    "negative",
    "attachment.unscannable",
    ".msg の中の .msg に議事録（本文のみ）",
)
def minutes(n: int) -> bytes:
    first = _inner(
        "議事録 11/20", "11/20 定例会議事録\n1. 配送ルートの見直し: 継続\n2. 次回: 12/10\n", to=(KOHOKU,)
    )
    second = _inner(
        "FW: 議事録 11/20",
        "前回の議事録です。",
        to=(KOHOKU,),
        files=(Attached("議事録 11/20", message=first),),
    )
    return _forward(
        n, SAEKI, KOHOKU, "FW: FW: 議事録 11/20", "小川様\n\n議事録を転送します。\n", "議事録.msg", second
    )


@case(
    "msg_n04_shift_jis_notice.eml",
    "pass",
    CLS,
    "negative",
    "pii.records",
    "8 ビット（cp932）.msg の普通の出荷連絡を転送",
)
def shift_jis_notice(n: int) -> bytes:
    body = "港北ロジスティクス 御中\n\n12月分の出荷予定をお知らせします。\n12/8 ﾊﾟﾚｯﾄ 4 枚\n12/15 ﾊﾟﾚｯﾄ 6 枚\n"
    inner = dataclasses.replace(_inner("12月 出荷予定", body, to=(KOHOKU,)), codepage=932)
    outer = f"小川様\n\n出荷予定のメールを転送いたします。\n\n{SIG_SAEKI}"
    return _forward(n, SAEKI, KOHOKU, "FW: 12月 出荷予定", outer, "12月 出荷予定.msg", inner)


@case(
    "msg_m01_staff_directory.eml",
    "pass",
    CLS,
    "near_miss",
    "recipients.external",
    "自社社員の内線表を .msg で社内に転送（社外宛てではない）",
)
def staff_directory(n: int) -> bytes:
    staff = People(1703).people(15, domain=OUR)
    rows = [["氏名", "部署", "内線", "メール"]] + [
        [p["name"], "営業部", f"052-261-44{10 + i:02d}", p["email"]] for i, p in enumerate(staff)
    ]
    inner = _inner(
        "内線表（12月版）",
        "12月版の内線表です。",
        frm=MIURA,
        to=(SAEKI,),
        files=(Attached("内線表.xlsx", xlsx({"内線表": rows}), XLSX),),
    )
    return _forward(
        n, SAEKI, TAKAMORI, "FW: 内線表（12月版）", "高森さん\n\n内線表を転送します。\n", "内線表.msg", inner
    )


@case(
    "msg_m02_signature.eml",
    "pass",
    CLS,
    "near_miss",
    "pii.records",
    "署名だけが連絡先の .msg（一覧ではない）",
)
def signature(n: int) -> bytes:
    inner = _inner(
        "訪問日程の件", f"小川様\n\n来週の訪問は火曜 10時でお願いします。\n\n{SIG_TAKAMORI}", frm=TAKAMORI
    )
    outer = f"小川様\n\n高森からの連絡を転送します。\n\n{SIG_SAEKI}"
    return _forward(n, SAEKI, KOHOKU, "FW: 訪問日程の件", outer, "訪問日程の件.msg", inner)


@case(
    "msg_m03_order_numbers.eml",
    "pass",
    CLS,
    "near_miss",
    "pii.my_number",
    ".msg の本文に12桁の注文番号（個人番号ではない）",
)
def order_numbers(n: int) -> bytes:
    body = (
        "小川様\n\n出荷済みの注文番号は以下のとおりです。\n注文番号 2026 1203 0001\n注文番号 2026 1203 0002\n"
    )
    inner = _inner("出荷のご連絡", body)
    return _forward(
        n, SAEKI, KOHOKU, "FW: 出荷のご連絡", "小川様\n\n出荷連絡を再送します。\n", "出荷のご連絡.msg", inner
    )
