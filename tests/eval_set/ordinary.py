"""Ordinary business mail of 鳴海テクノサービス that must pass: quotes, invoices, minutes,
threads, lists of premises, data going back to its owner, numbers that only look like identifiers."""

from __future__ import annotations

from .cast import (
    ISHIDA,
    KATAGIRI,
    KATAGIRI_BUILDINGS,
    KOHOKU,
    KOHOKU2,
    KOHOKU_BRANCHES,
    MARUMO,
    MITSUWA,
    MIURA,
    MIYASHITA,
    OUR_OFFICES,
    SAEKI,
    SAKURA,
    SAKURA_SHOPS,
    SIG_KOHOKU,
    SIG_MIURA,
    SIG_SAEKI,
    SIG_TAKAMORI,
    TAKAMORI,
    TOHO,
    people_rows,
)
from .catalogue import case
from .fabric import (
    OUR,
    People,
    attachment,
    csv_text,
    docx,
    hankaku,
    licence,
    message,
    my_number,
    pdf,
    resident_code,
    xlsx,
    zip_of,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@case(
    "p01_quote_body.eml",
    "pass",
    "quote",
    "Quote in the body with our signature (our address, main and direct lines, mobile).",
)
def _(n):
    body = f"""株式会社港北ロジスティクス
管理本部 総務課 小川様

いつも大変お世話になっております。鳴海テクノサービスの佐伯です。
先日ご相談いただいた新横浜本社ビルの空調保守について、概算のお見積りをお送りします。

　・定期点検（年4回）　　　　　　　　　　　 480,000円
　・フィルター交換（年2回・部材込み）　　　 126,000円
　・緊急出動（1回あたり、平日日中）　　　　  28,000円
　　　　　　　　　　　　　　小計　　　　　 634,000円（税別）

見積有効期限は2026年12月25日です。正式な見積書は社内決裁後にPDFでお送りします。
ご不明な点がございましたらお気軽にお問い合わせください。

{SIG_SAEKI}"""
    return message(n, SAEKI, KOHOKU, "【お見積り】新横浜本社ビル 空調保守（概算）", body)


@case(
    "p02_invoice_pdf_own_bank.eml",
    "pass",
    "invoice",
    "Invoice PDF with OUR bank account as the place to pay: every invoice carries it.",
)
def _(n):
    lines = [
        "請求書",
        "株式会社さくら台フーズ 御中",
        "請求番号 NTS-2026-11-0342　発行日 2026年11月30日",
        "件名 店舗POSネットワーク保守（11月分）",
        "品目　　数量　単価　金額",
        "POS保守 基本料金　1式　180,000　180,000",
        "ネットワーク機器監視　15店舗　4,000　60,000",
        "小計 240,000円　消費税(10%) 24,000円　合計 264,000円",
        "お振込先：三菱UFJ銀行 名古屋営業部（店番 150） 普通預金 口座番号 1234567",
        "口座名義：ナルミテクノサービス（カ",
        "お支払期限：2026年12月31日",
        "鳴海テクノサービス株式会社 〒460-0008 名古屋市中区栄3-15-20 TEL 052-261-4410",
        "登録番号 T4180001099287",
    ]
    body = f"""株式会社さくら台フーズ
経理部 御中

いつもお世話になっております。鳴海テクノサービス経理部の三浦でございます。
11月分のご請求書をお送りいたします。ご査収のほどよろしくお願い申し上げます。

{SIG_MIURA}"""
    return message(
        n,
        MIURA,
        ("さくら台フーズ 経理部", "keiri@sakuradai-foods.jp"),
        "11月分ご請求書送付の件（鳴海テクノサービス）",
        body,
        files=[attachment("請求書_NTS-2026-11-0342.pdf", pdf(lines), "application/pdf")],
    )


@case(
    "p03_minutes_iso2022jp.eml",
    "pass",
    "meeting-notes",
    "Meeting minutes (ISO-2022-JP) with attendees of both companies, times and room numbers.",
)
def _(n):
    body = (
        """丸茂建設株式会社
工務部 川端様

お世話になっております。鳴海テクノサービスの高森です。
本日の定例会の議事録を送付いたします。内容に相違がございましたらご指摘ください。

■日時　2026年11月12日（木）14:00〜15:30
■場所　丸茂建設様 本社 3階 第2会議室（302号室）
■出席者（敬称略）
　丸茂建設：川端（工務部）、水野（設備課）、堀（安全衛生）
　鳴海テクノサービス：高森、佐伯、石田

■議事
1. 瑞穂区新築現場 受変電設備の搬入日程
　- 12/3（木）8:30 搬入開始、10:00までに荷下ろし完了予定
　- 搬入経路は北側ゲート（No.2）を使用。誘導員2名を手配
2. 仮設電源の切替
　- 12/10 22:00〜翌5:00 の夜間作業。停電範囲は現場事務所・詰所のみ
3. 次回定例　11/26（木）14:00〜 同会議室

■宿題
　・鳴海：切替手順書 v2 を11/19までに提出（高森）
　・丸茂：夜間作業届の提出（水野様）

以上
"""
        + SIG_TAKAMORI
    )
    return message(
        n,
        TAKAMORI,
        MARUMO,
        "【議事録】瑞穂区新築現場 定例会（11/12）",
        body,
        cc=[SAEKI, ("丸茂建設 水野様", "mizuno@marumo-kensetsu.co.jp")],
        charset="iso-2022-jp",
    )


@case(
    "p04_thread_quoted_signatures.eml",
    "pass",
    "thread",
    "Three-level reply thread (ISO-2022-JP) quoting both sides' signatures.",
)
def _(n):
    body = f"""小川様

ご確認ありがとうございます。
それでは12月8日（月）10:00に新横浜本社1階受付へお伺いします。
当日は技術部の高森と2名で参ります。

{SIG_SAEKI}
-----Original Message-----
From: 小川 浩史 <ogawa.h@kohoku-logi.co.jp>
Sent: Tuesday, November 24, 2026 6:12 PM
To: 佐伯 健太 <saeki.k@{OUR}>
Subject: RE: 空調保守 現地調査の日程

佐伯様

お世話になっております。港北ロジスティクスの小川です。
12/8の午前でお願いできますでしょうか。
駐車場は来客用のB区画（No.14〜16）をお使いください。

{SIG_KOHOKU}
> 小川様
>
> お世話になっております。鳴海テクノサービスの佐伯です。
> 現地調査の日程ですが、12/4（金）午後、12/8（月）午前、12/9（火）終日
> のいずれかでご都合いかがでしょうか。
>
> --
> 鳴海テクノサービス株式会社
> 営業部 第二営業課　佐伯 健太
> TEL: 052-261-4410（代表）／ 052-261-4423（直通）
> 携帯: 080-4417-2093
"""
    return message(
        n,
        SAEKI,
        KOHOKU,
        "RE: RE: 空調保守 現地調査の日程",
        body,
        charset="iso-2022-jp",
        reply_to_id="<kohoku.20261124.1812@kohoku-logi.co.jp>",
    )


@case(
    "p05_forwarded_schedule_table.eml",
    "pass",
    "quoted-table",
    "Forwarded tab table of maintenance visits: dates, times, buildings, rooms, no people.",
)
def _(n):
    rows = [
        ("12/01(火)", "09:00-12:00", "片桐第一ビル", "B1 電気室", "受変電設備 年次点検"),
        ("12/01(火)", "13:30-17:00", "片桐第二ビル", "屋上", "冷却塔 清掃"),
        ("12/03(木)", "09:00-11:00", "錦セントラルビル", "7F 機械室", "空調機 フィルター交換"),
        ("12/04(金)", "22:00-05:00", "伏見KTビル", "全館", "停電作業（非常用発電機切替）"),
        ("12/07(月)", "10:00-12:00", "名駅南片桐ビル", "9F 901", "照明LED化 現調"),
        ("12/08(火)", "09:00-15:00", "金山KTスクエア", "B2 ポンプ室", "給水ポンプ オーバーホール"),
        ("12/10(木)", "13:00-16:00", "今池ビル", "1F 店舗区画", "分電盤 増設"),
        ("12/11(金)", "09:00-10:30", "大須片桐ビル", "6F 601", "漏水調査"),
        ("12/14(月)", "09:00-17:00", "久屋大通KTビル", "11F 1101", "内装工事 立会"),
        ("12/15(火)", "14:00-16:00", "千種駅前ビル", "3F 302", "空調 異音点検"),
        ("12/17(木)", "09:00-12:00", "上前津KTビル", "屋上", "防水 目視点検"),
        ("12/18(金)", "13:00-15:00", "鶴舞公園前ビル", "5F 501", "換気扇 交換"),
    ]
    table = "\n".join("> " + "\t".join(r) for r in rows)
    body = f"""片桐様

12月の点検予定表を社内で確定しましたので転送します。
入館申請が必要な物件は※印の4件です（伏見KT・金山KT・久屋大通KT・上前津KT）。

高森

---------- Forwarded message ---------
From: 石田 舞 <ishida.m@{OUR}>
Date: 2026年11月25日(水) 17:40
Subject: 12月 片桐不動産様 点検予定（確定）
To: 技術部 <tech@{OUR}>

> 12月分、確定版です。
>
> 日付\t時間\t物件\t場所\t作業内容
{table}
>
> 石田
"""
    return message(n, TAKAMORI, KATAGIRI, "Fwd: 12月 片桐不動産様 点検予定（確定）", body)


@case(
    "p06_our_offices_body.eml",
    "pass",
    "places-our-offices",
    "List of our 11 offices with 〒, address, main line and fax in the body.",
)
def _(n):
    lines = [f"■{name}\n　〒{z} {addr}\n　TEL {tel}　FAX {fax}" for name, z, addr, tel, fax in OUR_OFFICES]
    body = (
        "東邦メディカルサプライ株式会社\n総務部 今井様\n\n"
        "お世話になっております。鳴海テクノサービスの佐伯です。\n"
        "お取引口座開設のご依頼に際し、弊社拠点一覧をお送りします。\n"
        "各拠点とも受付時間は平日9:00〜17:30です。\n\n" + "\n".join(lines) + "\n\n" + SIG_SAEKI
    )
    return message(n, SAEKI, TOHO, "弊社拠点一覧のご送付", body)


@case(
    "p07_our_offices_xlsx.eml",
    "pass",
    "places-our-offices",
    "Our offices as an xlsx (拠点名, 〒, 住所, 代表電話, FAX) for a vendor registration form.",
)
def _(n):
    rows = [["拠点名", "郵便番号", "住所", "代表電話", "FAX", "営業時間"]]
    rows += [[name, z, addr, tel, fax, "9:00-17:30"] for name, z, addr, tel, fax in OUR_OFFICES]
    body = f"""ミツワ印刷株式会社
営業部 大森様

お世話になっております。
カレンダー発送先として、弊社の拠点一覧（Excel）をお送りします。
部数は各拠点とも卓上20部・壁掛け5部でお願いします（本社のみ卓上60部）。

{SIG_MIURA}"""
    return message(
        n,
        MIURA,
        MITSUWA,
        "2027年カレンダー 発送先拠点一覧",
        body,
        files=[
            attachment(
                "鳴海テクノ_拠点一覧.xlsx",
                xlsx({"拠点一覧": rows}),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        ],
    )


@case(
    "p08_client_branches_csv_cp932.eml",
    "pass",
    "places-client-branches",
    "The client's own 14 branches (CP932 CSV) sent back to the client for a network survey.",
)
def _(n):
    rows = [["拠点名", "郵便番号", "住所", "電話番号", "回線種別", "ルーター設置場所"]]
    rows += [[b, z, a, t, "光ビジネス", "事務所 2F"] for b, z, a, t in KOHOKU_BRANCHES]
    body = f"""港北ロジスティクス
野口様

お世話になっております。
ネットワーク更改の現地調査に向けて、御社拠点の一覧を整理しました。
頂いた資料から転記しておりますので、住所・電話番号に誤りがないかご確認ください。

{SIG_SAEKI}"""
    return message(
        n,
        SAEKI,
        KOHOKU2,
        "ネットワーク更改 調査対象拠点のご確認",
        body,
        cc=[KOHOKU],
        files=[attachment("調査対象拠点一覧.csv", csv_text(rows).encode("cp932"), "text/csv")],
    )


@case(
    "p09_client_shops_xlsx.eml",
    "pass",
    "places-client-shops",
    "A client's 15 shops (name, 〒, address, shop phone, hours) in xlsx sent to that client.",
)
def _(n):
    rows = [["店舗名", "〒", "所在地", "店舗電話", "営業時間", "POS台数"]]
    rows += [[s, z, a, t, h, 2 + i % 3] for i, (s, z, a, t, h) in enumerate(SAKURA_SHOPS)]
    body = f"""さくら台フーズ
情報システム室 市川様

お世話になっております。鳴海テクノサービスの高森です。
POS入替スケジュールの作成のため、対象店舗一覧をExcelにまとめました。
営業時間外の作業を前提に、各店舗の閉店後2時間を作業枠としています。

{SIG_TAKAMORI}"""
    return message(
        n,
        TAKAMORI,
        SAKURA,
        "POS入替 対象店舗一覧（確認依頼）",
        body,
        files=[
            attachment(
                "POS入替_対象店舗.xlsx",
                xlsx({"店舗": rows}),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        ],
    )


@case(
    "p10_buildings_rents_csv.eml",
    "pass",
    "places-buildings",
    "12 buildings with addresses, floors, areas and rents (UTF-8 BOM CSV) to the landlord client.",
)
def _(n):
    rows = [["物件名", "所在地", "竣工", "階数", "募集区画", "面積(㎡)", "月額賃料(円)"]]
    rows += [list(b) for b in KATAGIRI_BUILDINGS]
    body = f"""片桐不動産
片桐様

いつもお世話になっております。
設備更新の優先順位づけのため、管理物件の一覧（募集区画・賃料入り）を整理しました。
賃料は頂いた募集資料の数字のままです。空室区画から先に工事を入れる案で考えています。

{SIG_SAEKI}"""
    return message(
        n,
        SAEKI,
        KATAGIRI,
        "管理物件一覧（設備更新計画用）",
        body,
        files=[attachment("管理物件一覧.csv", b"\xef\xbb\xbf" + csv_text(rows).encode(), "text/csv")],
    )


@case(
    "p11_sites_html_table.eml",
    "pass",
    "places-sites",
    "HTML mail (multipart/alternative) with a table of 10 construction sites and site offices.",
)
def _(n):
    sites = [
        ("瑞穂区新築現場", "名古屋市瑞穂区堀田通8-12", "052-883-1120"),
        ("熱田区改修現場", "名古屋市熱田区神宮3-6-31", "052-682-4471"),
        ("天白区集合住宅現場", "名古屋市天白区植田西2-1410", "052-805-3362"),
        ("港区倉庫新築現場", "名古屋市港区船見町1-39", "052-614-7720"),
        ("一宮市庁舎改修", "一宮市本町2-5-6", "0586-28-1150"),
        ("春日井工場増築", "春日井市神屋町713-8", "0568-88-2041"),
        ("刈谷駅前再開発", "刈谷市桜町1-1", "0566-25-6633"),
        ("豊橋物流倉庫", "豊橋市明海町5-10", "0532-23-4418"),
        ("岐阜県庁前ビル", "岐阜市薮田南2-1-1", "058-271-5540"),
        ("四日市工場 第3棟", "四日市市霞2-1-1", "059-364-9902"),
    ]
    html_rows = "".join(
        f"<tr><td>{s}</td><td>{a}</td><td>{t}</td><td>現場事務所</td></tr>" for s, a, t in sites
    )
    html = f"""<html><body><p>川端様</p><p>お世話になっております。下記10現場の仮設電源点検を12月に実施します。</p>
<table border="1"><tr><th>現場</th><th>所在地</th><th>現場事務所TEL</th><th>連絡先</th></tr>{html_rows}</table>
<p>鳴海テクノサービス 高森</p></body></html>"""
    text = (
        "川端様\n\nお世話になっております。下記10現場の仮設電源点検を12月に実施します。\n\n"
        + "\n".join(f"{s}\t{a}\t{t}\t現場事務所" for s, a, t in sites)
        + "\n\n鳴海テクノサービス 高森\n"
    )
    return message(n, TAKAMORI, MARUMO, "12月 仮設電源点検 対象現場", text, html=html)


@case(
    "p12_client_staff_back_xlsx.eml",
    "pass",
    "owner-data-client-staff",
    "The client's own 14 staff (name, dept, e-mail at the client's domain, extension) sent back to that client.",
)
def _(n):
    staff = People(12).people(14, "kohoku-logi.co.jp")
    depts = ["総務課", "経理課", "物流企画部", "情報システム課", "営業部"]
    rows = [["氏名", "所属", "メールアドレス", "内線", "アカウント種別"]]
    rows += [
        [
            p["name"],
            depts[i % 5],
            f"{p['sur_ro']}.{p['giv_ro'][0]}@kohoku-logi.co.jp",
            f"{2200 + i * 3}",
            "一般" if i % 4 else "管理者",
        ]
        for i, p in enumerate(staff)
    ]
    body = f"""港北ロジスティクス
小川様

お世話になっております。
新しい設備管理システムのアカウント発行対象者として頂いた名簿を、発行用の形式に整えました。
御社の皆様の氏名・メールアドレスに誤りがないか、ご確認をお願いします。

{SIG_SAEKI}"""
    return message(
        n,
        SAEKI,
        KOHOKU,
        "設備管理システム アカウント発行対象者のご確認",
        body,
        files=[
            attachment(
                "アカウント発行対象者_港北ロジスティクス様.xlsx",
                xlsx({"対象者": rows}),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        ],
    )


@case(
    "p13_client_staff_back_body.eml",
    "pass",
    "owner-data-client-staff",
    "The client's 12 shop managers (name, shop, client e-mail, shop phone) in the body back to the client.",
)
def _(n):
    staff = People(13).people(12, "sakuradai-foods.jp")
    lines = [
        f"{SAKURA_SHOPS[i][0]}\t{p['name']}\t{p['sur_ro']}@sakuradai-foods.jp\t{SAKURA_SHOPS[i][3]}"
        for i, p in enumerate(staff)
    ]
    body = (
        "市川様\n\nPOS入替の店舗側ご担当者として、以下の店長様にご連絡する予定です。\n"
        "頂いた一覧からの転記ですので、異動などあればお知らせください。\n\n店舗\t店長\tメール\t店舗電話\n"
        + "\n".join(lines)
        + "\n\n"
        + SIG_TAKAMORI
    )
    return message(n, TAKAMORI, SAKURA, "POS入替 店舗側ご担当者の確認", body)


@case(
    "p14_our_team_csv.eml",
    "pass",
    "owner-data-our-team",
    "Our own project team of 11 (names, roles, our e-mail, office lines, company mobiles) to the client we work for.",
)
def _(n):
    team = People(14).people(11, OUR)
    roles = [
        "PM",
        "副PM",
        "電気設備",
        "電気設備",
        "空調",
        "空調",
        "給排水",
        "監視システム",
        "安全管理",
        "事務",
        "現場代理人",
    ]
    rows = [["氏名", "役割", "メール", "会社電話", "社用携帯"]]
    rows += [
        [
            p["name"],
            roles[i],
            f"{p['sur_ro']}.{p['giv_ro'][0]}@{OUR}",
            f"052-261-44{30 + i}",
            f"080-4417-{2100 + i * 7}",
        ]
        for i, p in enumerate(team)
    ]
    body = f"""丸茂建設株式会社
工務部 川端様

瑞穂区新築現場の弊社体制表をお送りします。
夜間・休日の緊急連絡は、社用携帯の上から順にお願いします。

{SIG_TAKAMORI}"""
    return message(
        n,
        TAKAMORI,
        MARUMO,
        "瑞穂区新築現場 弊社体制表",
        body,
        files=[attachment("体制表_鳴海テクノサービス.csv", csv_text(rows).encode("cp932"), "text/csv")],
    )


@case(
    "p15_our_team_docx.eml",
    "pass",
    "owner-data-our-team",
    "Project organisation chart (docx table) of our 10 engineers with our addresses and lines.",
)
def _(n):
    team = People(15).people(10, OUR)
    table = [["氏名", "担当", "メールアドレス", "電話"]]
    table += [
        [
            p["name"],
            ["統括", "ネットワーク", "サーバ", "端末", "ヘルプデスク"][i % 5],
            f"{p['giv_ro']}.{p['sur_ro']}@{OUR}",
            f"052-261-{4440 + i}",
        ]
        for i, p in enumerate(team)
    ]
    data = docx(
        ["港北ロジスティクス様 ネットワーク更改プロジェクト", "実施体制（鳴海テクノサービス）"],
        table,
        ["問い合わせ窓口：ヘルプデスク 052-261-4450（平日9:00-18:00）"],
    )
    body = f"小川様\n\nプロジェクト実施体制（Word）を添付します。\n\n{SIG_SAEKI}"
    return message(
        n,
        SAEKI,
        KOHOKU,
        "ネットワーク更改 実施体制のご連絡",
        body,
        files=[
            attachment(
                "実施体制.docx",
                data,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            )
        ],
    )


@case(
    "p16_price_list_xlsx.eml",
    "pass",
    "price-list",
    "Product price list xlsx: 60 parts with 型番, JAN codes, prices.",
)
def _(n):
    rows = [["型番", "品名", "JANコード", "単位", "標準価格", "御社価格"]]
    for i in range(60):
        jan12 = f"4580{371200 + i * 13:06d}{i % 10}{(i * 3) % 10}"
        odd = sum(int(d) for d in jan12[1::2]) * 3 + sum(int(d) for d in jan12[0::2])
        jan = jan12 + str((10 - odd % 10) % 10)
        rows.append(
            [
                f"NT-{['FL', 'BT', 'SW', 'LD'][i % 4]}{1000 + i * 7}",
                ["エアフィルター", "非常用バッテリー", "スイッチングハブ", "LEDパネル"][i % 4]
                + f" {i % 5 + 1}型",
                jan,
                "個",
                3000 + i * 450,
                int((3000 + i * 450) * 0.82),
            ]
        )
    body = f"市川様\n\n2027年度の部材価格表をお送りします。価格改定は4月1日受注分からです。\n\n{SIG_SAEKI}"
    return message(
        n,
        SAEKI,
        SAKURA,
        "2027年度 部材価格表",
        body,
        files=[
            attachment(
                "部材価格表_2027.xlsx",
                xlsx({"価格表": rows}),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        ],
    )


@case(
    "p17_order_numbers_csv.eml",
    "pass",
    "order-numbers",
    "Order history CSV with 12-digit order numbers (some pass the My Number check digit by chance).",
)
def _(n):
    rows = [["注文番号", "注文日", "品名", "数量", "金額", "納品先"]]
    for i in range(24):
        rows.append(
            [
                f"2026110{10321 + i * 173:05d}",
                f"2026/11/{1 + i:02d}",
                ["エアフィルター", "LEDパネル", "スイッチングハブ"][i % 3],
                1 + i % 6,
                4800 * (1 + i % 6),
                KOHOKU_BRANCHES[i % 14][0],
            ]
        )
    body = f"""野口様

11月のご注文履歴をCSVでお送りします。注文番号は弊社受注システムの番号です。
月末締めでご請求書を発行いたします。

{SIG_MIURA}"""
    return message(
        n,
        MIURA,
        KOHOKU2,
        "11月ご注文履歴（CSV）",
        body,
        files=[attachment("注文履歴_202611.csv", csv_text(rows).encode("cp932"), "text/csv")],
    )


@case(
    "p18_training_schedule.eml",
    "pass",
    "schedule",
    "Training schedule with times, rooms, a venue address and a phone number.",
)
def _(n):
    body = f"""さくら台フーズ
情報システム室 市川様

新POS操作研修の日程をご案内します。

会場：鳴海テクノサービス 本社 5階 研修室A（501）／B（502）
　　　〒460-0008 名古屋市中区栄3-15-20 鳴海ビル5F（地下鉄栄駅 12番出口 徒歩3分）
当日連絡先：052-261-4410（代表）

 1回目　12月 2日（水）10:00-12:00　研修室A　店長向け（定員12名）
 2回目　12月 2日（水）14:00-16:00　研修室A　店長向け（定員12名）
 3回目　12月 3日（木）10:00-12:00　研修室B　スタッフ向け（定員20名）
 4回目　12月 3日（木）14:00-16:00　研修室B　スタッフ向け（定員20名）
 5回目　12月 9日（水）18:30-20:30　研修室A　夜間（定員12名）
 6回目　12月10日（木）10:00-12:00　オンライン（Teams） ID 482 119 3306 1

お申込みは各店舗ごとに11/27までにご連絡ください。

{SIG_TAKAMORI}"""
    return message(n, TAKAMORI, SAKURA, "新POS操作研修 日程のご案内", body)


@case(
    "p19_holiday_notice_html.eml",
    "pass",
    "announcement",
    "Year-end holiday notice (HTML + text) with the main lines of 5 offices and the emergency line.",
)
def _(n):
    offices = OUR_OFFICES[:5]
    text = (
        "お取引先各位\n\n年末年始休業のお知らせ\n\n休業期間：2026年12月29日（火）〜2027年1月4日（月）\n"
        "休業中の緊急対応：24時間センター 0120-61-4410\n\n"
        + "\n".join(f"{o[0]}　{o[3]}" for o in offices)
        + "\n\n鳴海テクノサービス株式会社\n"
    )
    html = (
        "<html><body><h3>年末年始休業のお知らせ</h3><p>休業期間：2026年12月29日（火）〜2027年1月4日（月）</p>"
        "<p>緊急対応：<b>0120-61-4410</b></p><ul>"
        + "".join(f"<li>{o[0]}：{o[3]}</li>" for o in offices)
        + "</ul><p>鳴海テクノサービス株式会社</p></body></html>"
    )
    return message(n, SAEKI, KATAGIRI, "年末年始休業のお知らせ", text, html=html)


@case(
    "p20_delivery_note_pdf.eml",
    "pass",
    "delivery-note",
    "納品書 PDF with a delivery address, a site contact line and slip numbers.",
)
def _(n):
    lines = [
        "納品書",
        "丸茂建設株式会社 御中",
        "納品書番号 D-2026-112-0457　納品日 2026年11月20日",
        "納品場所：瑞穂区新築現場（名古屋市瑞穂区堀田通8-12）現場事務所 052-883-1120",
        "1. 受変電設備 キュービクル 1台",
        "2. 非常用発電機 連絡盤 1面",
        "3. ケーブル類 1式",
        "受領印：＿＿＿＿＿＿",
        "鳴海テクノサービス株式会社 技術部",
    ]
    body = f"川端様\n\n本日納品分の納品書をお送りします。受領印を押していただき、返送をお願いします。\n\n{SIG_TAKAMORI}"
    return message(
        n,
        TAKAMORI,
        MARUMO,
        "納品書送付（瑞穂区新築現場）",
        body,
        files=[attachment("納品書_D-2026-112-0457.pdf", pdf(lines), "application/pdf")],
    )


@case(
    "p21_three_recipients_same_client.eml",
    "pass",
    "recipients",
    "A reply to three people of the same client in To and two of ours in Cc.",
)
def _(n):
    body = f"""小川様、野口様、堀内様

本日はお時間をいただきありがとうございました。
ご指摘の3点（夜間作業の騒音、搬入車両の台数、倉庫内の養生範囲）は、次回までに修正案をお持ちします。

{SIG_SAEKI}"""
    return message(
        n,
        SAEKI,
        [KOHOKU, KOHOKU2, ("堀内様", "horiuchi.t@kohoku-logi.co.jp")],
        "本日の打合せのお礼",
        body,
        cc=[TAKAMORI, ISHIDA],
    )


@case(
    "p22_nine_externals_invitation.eml",
    "pass",
    "recipients",
    "Seminar invitation to 9 visible external addresses of 4 companies (below the 10 of the rule).",
)
def _(n):
    to = [
        KOHOKU,
        KOHOKU2,
        MARUMO,
        ("丸茂建設 水野様", "mizuno@marumo-kensetsu.co.jp"),
        SAKURA,
        ("さくら台フーズ 坂田様", "sakata@sakuradai-foods.jp"),
        KATAGIRI,
        TOHO,
        ("東邦メディカルサプライ 永井様", "nagai@toho-medsupply.co.jp"),
    ]
    body = """各位

平素より大変お世話になっております。
鳴海テクノサービスでは、下記のとおり「省エネ設備更新セミナー」を開催いたします。

日時：2027年1月21日（木）15:00-17:00（受付14:30〜）
会場：名古屋国際センター 別棟ホール
参加費：無料（定員40名）

ご出席の可否を1月8日までにご返信いただけますと幸いです。

鳴海テクノサービス株式会社 営業部
"""
    return message(n, SAEKI, to, "【ご案内】省エネ設備更新セミナー（1/21）", body)


@case(
    "p23_forwarded_rfc822_back_to_client.eml",
    "pass",
    "forward",
    "The client's own earlier mail forwarded as message/rfc822 to a colleague at the same client.",
)
def _(n):
    inner = message(
        900 + n,
        KOHOKU,
        SAEKI,
        "倉庫照明のLED化について",
        f"佐伯様\n\n厚木物流センターの照明（約320灯）のLED化を検討しています。\n"
        f"概算と工期をご提示いただけますか。\n\n{SIG_KOHOKU}",
    )
    body = f"""港北ロジスティクス
野口様

お世話になっております。
小川様から頂いた照明LED化のご相談メールを転送します。
分電盤の容量について、情報システム課でお持ちの図面を拝見できればと思います。

{SIG_SAEKI}"""
    return message(n, SAEKI, KOHOKU2, "Fwd: 倉庫照明のLED化について", body, cc=[KOHOKU], inner=inner)


@case(
    "p24_zip_quote_and_spec.eml",
    "pass",
    "archive",
    "A plain zip with a quote xlsx and a specification docx for the client named in them.",
)
def _(n):
    quote = xlsx(
        {
            "見積書": [
                ["株式会社港北ロジスティクス 御中"],
                ["見積番号", "Q-2026-1187"],
                ["品名", "数量", "単価", "金額"],
                ["LED高天井照明 150W", 320, 38000, 12160000],
                ["取付工事", 1, 2850000, 2850000],
                ["合計（税別）", "", "", 15010000],
            ]
        }
    )
    spec = docx(
        [
            "厚木物流センター 照明LED化工事 仕様書",
            "1. 工事場所：神奈川県厚木市酒井3021 厚木物流センター",
            "2. 工期：2027年2月1日〜2月26日（夜間作業）",
            "3. 既設水銀灯 320灯をLED高天井照明に交換",
        ]
    )
    data = zip_of({"見積書_Q-2026-1187.xlsx": quote, "仕様書_厚木LED.docx": spec})
    body = f"小川様\n\n厚木物流センターの照明LED化について、見積書と仕様書をお送りします。\n\n{SIG_SAEKI}"
    return message(
        n,
        SAEKI,
        KOHOKU,
        "厚木物流センター 照明LED化 お見積り",
        body,
        files=[attachment("港北ロジスティクス様_厚木LED化.zip", data, "application/zip")],
    )


@case(
    "p25_right_client_named.eml",
    "pass",
    "client-named-correctly",
    "Subject and attachment name the client being mailed: no mismatch.",
)
def _(n):
    data = xlsx(
        {"見積": [["丸茂建設株式会社 御中"], ["件名", "瑞穂区新築現場 受変電設備"], ["合計", 8640000]]}
    )
    return message(
        n,
        SAEKI,
        MARUMO,
        "丸茂建設様 瑞穂区新築現場 お見積書",
        f"川端様\n\nお見積書を添付します。\n\n{SIG_SAEKI}",
        files=[
            attachment(
                "丸茂建設様_お見積書.xlsx",
                data,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        ],
    )


@case(
    "p26_other_client_in_body_only.eml",
    "pass",
    "client-named-in-body",
    "Body mentions another client as a reference site (monitor-only rule in the shipped policy).",
)
def _(n):
    body = f"""片桐様

ご相談の屋上防水と空調更新の同時施工ですが、
昨年、丸茂建設様の本社ビルでも同じ段取りで実施し、工期を2週間短縮できました。
詳しい工程表は社外秘のためお見せできませんが、考え方はご説明できます。

{SIG_SAEKI}"""
    return message(n, SAEKI, KATAGIRI, "屋上防水と空調更新の同時施工について", body)


@case(
    "p27_signature_heavy_thread.eml",
    "pass",
    "thread",
    "Long CC thread with six quoted signatures of two companies (names, lines, mobiles).",
)
def _(n):
    sigs = [
        SIG_SAEKI,
        SIG_KOHOKU,
        SIG_TAKAMORI,
        "港北ロジスティクス 情報システム課 野口 智史\nTEL 045-478-2234 / 携帯 090-3382-1170\n",
        "港北ロジスティクス 物流企画部 堀内 達也\nTEL 045-478-2251\n",
        SIG_MIURA,
    ]
    quoted = ""
    for depth, sig in enumerate(sigs[1:], 1):
        block = f"承知しました。次回の打合せで確認させてください。\n\n{sig}"
        quoted += "\n" + "\n".join(">" * depth + " " + line for line in block.splitlines())
    body = f"皆様\n\n資料を共有フォルダに置きました。\n\n{SIG_SAEKI}" + quoted
    return message(
        n,
        SAEKI,
        [KOHOKU, KOHOKU2],
        "RE: RE: RE: RE: RE: ネットワーク更改 定例資料",
        body,
        cc=[TAKAMORI, MIURA, ("堀内様", "horiuchi.t@kohoku-logi.co.jp")],
    )


@case(
    "p28_seminar_attendees_back_to_client.eml",
    "pass",
    "owner-data-client-staff",
    "The client's 11 employees registered for our training, with their company e-mails, sent back to the client's HR.",
)
def _(n):
    staff = People(28).people(11, "toho-medsupply.co.jp")
    rows = [["受講者名", "所属", "メールアドレス", "受講日"]]
    rows += [
        [
            p["name"],
            ["営業一課", "営業二課", "物流課", "総務部"][i % 4],
            f"{p['sur_ro']}-{p['giv_ro']}@toho-medsupply.co.jp",
            ["12/2", "12/3"][i % 2],
        ]
        for i, p in enumerate(staff)
    ]
    body = f"""東邦メディカルサプライ株式会社
総務部 今井様

安全衛生研修（12/2・12/3）の受講者一覧をお送りします。
ご登録いただいた内容のままです。受講日の変更があればご連絡ください。

{SIG_SAEKI}"""
    return message(
        n,
        SAEKI,
        TOHO,
        "安全衛生研修 受講者一覧（御社ご登録分）",
        body,
        files=[
            attachment("受講者一覧_東邦メディカルサプライ様.csv", csv_text(rows).encode("cp932"), "text/csv")
        ],
    )


@case(
    "p29_support_centres_html.eml",
    "pass",
    "places-our-offices",
    "HTML table of 12 regional support desks: region, hours, phone; no people.",
)
def _(n):
    desks = [
        (
            o[0]
            .replace("営業所", "サポート窓口")
            .replace("支社", "サポート窓口")
            .replace("支店", "サポート窓口"),
            o[3],
        )
        for o in OUR_OFFICES
    ] + [("24時間センター", "0120-61-4410")]
    html = (
        "<html><body><p>各位</p><p>サポート窓口の一覧です。</p><table>"
        + "".join(f"<tr><td>{d}</td><td>平日 9:00-18:00</td><td>{t}</td></tr>" for d, t in desks)
        + "</table></body></html>"
    )
    text = (
        "各位\n\nサポート窓口の一覧です。\n\n"
        + "\n".join(f"{d}\t平日 9:00-18:00\t{t}" for d, t in desks)
        + "\n"
    )
    return message(
        n,
        TAKAMORI,
        [SAKURA, ("さくら台フーズ 坂田様", "sakata@sakuradai-foods.jp")],
        "保守サポート窓口一覧（2027年1月改定）",
        text,
        html=html,
    )


@case(
    "p30_warehouses_xlsx.eml",
    "pass",
    "places-client-warehouses",
    "The client's warehouses (name, address, floor area, phone) in an xlsx back to the client.",
)
def _(n):
    rows = [["倉庫名", "所在地", "延床面積(㎡)", "電話", "冷蔵設備"]]
    rows += [
        [
            b.replace("営業所", "倉庫").replace("支店", "倉庫").replace("本社", "本社倉庫"),
            a,
            3000 + i * 850,
            t,
            "有" if i % 3 == 0 else "無",
        ]
        for i, (b, z, a, t) in enumerate(KOHOKU_BRANCHES)
    ]
    body = f"野口様\n\n倉庫別の空調能力を試算するため、倉庫一覧を整理しました。面積の誤りがあればご指摘ください。\n\n{SIG_TAKAMORI}"
    return message(
        n,
        TAKAMORI,
        KOHOKU2,
        "倉庫別 空調能力試算の前提",
        body,
        files=[
            attachment(
                "倉庫一覧.xlsx",
                xlsx({"倉庫": rows}),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        ],
    )


@case(
    "p31_invoice_lines_csv.eml",
    "pass",
    "invoice",
    "Invoice detail CSV: 30 lines of slip numbers, dates, sites, amounts.",
)
def _(n):
    rows = [["伝票番号", "作業日", "物件", "作業", "金額"]]
    rows += [
        [
            f"S{2026110000 + i * 17}",
            f"2026/11/{1 + i % 28:02d}",
            KATAGIRI_BUILDINGS[i % 12][0],
            ["定期点検", "緊急出動", "部品交換"][i % 3],
            12000 + (i * 3700) % 90000,
        ]
        for i in range(30)
    ]
    body = f"片桐不動産 経理ご担当者様\n\n11月分の作業明細をお送りします。請求書は別便にて郵送いたします。\n\n{SIG_MIURA}"
    return message(
        n,
        MIURA,
        ("片桐不動産 経理", "keiri@katagiri-fudosan.co.jp"),
        "11月分 作業明細",
        body,
        files=[attachment("作業明細_202611.csv", csv_text(rows).encode("cp932"), "text/csv")],
    )


@case(
    "p32_tech_serials.eml",
    "pass",
    "technical",
    "Technical mail with serial numbers, IP/MAC addresses and 12-digit asset numbers.",
)
def _(n):
    body = f"""野口様

交換対象機器の情報です。

ホスト名        IPアドレス      MACアドレス         シリアル番号    資産番号
kh-core-sw01    10.20.0.1       00:1B:44:11:3A:B7   FOC2231X0QH     100230004512
kh-core-sw02    10.20.0.2       00:1B:44:11:3A:C2   FOC2231X0QK     100230004529
kh-dist-sw11    10.20.11.1      00:1B:44:11:4F:01   FOC2304Y1AB     100230004536
kh-dist-sw12    10.20.12.1      00:1B:44:11:4F:1D   FOC2304Y1AC     100230004543
kh-fw01         10.20.255.254   00:09:0F:AA:12:34   FGT60F-3821     100230004550

保守契約番号：5300-2611-0087、サポートID：48211930665
作業予定は12/12（土）20:00-翌2:00です。

{SIG_TAKAMORI}"""
    return message(n, TAKAMORI, KOHOKU2, "交換対象機器一覧", body)


@case(
    "p33_internal_customer_list.eml",
    "pass",
    "internal-only",
    "A customer list mailed only inside the company (a subdomain included): no external recipient.",
)
def _(n):
    ppl = People(33).people(20)
    rows = [["氏名", "住所", "電話", "メール"]] + people_rows(ppl, ["name", "address", "phone", "email"])
    return message(
        n,
        SAEKI,
        [ISHIDA, MIYASHITA],
        "【社内】DM発送対象リスト",
        "石田さん、宮下さん\n\n社内確認用です。社外には出さないでください。\n\n佐伯",
        files=[attachment("DM対象.csv", csv_text(rows).encode("cp932"), "text/csv")],
    )


@case(
    "p34_internal_my_number.eml", "pass", "internal-only", "An employee's My Number to HR inside the company."
)
def _(n):
    body = f"宮下さん\n\n年末調整の書類です。\n個人番号：{my_number('40218836157')}\n\n佐伯"
    return message(n, SAEKI, MIYASHITA, "年末調整 個人番号の提出", body)


@case(
    "p35_own_bank_account_body.eml",
    "pass",
    "invoice",
    "Payment request with OUR account in the body (お振込先), as every Japanese invoice mail has.",
)
def _(n):
    body = f"""片桐不動産
経理ご担当者様

いつもお世話になっております。
11月分のご請求金額は 1,284,800円（税込）です。
お手数ですが、12月末日までに下記口座へお振込みください。

　お振込先：三菱UFJ銀行 名古屋営業部
　　　　　　普通預金 1234567
　　　　　　口座名義 ナルミテクノサービス（カ

振込手数料は貴社にてご負担くださいますようお願いいたします。

{SIG_MIURA}"""
    return message(
        n, MIURA, ("片桐不動産 経理", "keiri@katagiri-fudosan.co.jp"), "11月分ご請求金額のご連絡", body
    )


@case(
    "p36_quoted_client_branches.eml",
    "pass",
    "quoted-table",
    "Reply quoting the client's own branch list (tab table with > marks) back to the client.",
)
def _(n):
    quoted = "\n".join(f"> {b}\t〒{z}\t{a}\t{t}" for b, z, a, t in KOHOKU_BRANCHES)
    body = f"""野口様

一覧ありがとうございます。このうち鳥栖倉庫と北関東営業所は回線業者が異なるため、別途確認します。

{SIG_SAEKI}
> 佐伯様
>
> ご依頼の拠点一覧です。
>
> 拠点\t郵便番号\t住所\t電話
{quoted}
>
> 港北ロジスティクス 情報システム課 野口
"""
    return message(
        n, SAEKI, KOHOKU2, "RE: 拠点一覧の件", body, reply_to_id="<kh.noguchi.1120@kohoku-logi.co.jp>"
    )


@case(
    "p37_our_staff_to_training_vendor.eml",
    "pass",
    "owner-data-our-team",
    "Our 12 employees (names, departments, our e-mails) registered with an external training company.",
)
def _(n):
    staff = People(37).people(12, OUR)
    rows = [["氏名", "部署", "メールアドレス"]]
    rows += [
        [p["name"], ["技術部", "営業部", "総務部"][i % 3], f"{p['sur_ro']}.{p['giv_ro'][0]}@{OUR}"]
        for i, p in enumerate(staff)
    ]
    body = (
        "株式会社ビズラーニング\n研修事務局 御中\n\n第二種電気工事士 講習の受講者を登録します。\n"
        "受講票は各自のメールアドレスにお送りください。\n\n" + SIG_MIURA
    )
    return message(
        n,
        MIURA,
        ("ビズラーニング 研修事務局", "jimukyoku@bizlearning.jp"),
        "講習 受講者登録",
        body,
        files=[
            attachment(
                "受講者登録.xlsx",
                xlsx({"受講者": rows}),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        ],
    )


@case(
    "p38_three_delivery_sites.eml",
    "pass",
    "places-sites",
    "Three delivery sites with addresses and site contacts' company lines.",
)
def _(n):
    body = f"""大森様

チラシの納品先は以下の3か所です。

1. 鳴海テクノサービス 本社　〒460-0008 名古屋市中区栄3-15-20 鳴海ビル5F（総務 石田宛）TEL 052-261-4410
2. 東京支社　〒105-0012 東京都港区芝大門1-4-8 浜松町センタービル9F　TEL 03-5472-8810
3. 大阪支店　〒541-0053 大阪府大阪市中央区本町2-3-11 本町ISビル4F　TEL 06-6264-3320

{SIG_SAEKI}"""
    return message(n, SAEKI, MITSUWA, "チラシ納品先", body)


@case(
    "p39_meeting_attendees_two_companies.eml",
    "pass",
    "meeting-notes",
    "Kick-off invitation listing 8 participants of the client and us with company e-mails and lines.",
)
def _(n):
    lines = [
        "【港北ロジスティクス様】",
        "小川 浩史　総務課　ogawa.h@kohoku-logi.co.jp　045-478-2210",
        "野口 智史　情報システム課　noguchi.s@kohoku-logi.co.jp　045-478-2234",
        "堀内 達也　物流企画部　horiuchi.t@kohoku-logi.co.jp　045-478-2251",
        "谷口 真理　経理課　taniguchi.m@kohoku-logi.co.jp　045-478-2216",
        "【鳴海テクノサービス】",
        f"佐伯 健太　営業部　saeki.k@{OUR}　052-261-4423",
        f"高森 亮　技術部　takamori.r@{OUR}　052-261-4431",
        f"石田 舞　技術部　ishida.m@{OUR}　052-261-4432",
        f"三浦 由美　経理部　miura.y@{OUR}　052-261-4415",
    ]
    body = (
        "皆様\n\nキックオフ会議の出席者と連絡先です。\n日時：12月1日（火）13:00-14:30　新横浜本社 4F 大会議室\n\n"
        + "\n".join(lines)
        + "\n\n"
        + SIG_SAEKI
    )
    return message(n, SAEKI, [KOHOKU, KOHOKU2], "キックオフ会議 出席者一覧", body)


@case(
    "p40_credit_terms_numbers.eml",
    "pass",
    "numbers-lookalike",
    "Contract mail full of long numbers: corporate number, invoice registration number, dates, amounts.",
)
def _(n):
    body = f"""今井様

取引基本契約書の締結にあたり、弊社情報をお知らせします。

商号　　　：鳴海テクノサービス株式会社
法人番号　：4180001099287
適格請求書発行事業者登録番号：T4180001099287
設立　　　：1987年4月1日　資本金 98,000,000円
取引銀行　：三菱UFJ銀行 名古屋営業部、十六銀行 名古屋支店
契約書番号：NTS-K-2026-000418

{SIG_SAEKI}"""
    return message(n, SAEKI, TOHO, "取引基本契約 弊社情報のご連絡", body)


@case(
    "p41_edi_fixed_width_orders.eml",
    "pass",
    "fixed-width-non-bank",
    "A 128-byte fixed-width EDI order file (JCA-style, CP932 half-width kana product names): no people, no accounts.",
)
def _(n):
    def rec(text: str) -> bytes:
        raw = text.encode("cp932")
        assert len(raw) <= 128, len(raw)
        return raw.ljust(128, b" ")

    lines = [rec("A" + "4180099287" + hankaku("ナルミテクノサービス").ljust(20) + "20261130" + "0001")]
    for i in range(15):
        name = hankaku(["エアフイルター", "ヒジヨウヨウバツテリー", "LEDパネル", "スイツチングハブ"][i % 4])
        lines.append(
            rec(
                "D"
                + f"{i + 1:06d}"
                + f"4580{371200 + i * 13:06d}{i % 10}{(i * 3) % 10}0"
                + name.ljust(25)
                + f"{1 + i % 6:06d}"
                + f"{4800 * (1 + i % 6):010d}"
                + "20261205"
            )
        )
    lines.append(rec("Z" + "000015" + "000000000000"))
    data = b"\r\n".join(lines) + b"\r\n"
    return message(
        n,
        MIURA,
        ("ミツワ印刷 受注センター", "edi@mitsuwa-print.co.jp"),
        "発注データ（EDI）",
        f"ご担当者様\n\n12月分の発注データです。\n\n{SIG_MIURA}",
        files=[attachment("ORDER_20261130.dat", data, "application/octet-stream")],
    )


@case(
    "p42_numbers_like_identifiers.eml",
    "pass",
    "numbers-lookalike",
    "Tracking, product and reception numbers shaped like licence, 住民票コード and pension numbers, without their labels.",
)
def _(n):
    body = f"""野口様

本日発送した部材のお問い合わせ番号です。

　送り状番号　　　{resident_code("5830197624")}（11桁・西濃）
　送り状番号　　　{resident_code("1049283717")}（11桁・西濃）
　製造番号　　　　{licence("30", "05", "418826")}
　製造番号　　　　{licence("54", "08", "302117")}
　受付番号　　　　4312-587209
　見積番号　　　　1207-339164

到着は12/3午前の予定です。

{SIG_TAKAMORI}"""
    return message(n, TAKAMORI, KOHOKU2, "部材発送のご連絡（お問い合わせ番号）", body)


@case(
    "p43_client_branches_with_managers.eml",
    "pass",
    "owner-data-client-staff",
    "The client's 12 branches with each branch manager's name and the client's e-mail, back to that client.",
)
def _(n):
    mgrs = People(243).people(12, "kohoku-logi.co.jp")
    rows = [["拠点", "住所", "電話", "拠点長", "メール"]]
    rows += [
        [b, a, t, m["name"], f"{m['sur_ro']}.{m['giv_ro'][0]}@kohoku-logi.co.jp"]
        for (b, z, a, t), m in zip(KOHOKU_BRANCHES, mgrs)
    ]
    return message(
        n,
        SAEKI,
        KOHOKU,
        "拠点長様への工事案内 送付先確認",
        f"小川様\n\n工事のご案内を各拠点長様にお送りする前に、送付先をご確認ください。\n\n{SIG_SAEKI}",
        files=[attachment("送付先確認.xlsx", xlsx({"送付先": rows}), XLSX)],
    )


@case(
    "p44_client_branches_pdf.eml",
    "pass",
    "places-client-branches",
    "Delivery destinations (the client's 14 branches: 〒, address, branch phone) in a PDF back to the client.",
)
def _(n):
    lines = ["配送先一覧（株式会社港北ロジスティクス様）", "拠点　郵便番号　住所　電話"]
    lines += [f"{b}　〒{z}　{a}　{t}" for b, z, a, t in KOHOKU_BRANCHES]
    return message(
        n,
        SAEKI,
        KOHOKU,
        "カレンダー配送先のご確認",
        f"小川様\n\n御社各拠点への配送先一覧です。ご確認ください。\n\n{SIG_SAEKI}",
        files=[attachment("配送先一覧.pdf", pdf(lines), "application/pdf")],
    )


@case(
    "p45_company_addresses_no_people.eml",
    "pass",
    "places-companies",
    "12 client companies (company name, 〒, head-office address, main line) for New Year cards: no person named.",
)
def _(n):
    companies = [
        ("株式会社大和エンジ", "460-0002", "名古屋市中区丸の内2-18-22", "052-201-3340"),
        ("東海精工株式会社", "454-0012", "名古屋市中川区尾頭橋3-3-7", "052-331-7781"),
        ("株式会社みどり電設", "466-0015", "名古屋市昭和区御器所通3-12-1", "052-853-2201"),
        ("中部ビルサービス株式会社", "450-0002", "名古屋市中村区名駅4-26-25", "052-582-6600"),
        ("有限会社北斗設備", "491-0912", "一宮市新生1-3-8", "0586-45-1120"),
        ("株式会社アイチ冷熱", "444-0840", "岡崎市戸崎町字屋敷9-1", "0564-51-8830"),
        ("株式会社港北ロジスティクス", "222-0033", "横浜市港北区新横浜2-7-19", "045-478-2210"),
        ("丸茂建設株式会社", "467-0806", "名古屋市瑞穂区瑞穂通1-15", "052-851-1151"),
        ("株式会社さくら台フーズ", "464-0821", "名古屋市千種区末盛通5-8", "052-761-2020"),
        ("有限会社片桐不動産", "460-0003", "名古屋市中区錦2-4-15", "052-231-5577"),
        ("東邦メディカルサプライ株式会社", "461-0005", "名古屋市東区東桜1-10-30", "052-971-4400"),
        ("株式会社ビズラーニング", "450-6490", "名古屋市中村区名駅3-28-12", "052-589-3310"),
    ]
    rows = [["会社名", "郵便番号", "住所", "代表電話", "宛名"]]
    rows += [[c, z, a, t, "御中"] for c, z, a, t in companies]
    return message(
        n,
        SAEKI,
        MITSUWA,
        "年賀状 宛名データ（会社宛）",
        f"大森様\n\n会社宛（御中）の年賀状の宛名データです。\n\n{SIG_SAEKI}",
        files=[attachment("年賀状_会社宛.csv", csv_text(rows).encode("cp932"), "text/csv")],
    )


@case(
    "p46_office_managers.eml",
    "pass",
    "owner-data-our-team",
    "Our 11 offices with each office manager's name and the office's main line (no e-mail) to a client.",
)
def _(n):
    mgrs = People(246).people(11)
    lines = [f"{o[0]}　所長 {m['name']}　TEL {o[3]}　{o[2]}" for o, m in zip(OUR_OFFICES, mgrs)]
    body = (
        "今井様\n\n全国の納品立会いは、各拠点の所長が担当します。\n\n" + "\n".join(lines) + "\n\n" + SIG_SAEKI
    )
    return message(n, SAEKI, TOHO, "納品立会い 各拠点の担当", body)


@case(
    "p47_client_staff_subdomain.eml",
    "pass",
    "owner-data-client-staff",
    "The client's 12 Tokyo staff with e-mails at a subdomain of the client's domain, back to the client.",
)
def _(n):
    staff = People(247).people(12, "tokyo.kohoku-logi.co.jp")
    rows = [["氏名", "部署", "メール", "内線"]]
    rows += [
        [p["name"], "東京物流部", f"{p['sur_ro']}.{p['giv_ro'][0]}@tokyo.kohoku-logi.co.jp", f"{3300 + i}"]
        for i, p in enumerate(staff)
    ]
    return message(
        n,
        SAEKI,
        KOHOKU,
        "東京拠点 アカウント発行対象",
        f"小川様\n\n東京拠点のアカウント発行対象者です。ご確認ください。\n\n{SIG_SAEKI}",
        files=[attachment("東京拠点_対象者.csv", csv_text(rows).encode("cp932"), "text/csv")],
    )


@case(
    "p48_joint_team_both_companies.eml",
    "pass",
    "owner-data-both",
    "Joint project contact list: 6 of ours and 7 of the client's, business e-mails and lines, to the client.",
)
def _(n):
    ours, theirs = People(249).people(6, OUR), People(2490).people(7, "marumo-kensetsu.co.jp")
    rows = [["会社", "氏名", "メール", "電話"]]
    rows += [
        ["鳴海テクノサービス", p["name"], f"{p['sur_ro']}.{p['giv_ro'][0]}@{OUR}", f"052-261-44{60 + i}"]
        for i, p in enumerate(ours)
    ]
    rows += [
        ["丸茂建設", p["name"], f"{p['sur_ro']}@marumo-kensetsu.co.jp", f"052-851-11{50 + i}"]
        for i, p in enumerate(theirs)
    ]
    return message(
        n,
        TAKAMORI,
        MARUMO,
        "瑞穂区新築現場 合同連絡網",
        f"川端様\n\n両社の連絡網をまとめました。\n\n{SIG_TAKAMORI}",
        files=[attachment("合同連絡網.xlsx", xlsx({"連絡網": rows}), XLSX)],
    )


@case(
    "p49_tenant_list.eml",
    "pass",
    "places-buildings",
    "Tenants of a building (floor, tenant company, main line) for a shutdown notice to the landlord client.",
)
def _(n):
    tenants = [
        "株式会社中京システム",
        "東海綜合法律事務所",
        "さかえ歯科クリニック",
        "株式会社オフィスナビ",
        "名古屋トラベル株式会社",
        "有限会社錦デザイン",
        "株式会社アクアテック",
        "丸の内会計事務所",
        "株式会社ライフケア中部",
        "セントラル英会話スクール",
        "株式会社エムズ不動産",
    ]
    lines = [f"{2 + i}F\t{t}\t052-2{10 + i}-{3300 + i * 17}" for i, t in enumerate(tenants)]
    body = (
        "片桐様\n\n片桐第二ビルの停電作業（12/4 22:00〜）のご案内先として、テナント一覧を確認させてください。\n\n"
        "階\tテナント\t代表電話\n" + "\n".join(lines) + "\n\n" + SIG_SAEKI
    )
    return message(n, SAEKI, KATAGIRI, "停電作業 テナント様への案内", body)


@case(
    "p50_venue_candidates.eml",
    "pass",
    "places-venues",
    "12 candidate venues for a seminar: hall names, addresses, phones, capacities.",
)
def _(n):
    venues = [
        ("名古屋国際センター 別棟ホール", "名古屋市中村区那古野1-47-1", "052-581-5678", 200),
        ("ウインクあいち 大会議室", "名古屋市中村区名駅4-4-38", "052-571-6131", 300),
        ("名古屋市中小企業振興会館", "名古屋市千種区吹上2-6-3", "052-735-2111", 150),
        ("栄ガスビル 会議室", "名古屋市中区栄3-15-33", "052-252-1111", 120),
        ("名古屋商工会議所 ホール", "名古屋市中区栄2-10-19", "052-223-5611", 250),
        ("TKPガーデンシティ名古屋", "名古屋市中村区名駅3-25-9", "052-589-3030", 180),
        ("アイリス愛知", "名古屋市中区丸の内2-5-10", "052-223-3751", 90),
        ("刈谷市産業振興センター", "刈谷市相生町1-1-6", "0566-28-2111", 160),
        ("岡崎商工会議所", "岡崎市竜美南1-2", "0564-53-6180", 140),
        ("豊田産業文化センター", "豊田市小坂本町1-25", "0565-31-5141", 200),
        ("一宮市尾張一宮駅前ビル", "一宮市栄3-1-2", "0586-28-9131", 100),
        ("岐阜市文化センター", "岐阜市金町5-7-2", "058-262-6200", 220),
    ]
    rows = [["会場", "住所", "電話", "定員"]] + [list(v) for v in venues]
    return message(
        n,
        SAEKI,
        TOHO,
        "共催セミナー 会場候補",
        f"今井様\n\n会場候補の一覧です。1月中旬で空きを当たっています。\n\n{SIG_SAEKI}",
        files=[attachment("会場候補.xlsx", xlsx({"会場": rows}), XLSX)],
    )


def _logo_png() -> bytes:
    """A small valid PNG (the company logo in an Outlook signature)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes([0x1F, 0x4E, 0x8A] * 24) for _ in range(8))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 24, 8, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@case(
    "p51_outlook_html_inline_logo.eml",
    "pass",
    "quote",
    "Outlook HTML quote (multipart/related with an inline logo) plus a PDF: the common shape of business mail.",
)
def _(n):
    from email.mime.image import MIMEImage

    logo = MIMEImage(_logo_png(), "png")
    logo.add_header("Content-ID", "<image001.png@01DB4A1C.5E2F3B10>")
    logo.add_header("Content-Disposition", "inline", filename="image001.png")
    html = """<html><body><p>東邦メディカルサプライ株式会社<br>総務部 今井様</p>
<p>いつもお世話になっております。ご依頼の空調更新工事のお見積りをお送りします。</p>
<table border=1><tr><th>項目</th><th>数量</th><th>金額</th></tr>
<tr><td>パッケージエアコン 10馬力</td><td>4台</td><td>3,840,000円</td></tr>
<tr><td>撤去・処分費</td><td>1式</td><td>420,000円</td></tr>
<tr><td>据付工事</td><td>1式</td><td>1,150,000円</td></tr></table>
<p>鳴海テクノサービス株式会社 営業部 佐伯<br>TEL 052-261-4423</p>
<p><img src="cid:image001.png@01DB4A1C.5E2F3B10" alt="鳴海テクノサービス"></p></body></html>"""
    text = (
        "今井様\n\nご依頼の空調更新工事のお見積りをお送りします。\n合計 5,410,000円（税別）\n\n" + SIG_SAEKI
    )
    quote = pdf(["御見積書", "東邦メディカルサプライ株式会社 御中", "空調更新工事 一式 5,410,000円（税別）"])
    return message(
        n,
        SAEKI,
        TOHO,
        "空調更新工事 お見積書",
        text,
        html=html,
        inline=[logo],
        files=[attachment("御見積書_東邦メディカルサプライ様.pdf", quote, "application/pdf")],
    )


@case(
    "p52_calendar_invitation.eml",
    "pass",
    "schedule",
    "A meeting invitation (text/calendar, RFC 5545) with a room, a Teams number and the client's attendees.",
)
def _(n):
    from email.mime.text import MIMEText

    attendees = [
        ("小川 浩史", "ogawa.h@kohoku-logi.co.jp"),
        ("野口 智史", "noguchi.s@kohoku-logi.co.jp"),
        ("堀内 達也", "horiuchi.t@kohoku-logi.co.jp"),
        ("高森 亮", f"takamori.r@{OUR}"),
    ]
    ics = (
        "\r\n".join(
            [
                "BEGIN:VCALENDAR",
                "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
                "VERSION:2.0",
                "METHOD:REQUEST",
                "BEGIN:VEVENT",
                f"ORGANIZER;CN=佐伯 健太:mailto:saeki.k@{OUR}",
            ]
            + [f"ATTENDEE;CN={a};ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{e}" for a, e in attendees]
            + [
                "DTSTART;TZID=Tokyo Standard Time:20261208T100000",
                "DTEND;TZID=Tokyo Standard Time:20261208T113000",
                "LOCATION:港北ロジスティクス 新横浜本社 4F 大会議室（401）",
                "SUMMARY:空調保守 現地調査 事前打合せ",
                f"UID:040000008200E00074C5B7101A82E008{n:08d}",
                "DESCRIPTION:Teams 会議 ID: 431 882 019 57 パスコード: q7XkP2",
                "END:VEVENT",
                "END:VCALENDAR",
            ]
        )
        + "\r\n"
    )
    cal = MIMEText(ics, "calendar", "utf-8")
    cal.set_param("method", "REQUEST")
    text = "空調保守 現地調査の事前打合せです。\n日時：12月8日（火）10:00-11:30\n場所：新横浜本社 4F 大会議室（401）\n"
    html = "<html><body><p>空調保守 現地調査の事前打合せです。</p><p>12月8日（火）10:00-11:30 新横浜本社 4F 大会議室（401）</p></body></html>"
    return message(
        n,
        SAEKI,
        [KOHOKU, KOHOKU2, ("堀内様", "horiuchi.t@kohoku-logi.co.jp")],
        "空調保守 現地調査 事前打合せ",
        text,
        cc=[TAKAMORI],
        html=html,
        extra_alt=[cal],
    )


@case(
    "p53_vcard_of_sender.eml",
    "pass",
    "signature",
    "A first contact with the sender's own vCard (RFC 6350) attached: our name, lines, address.",
)
def _(n):
    vcf = (
        "\r\n".join(
            [
                "BEGIN:VCARD",
                "VERSION:3.0",
                "N:佐伯;健太;;;",
                "FN:佐伯 健太",
                "ORG:鳴海テクノサービス株式会社;営業部",
                "TITLE:第二営業課 主任",
                "TEL;TYPE=WORK,VOICE:052-261-4423",
                "TEL;TYPE=CELL:080-4417-2093",
                "ADR;TYPE=WORK:;;栄3-15-20 鳴海ビル5F;名古屋市中区;愛知県;460-0008;日本",
                f"EMAIL;TYPE=INTERNET:saeki.k@{OUR}",
                "END:VCARD",
            ]
        )
        + "\r\n"
    )
    body = f"""東邦メディカルサプライ株式会社
永井様

はじめてご連絡いたします。鳴海テクノサービスの佐伯と申します。
今井様よりご紹介いただき、物流倉庫の空調についてご相談を承りたくご連絡いたしました。
連絡先を添付いたしますので、ご登録いただけますと幸いです。

{SIG_SAEKI}"""
    return message(
        n,
        SAEKI,
        ("永井様", "nagai@toho-medsupply.co.jp"),
        "はじめまして（鳴海テクノサービス 佐伯）",
        body,
        files=[attachment("佐伯健太.vcf", vcf.encode(), "text/vcard")],
    )


@case(
    "p54_price_list_utf16_tsv.eml",
    "pass",
    "price-list",
    "A price list saved by Excel as 'Unicode text' (UTF-16LE with BOM, tab-separated).",
)
def _(n):
    rows = [["型番", "品名", "単価"]] + [
        [f"NT-LD{2000 + i * 3}", f"LEDパネル {i % 4 + 1}型", 4800 + i * 300] for i in range(40)
    ]
    data = "\ufeff".encode("utf-16-le") + csv_text(rows, sep="\t").encode("utf-16-le")
    return message(
        n,
        SAEKI,
        SAKURA,
        "LEDパネル 価格表（テキスト形式）",
        f"市川様\n\nシステム取込用にテキスト形式でお送りします。\n\n{SIG_SAEKI}",
        files=[attachment("price_led.txt", data, "text/plain")],
    )
