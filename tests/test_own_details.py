"""Our own and our clients' bank accounts in English (issue 17, item 6): a company's account is
not personal data, whether its holder carries an English corporate form or is one of the names
the guard was given (organization.names, the client directory); a person's account still is.

Holders are tested as strings (`AccountHolders`), then in text through the real PersonalData
inspector, then from a real guard.yaml through the pipeline's inspectors."""

from __future__ import annotations

import datetime
import time

import pytest

from inspectors.account_holders import AccountHolders, has_corporate_form, key
from inspectors.clients import Client
from inspectors.personal_data import PersonalData
from proxy.errors import ConfigError
from proxy.pipeline import build_inspectors, inspector_config
from proxy.settings import load_settings

from .views import text_view

TODAY = datetime.date(2026, 12, 1)
OURS = ("鳴海テクノサービス株式会社", "Narumi Techno Service Co., Ltd.", "ナルミテクノサービス")
HOLDERS = AccountHolders.of((*OURS, "株式会社港北ロジスティクス", "Kohoku Logistics"))


def bank_accounts(text: str, holders: AccountHolders = HOLDERS) -> int:
    found = PersonalData(today=TODAY, holders=holders).inspect(text_view(text))
    return sum(f.count for f in found if f.code == "pii.bank_account")


@pytest.mark.parametrize(
    "holder",
    [
        "ACME TRADING CO., LTD.",
        "Acme Trading Co.,Ltd.",
        "acme trading co ltd",
        "Acme Corporation",
        "ACME CORP.",
        "Acme Inc.",
        "Acme K.K.",
        "Acme Kabushiki Kaisha",
        "Acme G.K.",
        "Acme LLC",
        "Acme Ltd",
        "Acme Limited",
        "Acme Holdings",
        "Mitsui & Co.",
        "MITSUI & CO",
        "ＡＣＭＥ　ＴＲＡＤＩＮＧ　ＣＯ．，ＬＴＤ．",
        "カ）アクメ",
        "ｱｸﾒ(ｶ",
        "株式会社アクメ",
    ],
)
def test_corporate_forms_in_any_case_and_width(holder):
    assert has_corporate_form(holder)
    assert AccountHolders().is_company(holder)


@pytest.mark.parametrize(
    "person",
    [
        "TARO YAMADA",
        "Corinne Incledon",
        "Lincoln Park",
        "Colt Morgan",
        "Ms. Coco Ince",
        "John Smith, Denver, CO",
        "ヤマダ タロウ",
    ],
)
def test_people_with_form_like_letters_in_their_names_are_people(person):
    assert not AccountHolders().is_company(person)
    assert not HOLDERS.is_company(person)


@pytest.mark.parametrize(
    "spelling",
    [
        "NARUMI TECHNO SERVICE CO., LTD.",
        "Narumi Techno Service Co.,Ltd.",
        "narumi  techno-service",
        "Narumi Techno Service",
        "ＮＡＲＵＭＩ　ＴＥＣＨＮＯ　ＳＥＲＶＩＣＥ",
        "ﾅﾙﾐﾃｸﾉｻ-ﾋﾞｽ",
        "ナルミテクノサービス",
        "鳴海テクノサービス",
        "Kohoku Logistics",
        "港北ロジスティクス",
    ],
)
def test_configured_names_compare_without_case_width_spaces_punctuation_or_form(spelling):
    assert HOLDERS.is_company(spelling)


def test_names_unknown_to_the_guard_and_without_a_form_are_people():
    assert not HOLDERS.is_company("Narumi")  # a person called Narumi, not our company
    assert not HOLDERS.is_company("Narumi Techno")  # not one of the names we were given
    assert not AccountHolders().is_company("Narumi Techno Service")  # no names configured
    assert (
        key("NARUMI TECHNO SERVICE CO., LTD.")
        == key("Narumi Techno Service Co.,Ltd.")
        == "narumitechnoservice"
    )


INVOICE = """Payment details
  Bank:         MUFG Bank, Ltd.  Nagoya Branch
  Account No.:  Ordinary 1620475
{holder}
"""


@pytest.mark.parametrize(
    ("holder", "personal"),
    [
        ("  Beneficiary:  NARUMI TECHNO SERVICE CO., LTD.", 0),
        ("  Beneficiary:  Narumi Techno Service", 0),
        ("  Account name: Kohoku Logistics", 0),
        ("  Account holder: ACME TRADING LIMITED", 0),
        ("  口座名義：カ）ナルミテクノサービス", 0),
        ("  Beneficiary:  TARO YAMADA", 1),
        ("  Account name: Corinne Incledon", 1),
        ("", 1),  # no holder: the bank's own "Ltd." above the number is not the holder
        ("  Beneficiary Bank: Mizuho Bank, Ltd.", 1),  # a bank, not a holder label
        ("  Beneficiary   Bank   Mizuho Bank, Ltd.", 1),
        ("\x1e\x1fBeneficiary NARUMI TECHNO SERVICE CO., LTD.", 0),  # a sheet's row: label | holder
        ("\x1e\x1fBeneficiary TARO YAMADA", 1),
    ],
)
def test_the_labelled_holder_decides(holder, personal):
    assert bank_accounts(INVOICE.format(holder=holder)) == personal


def test_a_holder_line_before_the_number_and_on_its_line():
    before = "Beneficiary: Narumi Techno Service Co.,Ltd.\nBank: MUFG Bank, Ltd.\nAccount No.: 1620475\n"
    assert bank_accounts(before) == 0
    assert bank_accounts("Account No. 1620475  Beneficiary: KOHOKU LOGISTICS CO.,LTD.\n") == 0
    assert bank_accounts("Account No. 1620475  Beneficiary: HANAKO SUZUKI\n") == 1
    assert bank_accounts("口座番号 1620475 ナルミテクノサービス\n") == 0
    assert bank_accounts("口座名義：ﾅﾙﾐﾃｸﾉｻｰﾋﾞｽ\n三菱UFJ銀行 名古屋支店\n普通 1620475\n") == 0
    assert bank_accounts("口座名義：ﾔﾏﾀﾞ ﾀﾛｳ\n三菱UFJ銀行 名古屋支店\n普通 1620475\n") == 1
    # A label alone on its line, the holder below it (a PDF's two-line layout)
    assert bank_accounts("Account No.: 1620475\nBeneficiary:\nNARUMI TECHNO SERVICE CO., LTD.\n") == 0
    assert (
        bank_accounts("Beneficiary:\nNarumi Techno Service\nBank: MUFG Bank, Ltd.\nAccount No.: 1620475\n")
        == 0
    )
    assert bank_accounts("Account No.: 1620475 Beneficiary:\nTARO YAMADA\n") == 1
    assert bank_accounts("Account No.: 1620475 Beneficiary:\nKOHOKU LOGISTICS CO.,LTD.\n") == 0


def test_a_bank_named_beside_the_number_is_not_its_holder():
    refund = "Please remit the refund to my account.\nAccount No.: 1234567 (Savings) {bank}\n{holder}\n"
    for bank in ("Sumitomo Mitsui Banking Corporation", "MUFG Bank, Ltd.", "三井住友銀行株式会社 名古屋支店"):
        assert bank_accounts(refund.format(bank=bank, holder="Beneficiary: Taro Yamada")) == 1, bank
        assert bank_accounts(refund.format(bank=bank, holder="口座名義 ヤマダ タロウ")) == 1, bank
        assert (
            bank_accounts(refund.format(bank=bank, holder="Beneficiary: NARUMI TECHNO SERVICE CO., LTD."))
            == 0
        )


def test_the_nearest_holder_wins_when_two_accounts_stand_together():
    text = (
        "Bank account 1620475\nBeneficiary: NARUMI TECHNO SERVICE CO., LTD.\n"
        "Bank account 5730918\nBeneficiary: KENJI NARUMI\n"
    )
    assert bank_accounts(text) == 1
    assert bank_accounts(text, AccountHolders()) == 1  # by form alone: the same


@pytest.mark.timing
def test_a_crafted_holder_window_costs_linear_time():
    # 2,000 account numbers on one line of 800 kB: each number's holder is read in a window of a
    # few hundred bytes around it, never the rest of the line (that took minutes), and runs of
    # spaces after "co" or a label are bounded in the regexes.
    spaces = " " * 200
    line = "".join(f"Account No. {1000000 + i} co.{spaces},{spaces}x " for i in range(2000))
    started = time.perf_counter()
    assert bank_accounts(line + "\n") == 0  # "co": a form, every holder a company
    people = "".join(f"Account No. {1000000 + i} Beneficiary{spaces}: TARO{spaces}" for i in range(2000))
    assert bank_accounts(people + "\n") == 2000  # no label within reach: people
    assert time.perf_counter() - started < 5


def test_organization_names_reach_the_inspectors(tmp_path):
    path = tmp_path / "guard.yaml"
    path.write_text(
        'organization:\n  names: [鳴海テクノサービス株式会社, "NARUMI TECHNO SERVICE CO., LTD."]\n'
        "  clients: [{name: 株式会社港北ロジスティクス, aliases: [Kohoku Logistics], domains: [kohoku-logi.co.jp]}]\n",
        "utf-8",
    )
    settings = load_settings(path, {})
    assert settings.own_names[1] == "NARUMI TECHNO SERVICE CO., LTD."
    personal = next(i for i in build_inspectors(inspector_config(settings)) if isinstance(i, PersonalData))
    for holder, expected in (("Narumi Techno Service", 0), ("Kohoku Logistics", 0), ("Taro Yamada", 1)):
        view = text_view(INVOICE.format(holder=f"  Beneficiary: {holder}"))
        assert sum(f.count for f in personal.inspect(view) if f.code == "pii.bank_account") == expected


@pytest.mark.parametrize("bad", ["Co., Ltd.", "株式会社", "K.K."])
def test_a_name_that_is_only_a_legal_form_is_a_config_error_naming_the_key(tmp_path, bad):
    path = tmp_path / "guard.yaml"
    path.write_text(f'organization:\n  names: [鳴海テクノサービス, "{bad}"]\n', "utf-8")
    with pytest.raises(ConfigError, match=r"organization\.names\[1\]: must name the company") as err:
        load_settings(path, {})
    assert str(path) in str(err.value)


def test_client_directory_names_count_as_companies():
    client = Client(
        name="株式会社さくら台フーズ", aliases=("Sakuradai Foods",), domains=("sakuradai-foods.jp",)
    )
    holders = AccountHolders.of((client.name, *client.aliases))
    assert holders.is_company("SAKURADAI FOODS") and holders.is_company("さくら台フーズ")
    assert not holders.is_company("Sakuradai")
