"""Office corpus, class `sensitive` (issue 17): see make.py. Cases are registered with catalogue.case.

Sensitive personal data (要配慮個人情報) next to a named person, confidentiality marks, and an
admin's own dictionary (keywords.yaml, listed under `rules:` in guard.yaml); against them the
ordinary mail that shares their words: a system outage (障害), a clinic's hours (診療), an
earthquake-resistance survey (耐震診断), a health-check schedule about no one in particular,
a statement that a document is not confidential, a temple as a client (宗教法人) and the
confidentiality notice under every English mail.
"""

from __future__ import annotations

from ..eval_set.cast import KATAGIRI, KOHOKU, MARUMO, MITSUWA, MIYASHITA, SAEKI, SAKURA, TAKAMORI, TOHO
from ..eval_set.fabric import attachment, docx, hankaku, message, pdf, xlsx
from .catalogue import case

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEALTH, DISABILITY, CONFIDENTIAL = (
    "keyword.sensitive_health",
    "keyword.sensitive_disability",
    "keyword.confidential",
)
BELIEF, PROJECT = "keyword.sensitive_belief", "keyword.project_kestrel"
CRIMINAL = "keyword.sensitive_criminal"


def _case(file: str, kind: str, code: str, why: str):
    """A case of this class: positives are held, the others pass (no other rule fires)."""
    return case(file, "hold" if kind == "positive" else "pass", "sensitive", kind, code, why)


@_case(
    "sensitive_p01_kenshin_results.eml",
    "positive",
    HEALTH,
    "健康診断結果 of named employees, attached to a mail for the printer by mistake",
)
def _p01(n: int) -> bytes:
    sheet = xlsx(
        {
            "2026年度": [
                ["社員番号", "氏名", "所属", "受診日", "総合判定", "所見"],
                ["N1021", "佐伯 健太", "営業部", "2026/10/02", "要精密検査", "心電図異常"],
                ["N1034", "三浦 由美", "経理部", "2026/10/02", "異常なし", ""],
                ["N1047", "高森 亮", "技術部", "2026/10/03", "要再検査", "肝機能"],
                ["N1052", "石田 舞", "総務部", "2026/10/03", "要治療", "高血圧"],
            ]
        }
    )
    body = (
        "大森様\n\nいつもお世話になっております。鳴海テクノの宮下です。\n"
        "社内報の入稿データをお送りいたします。ご確認のほどよろしくお願いいたします。\n\n宮下\n"
    )
    files = [attachment("2026年度_健康診断結果一覧.xlsx", sheet, XLSX)]
    return message(n, MIYASHITA, MITSUWA, "社内報12月号 入稿データ", body, files=files)


@_case(
    "sensitive_p02_techo.eml",
    "positive",
    DISABILITY,
    "a named person's 障害者手帳 and 障害等級 in the body, to a client",
)
def _p02(n: int) -> bytes:
    body = (
        "小川様\n\nお世話になっております。鳴海テクノの佐伯です。\n"
        "来月から御社倉庫の作業に入る弊社スタッフの件、ご配慮いただきたい点をお知らせします。\n\n"
        "氏名：北村 翔太\n"
        "身体障害者手帳 4級（下肢）をお持ちで、重量物の運搬は避けるよう指示されています。\n"
        "障害等級の証明が必要でしたらお申し付けください。\n\n"
    )
    return message(n, SAEKI, KOHOKU, "派遣スタッフの配置について", body + "佐伯\n")


@_case(
    "sensitive_p03_shagaihi_docx.eml",
    "positive",
    CONFIDENTIAL,
    "a document marked 社外秘 (its own first line) attached for a client",
)
def _p03(n: int) -> bytes:
    doc = docx(
        ["社外秘", "2027年度 価格改定方針（案）", "主要取引先ごとの値上げ幅と交渉順を以下に定める。"],
        table=[["区分", "改定幅", "交渉開始"], ["保守契約", "+6%", "1月"], ["部品販売", "+4%", "2月"]],
    )
    body = "川端様\n\nお世話になっております。次回打合せの資料をお送りします。\n\n佐伯\n"
    files = [attachment("価格改定方針.docx", doc, DOCX)]
    return message(n, SAEKI, MARUMO, "打合せ資料の送付", body, files=files)


@_case(
    "sensitive_p04_confidential_pdf.eml",
    "positive",
    CONFIDENTIAL,
    "an English report whose first line is the mark STRICTLY CONFIDENTIAL",
)
def _p04(n: int) -> bytes:
    report = pdf(
        ["STRICTLY CONFIDENTIAL", "Field service cost review FY2026", "Margin by client: see table 3."]
    )
    body = "市川様\n\nお世話になっております。ご依頼の英文資料を添付します。\n\n高森\n"
    files = [attachment("cost_review.pdf", report, "application/pdf")]
    return message(n, TAKAMORI, SAKURA, "資料送付", body, files=files)


@_case(
    "sensitive_p05_admin_dictionary.eml",
    "positive",
    PROJECT,
    "the admin's own dictionary (keywords.yaml): a project name, written in half-width kana",
)
def _p05(n: int) -> bytes:
    body = (
        "今井様\n\nお世話になっております。\n"
        f"先日お話しした{hankaku('ケストレル')}計画の件、社内で承認が下りそうです。\n詳細は来週ご説明します。\n\n佐伯\n"
    )
    return message(n, SAEKI, TOHO, "先日の件", body)


@_case(
    "sensitive_n01_outage.eml",
    "negative",
    DISABILITY,
    "システム障害の対応報告 to the client: 障害 is an outage, not a disability",
)
def _n01(n: int) -> bytes:
    body = (
        "市川様\n\nいつもお世話になっております。鳴海テクノの高森です。\n"
        "11月18日に発生した受発注システムの障害について、対応結果をご報告します。\n\n"
        "・障害内容：夜間バッチの停止による在庫データの未連携\n"
        "・影響範囲：店舗端末での在庫照会（9:10〜10:45）\n"
        "・対応：バッチ再実行、障害検知の監視項目を追加\n\n"
        "・対応者：高森 亮、石田 舞（障害対応チーム）\n詳細報告書は追ってお送りします。\n\n高森\n"
    )
    return message(n, TAKAMORI, SAKURA, "【障害対応報告】受発注システム停止の件", body)


@_case(
    "sensitive_n02_clinic_hours.eml",
    "negative",
    HEALTH,
    "a clinic's opening hours (診療時間) and its doctor's name: no one's diagnosis",
)
def _n02(n: int) -> bytes:
    body = (
        "今井様\n\nお世話になっております。納品先の確認です。\n\n"
        "納品先：みなと内科クリニック（院長 杉本 隆先生）\n"
        "診療時間：月〜金 9:00〜12:00／15:00〜18:30（土曜午前のみ、日祝休診）\n"
        "納品は診療時間外の13時台でお願いいたします。\n\n佐伯\n"
    )
    return message(n, SAEKI, TOHO, "納品先の診療時間について", body)


@_case(
    "sensitive_n03_taishin.eml",
    "negative",
    HEALTH,
    "耐震診断の結果 of a building, to the construction client",
)
def _n03(n: int) -> bytes:
    body = (
        "川端様\n\nお世話になっております。\n"
        "倉庫棟の耐震診断の結果、Is値は0.58で補強が必要との判定でした。\n"
        "診断結果の報告書（担当：構造設計 野村様ご確認済み）を来週お持ちします。\n\n佐伯\n"
    )
    return message(n, SAEKI, MARUMO, "倉庫棟 耐震診断の結果", body)


@_case(
    "sensitive_m01_kenshin_notice.eml",
    "near_miss",
    HEALTH,
    "健康診断のお知らせ to the clinic that runs it: dates and procedure, nobody's results",
)
def _m01(n: int) -> bytes:
    body = (
        "今井様\n\nいつもお世話になっております。鳴海テクノサービス人事部の宮下でございます。\n"
        "本年度の定期健康診断の実施につきまして、下記のとおりご相談申し上げます。\n\n"
        "・対象：全社員 約120名（本社・東京支社）\n"
        "・日程：2027年1月19日（火）〜21日（木）\n"
        "・健康診断結果は従来どおり個人宛に封書でお送りください。\n"
        "・既往歴などの問診票は当日各自が持参します。\n\n"
        "ご確認のほどよろしくお願いいたします。\n\n宮下\n"
    )
    return message(n, MIYASHITA, TOHO, "2027年1月 定期健康診断の実施について", body)


@_case(
    "sensitive_m02_not_confidential.eml",
    "near_miss",
    CONFIDENTIAL,
    "「社外秘ではありません」: a brochure said not to be confidential, and a table withheld because it is",
)
def _m02(n: int) -> bytes:
    body = (
        "片桐様\n\nお世話になっております。\n"
        "添付の会社案内は社外秘ではありませんので、オーナー様へ転送いただいて構いません。\n"
        "なお、保守単価の内訳は社外秘のためお渡しできませんが、総額はご説明できます。\n\n佐伯\n"
    )
    files = [
        attachment(
            "会社案内.pdf",
            pdf(["鳴海テクノサービス株式会社 会社案内", "設備保守・更新工事"]),
            "application/pdf",
        )
    ]
    return message(n, SAEKI, KATAGIRI, "会社案内の送付", body, files=files)


@_case(
    "sensitive_m03_temple.eml",
    "near_miss",
    BELIEF,
    "a temple (宗教法人) as a customer, its priest by name: a legal form, not anyone's faith",
)
def _m03(n: int) -> bytes:
    body = (
        "小川様\n\nお世話になっております。\n"
        "宗教法人 光明寺様（ご住職 安藤 義信様）の倉庫空調の件、搬入経路のご相談です。\n"
        "本堂裏の通路からの搬入で問題ないか、現地確認にご同行いただけますでしょうか。\n\n佐伯\n"
    )
    return message(n, SAEKI, KOHOKU, "光明寺様 空調搬入の件", body)


@_case(
    "sensitive_m04_disclaimer.eml",
    "near_miss",
    CONFIDENTIAL,
    "the confidentiality notice every English mail carries: a sentence, not a document's mark",
)
def _m04(n: int) -> bytes:
    body = (
        "Dear Mr. Ichikawa,\n\nThank you for your order. The delivery is scheduled for 12 December.\n\n"
        "Best regards,\nRyo Takamori\n\n"
        "CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and intended only\n"
        "for the addressee. If you are not the intended recipient, please delete it.\n"
    )
    return message(n, TAKAMORI, SAKURA, "Delivery schedule", body)


def _docx_with_header(header: str, paragraphs: list[str]) -> bytes:
    """A docx whose page header carries the mark, as a template's header does."""
    import io
    from datetime import datetime

    from docx import Document

    from ..eval_set.fabric import repack

    doc = Document()
    doc.sections[0].header.paragraphs[0].text = header
    for p in paragraphs:
        doc.add_paragraph(p)
    doc.core_properties.created = doc.core_properties.modified = datetime(2026, 11, 20, 10, 0, 0)
    buf = io.BytesIO()
    doc.save(buf)
    return repack(buf.getvalue())


@_case(
    "sensitive_p06_named_in_sentence.eml",
    "positive",
    HEALTH,
    "a named person's 既往歴 inside a sentence, under a greeting to the client",
)
def _p06(n: int) -> bytes:
    body = (
        "小川様\n\nお世話になっております。\n"
        "来週から伺う北村翔太様の既往歴：糖尿病のため、昼食の時間を固定させてください。\n\n佐伯\n"
    )
    return message(n, SAEKI, KOHOKU, "作業スタッフの件", body)


@_case(
    "sensitive_p07_header_mark.eml",
    "positive",
    CONFIDENTIAL,
    "a docx whose page header says 社外秘 (the body never says it)",
)
def _p07(n: int) -> bytes:
    doc = _docx_with_header("社外秘", ["保守単価表（2027年度）", "保守契約の単価を以下のとおり改定する。"])
    body = "川端様\n\nお世話になっております。ご依頼の資料をお送りします。\n\n佐伯\n"
    files = [attachment("保守単価表.docx", doc, DOCX)]
    return message(n, SAEKI, MARUMO, "資料送付", body, files=files)


@_case(
    "sensitive_p08_subject_mark.eml",
    "positive",
    CONFIDENTIAL,
    "【社外秘】 opening the subject: the mail itself is marked",
)
def _p08(n: int) -> bytes:
    body = "市川様\n\nお世話になっております。改定後の価格表をお送りします。\n\n高森\n"
    return message(n, TAKAMORI, SAKURA, "【社外秘】2027年度 価格改定のお知らせ", body)


@_case(
    "sensitive_m05_japanese_disclaimer.eml",
    "near_miss",
    CONFIDENTIAL,
    "社外秘 in the signature's disclaimer sentence (本メールには社外秘の情報が含まれる場合があります)",
)
def _m05(n: int) -> bytes:
    body = (
        "小川様\n\nいつもお世話になっております。見積書の件、来週お送りします。\n\n"
        "--\n鳴海テクノサービス株式会社 佐伯 健太\n"
        "※本メールには社外秘の情報が含まれる場合があります。誤送信の場合は削除してください。\n"
    )
    return message(n, SAEKI, KOHOKU, "お見積りの件", body)


@_case(
    "sensitive_m06_english_signature_mark.eml",
    "near_miss",
    CONFIDENTIAL,
    "CONFIDENTIAL alone on a line heading the disclaimer under an English signature",
)
def _m06(n: int) -> bytes:
    body = (
        "Dear Mr. Ogawa,\n\nThe quotation will follow next week.\n\nBest regards,\nKenta Saeki\n\n"
        "CONFIDENTIAL\nThis e-mail and any attachments are intended only for the addressee.\n"
    )
    return message(n, SAEKI, KOHOKU, "Quotation", body)


@_case(
    "sensitive_m07_kenshin_to_clinic.eml",
    "near_miss",
    HEALTH,
    "健康診断結果の提出期限 to a clinic under 「今井様」: the addressee is not a data subject",
)
def _m07(n: int) -> bytes:
    body = (
        "今井様\n\n健康診断結果の提出は12月10日までにお願いします（健診機関様へのご連絡です）。\n"
        "健診結果は総務部宛にお送りください。\n\n宮下\n"
    )
    return message(n, MIYASHITA, TOHO, "定期健康診断の件", body)


@_case(
    "sensitive_m08_nda_clause.eml",
    "near_miss",
    CONFIDENTIAL,
    "an NDA clause defining marks in quotation brackets 「社外秘」「Confidential」",
)
def _m08(n: int) -> bytes:
    body = (
        "片桐様\n\nお世話になっております。秘密保持契約の条文案です。\n\n"
        "第2条（秘密情報）本契約において秘密情報とは、開示者が書面により「社外秘」「Confidential」"
        "等の表示を付して受領者に開示した技術上又は営業上の情報をいう。\n\n佐伯\n"
    )
    return message(n, SAEKI, KATAGIRI, "秘密保持契約 条文案", body)


@_case(
    "sensitive_m09_business_prose.eml",
    "near_miss",
    CRIMINAL,
    "起訴状の翻訳, 服薬指導システム, 宗教・政治の話題: business prose to 小川様, about no one",
)
def _m09(n: int) -> bytes:
    body = (
        "小川様、いつもお世話になっております。\n"
        "起訴状の翻訳を承る提携先をご紹介します。服薬指導システムのご提案資料も同封します。\n"
        "懇親会では宗教・政治の話題は避けましょう。\n\n佐伯\n"
    )
    return message(n, SAEKI, KOHOKU, "ご紹介とご提案", body)


@_case(
    "sensitive_m10_gokuhi_in_sentence.eml",
    "near_miss",
    CONFIDENTIAL,
    "極秘 inside a sentence (極秘プロジェクトとして進めております): prose, not a mark",
)
def _m10(n: int) -> bytes:
    body = (
        "小川様\n\n新製品は極秘プロジェクトとして進めております。発表まではご内密にお願いします。\n\n佐伯\n"
    )
    return message(n, SAEKI, KOHOKU, "新製品の件", body)
