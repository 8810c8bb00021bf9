"""The personal-data pattern catalogue, kept as data (issue 4).

Nothing here runs: `inspectors.pii.scanner` compiles the candidate expressions into one RE2
scan, `inspectors.pii.tables` reads the header words, `inspectors.pii.layout` the signature
and quote markers. Candidate expressions match full-width digits and every dash variant
directly, so the text is never normalised as a whole; only a matched span is (see
`inspectors.pii.normaliser`).

Each context word belongs to one label class. A candidate takes the class of the nearest label
before it (within `CONTEXT_BYTES`, never across a table cell): "nearest label wins" is what
keeps `注文番号 123456789018` from being a My Number even when マイナンバー appears earlier.
"""
from __future__ import annotations

from dataclasses import dataclass

# --- candidate expressions (RE2 syntax; UTF-8) -------------------------------------------
D = "[0-9０-９]"
# What people put between digit groups; \u00a0 is HTML's &nbsp;, and the invisible ones
# (zero-width spaces and joiners, the word joiner, the soft hyphen) hide a number from a
# plain pattern while showing it whole.
SEP = "[ \u00a0\u00ad\u200b\u200c\u200d\u2060\\-－‐−―ー‑–—()（）\u3000]"
ERA = "(?:明治|大正|昭和|平成|令和)"
DATE_SEP = "[/／\\-－.．]"

PREFECTURES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 "
    "神奈川県 新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 "
    "大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 "
    "福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県").split()
# Designated cities are written without their prefecture often enough to start an address.
DESIGNATED_CITIES = (
    "札幌市 仙台市 さいたま市 千葉市 横浜市 川崎市 相模原市 新潟市 静岡市 浜松市 名古屋市 京都市 "
    "大阪市 堺市 神戸市 岡山市 広島市 北九州市 福岡市 熊本市").split()
PLACE_STARTS = tuple(PREFECTURES) + tuple(DESIGNATED_CITIES)   # where an address can begin
KANJI_DIGITS = "〇一二三四五六七八九十百千"

# The 150 commonest surnames (two characters or more): enough for list lines without an
# honorific; names outside the list are still found before 様/さん/殿 or under a name label.
SURNAMES = (
    "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 斎藤 清水 "
    "山崎 阿部 池田 橋本 山下 石川 中島 前田 藤田 後藤 小川 岡田 村上 長谷川 近藤 石井 坂本 遠藤 "
    "青木 藤井 西村 福田 太田 三浦 藤原 岡本 松田 中川 中野 原田 小野 田村 竹内 金子 和田 中山 石田 "
    "上田 森田 小島 柴田 原 宮崎 酒井 工藤 横山 宮本 内田 高木 安藤 島田 谷口 大野 高田 丸山 今井 "
    "河野 藤本 村田 武田 上野 杉山 増田 小山 大塚 平野 菅原 久保 松井 千葉 岩崎 桜井 木下 野口 松尾 "
    "菊地 野村 新井 渡部 佐野 杉本 古川 大西 市川 五十嵐 小松 水野 西田 北村 安田 中田 川口 辻 "
    "飯田 吉川 山内 永井 服部 秋山 中西 関 広瀬 岩田 森本 小池 堀 土屋 荒木 浅野 大橋 松下 菅野 "
    "本田 星野 大久保 片山 川上 平田 吉村 須藤 西川 樋口 田口 菅 森 林 松岡 高野 小西").split()
NAME_LABELS = ("氏名", "お名前", "名前", "ご氏名", "申込者名", "契約者名")   # 氏名：<any name>
HONORIFICS = ("様", "さま", "さん", "殿", "氏", "先生", "くん", "君")
# Words that end in an honorific but name nobody: greetings, roles, organisations.
NOT_NAMES = frozenset(
    "皆 皆様 各位 担当者 担当 担当者様 ご担当者 関係者 客 お客 御客 貴社 御社 弊社 当社 会社 社長 部長 課長 "
    "係長 主任 取締役 代表 代表取締役 会長 室長 所長 店長 支店長 院長 校長 理事長 教授 医師 先方 利用者 "
    "会員 顧客 受講者 参加者 応募者 申込者 契約者 取引先 奥 王 神 仏 様々 同 両 皆さん 患者 生徒 学生 "
    "相手 お相手 外部 社外 社内 事務局 窓口 営業 営業部 総務 経理 人事 御中".split())

# --- context words, by label class ---------------------------------------------------------
CONTEXT_WORDS: dict[str, tuple[str, ...]] = {
    "my_number": ("マイナンバー", "個人番号", "my number", "mynumber", "個人番号カード"),
    "order": ("注文番号", "伝票番号", "受付番号", "お問い合わせ番号", "問い合わせ番号", "問合せ番号",
              "お問合せ番号", "追跡番号", "管理番号", "請求書番号", "請求番号", "見積番号", "契約番号",
              "発注番号", "受注番号", "注文No", "品番", "型番", "部品番号", "製品番号", "商品コード",
              "商品番号", "JANコード", "JAN", "会員番号", "予約番号", "案件番号", "伝票No", "シリアル",
              "order no", "order number", "invoice no", "tracking", "serial", "part no", "sku", "ロット",
              "po number", "po no", "p.o.", "purchase order", "ミーティングID", "meeting id", "会議ID"),
    "corporate": ("法人番号", "登録番号", "適格請求書", "インボイス", "corporate number"),
    "birth": ("生年月日", "誕生日", "生まれ", "出生", "生年", "date of birth", "birth date",
              "birthdate", "birthday", "dob"),
    "other_date": ("日付", "申込日", "受付日", "発行日", "作成日", "更新日", "納期", "期限", "予定日",
                   "契約日", "入社日", "登録日", "送付日", "支払日", "請求日", "締切", "開催日", "納品日",
                   "有効期限", "入金日", "発送日", "date"),
    "bank": ("銀行", "信用金庫", "信金", "信用組合", "労働金庫", "農協", "口座", "口座番号", "普通",
             "当座", "貯蓄", "普通預金", "当座預金", "account no", "bank account"),
    "yucho": ("ゆうちょ", "郵便貯金", "振替口座"),
    "passport": ("旅券", "パスポート", "passport"),
    "license": ("運転免許", "免許証", "免許番号", "driver's license", "drivers license", "driving licence",
                "license no", "licence no"),
    "pension": ("基礎年金番号", "年金番号", "年金手帳", "basic pension number", "pension number", "pension no"),
    "resident_code": ("住民票コード", "住民票ｺｰﾄﾞ", "住民票 コード", "住民票\u3000コード", "resident record code",
                      "resident registry code", "juminhyo code"),
    "health": ("保険証", "被保険者", "被保険者番号", "健康保険", "保険者番号", "資格確認書"),
    "residence": ("在留カード", "在留番号", "residence card"),
    "card": ("クレジット", "カード番号", "card number", "card no", "credit card"),
    "postal": ("郵便番号", "〒", "zip", "postal code"),
    "org_phone": ("代表", "大代表", "FAX", "ファックス", "ファクス", "受付", "窓口", "センター", "本社",
                  "支社", "営業所", "事務所", "店舗", "本店", "支店代表", "工場", "コールセンター",
                  "サポート", "main line"),
    # A phone label ends the reach of the label before it (会員番号 12345678 / 電話番号 090-…);
    # it names no type of its own: the number is judged by the numbering plan as unlabelled.
    "phone": ("電話番号", "電話", "携帯番号", "携帯電話", "携帯", "連絡先電話番号", "TEL", "phone", "mobile"),
    "name": ("氏名", "名前", "お名前", "ご氏名", "宛名", "申込者", "契約者", "患者名", "社員名", "会員名",
             "full name", "name"),
}
CONTEXT_BYTES = 100     # about 33 Japanese characters: a label and its value share a line
ORG_LABEL_BYTES = 24    # 代表/FAX right before a number; "FAX 03-… TEL 03-…" leaves the second personal
CHAIN_BYTES = 160       # a labelled value lets the next one in a list inherit its label

# Account holders that are organisations: a company's account on an invoice is not personal.
CORPORATE_HOLDERS = ("カ）", "（カ", "(カ", "カ)", "株式会社", "(株)", "（株）", "㈱", "有限会社",
                     "ユ）", "（ユ", "合同会社", "ド）", "（ド", "社団", "財団", "ザイ）", "シヤ）",
                     "学校法人", "医療法人", "イ）", "Co.", "Ltd", "Inc")

# Local parts of shared mailboxes: not a person.
ROLE_MAILBOXES = frozenset(
    "info support sales contact admin noreply no-reply no_reply webmaster postmaster help service "
    "inquiry inquiries otoiawase toiawase customer office hr jinji soumu somu eigyo press pr billing "
    "accounting keiri recruit saiyo abuse security newsletter news mailer-daemon root team staff "
    "order orders shop store desk center centre kojinjoho privacy marketing media ir".split())


# --- table headers ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    kind: str                       # the personal attribute a column holds, or "other"
    words: tuple[str, ...]          # header words (compared after NFKC, lower case, no spaces)


HEADERS: tuple[Column, ...] = (
    Column("my_number", ("マイナンバー", "個人番号", "mynumber")),
    Column("drivers_license", ("免許証番号", "運転免許証番号", "免許番号", "driverslicense", "licenseno")),
    Column("passport", ("旅券番号", "パスポート番号", "passport", "passportno")),
    Column("pension_number", ("基礎年金番号", "年金番号", "basicpensionnumber", "pensionnumber")),
    Column("resident_code", ("住民票コード", "residentrecordcode", "residentregistrycode")),
    Column("health_insurance", ("保険証番号", "被保険者番号", "保険証記号番号", "記号番号")),
    Column("residence_card", ("在留カード番号", "在留番号", "residencecard")),
    Column("credit_card", ("カード番号", "クレジットカード番号", "クレジットカード", "cardnumber", "cardno",
                           "creditcard")),
    Column("bank_account", ("口座番号", "振込口座", "口座", "accountnumber", "bankaccount")),
    Column("birth_date", ("生年月日", "誕生日", "birthday", "dateofbirth", "birthdate", "dob", "生年")),
    Column("phone", ("電話番号", "電話", "携帯番号", "携帯電話", "携帯", "連絡先電話番号", "連絡先", "tel",
                     "phone", "phonenumber", "mobile", "cell", "自宅電話", "緊急連絡先")),
    Column("email_address", ("メールアドレス", "メール", "e-mail", "email", "mail", "mailaddress",
                             "emailaddress", "連絡先メール")),
    Column("postal_code", ("郵便番号", "〒", "zip", "zipcode", "postalcode", "postcode")),
    Column("address", ("住所", "ご住所", "現住所", "所在地", "住所1", "住所2", "都道府県", "市区町村",
                       "番地", "建物名", "address", "address1", "address2", "city", "prefecture",
                       "street")),
    Column("name_kana", ("フリガナ", "ふりがな", "カナ", "氏名カナ", "氏名(カナ)", "セイ", "メイ", "kana",
                         "よみがな", "カナ氏名")),
    Column("person_name", ("氏名", "名前", "お名前", "姓", "名", "氏", "担当者", "担当者名", "顧客名",
                           "会員名", "社員名", "受講者名", "参加者名", "name", "fullname", "firstname",
                           "lastname", "givenname", "familyname", "surname")),
    Column("gender", ("性別", "gender", "sex")),
    Column("order", ("注文番号", "伝票番号", "受付番号", "管理番号", "請求書番号", "商品コード", "jan",
                     "janコード", "品番", "型番", "orderno", "sku", "会員番号")),
    Column("org_phone", ("代表電話", "会社電話", "fax", "fax番号", "店舗電話", "代表番号")),
)

# Attributes that make a table row or a text line about a person (pii.records: two or more).
PERSON_ATTRIBUTES = frozenset({
    "person_name", "phone", "email_address", "address", "birth_date", "my_number", "credit_card",
    "bank_account", "passport", "drivers_license", "pension_number", "health_insurance",
    "residence_card", "resident_code", "gender"})
# A postal code and an address are one attribute (a shop's address line is not a person).
ATTRIBUTE_OF = {"postal_code": "address", "name_kana": "person_name"}


# --- signatures and quoted text ------------------------------------------------------------
QUOTE_HEADERS = (
    "-----Original Message-----", "----- Original Message -----", "-----元のメッセージ-----",
    "----- 元のメッセージ -----", "---------- Forwarded message ---------", "Begin forwarded message:",
    "-------- 転送メッセージ --------", "-------- Forwarded Message --------", "----- Forwarded by")
QUOTE_HINTS = ("-----", "Forwarded", "forwarded", "転送", "wrote:", "書きました", "のメッセージ", "From:",
               "From：", "差出人", ">:", ">：")        # one of these stands in every quote header
QUOTE_PATTERNS = (        # multi-line mode
    r"^On .{0,200}wrote:[ \t]*$",
    r"^.{0,120}(?:wrote|書きました|のメッセージ)[ \t]*[:：][ \t]*$",
    r"^\d{4}年\d{1,2}月\d{1,2}日.{0,80}<[^>\s]+@[^>\s]+>[ \t]*[:：]?[ \t]*$",
    r"^[ \t]*(?:From|差出人)[ \t]*[:：].{0,200}\n(?:.{0,200}\n){0,2}[ \t]*(?:Sent|Date|送信日時|日付|送信日)[ \t]*[:：]",
)
SIGNATURE_SEPARATOR = r"^(?:-- ?|[-‐－―─━=＝*＊_~〜◆◇■□●○★☆…#+・]{5,}.{0,40}?[-‐－―─━=＝*＊_~〜◆◇■□●○★☆…#+・]*)$"
ORG_MARKERS = ("株式会社", "有限会社", "合同会社", "(株)", "（株）", "㈱", "Co.,", "Co.", "Ltd", "Inc.",
               "Corporation", "K.K.", "部", "課", "室", "グループ", "センター", "事業所", "支店", "営業所",
               "本社", "URL", "http", "www.", "FAX", "Fax", "fax")
RECORD_LABELS = ("氏名", "お名前", "生年月日", "性別", "年齢", "ご住所", "自宅", "マイナンバー", "個人番号")
