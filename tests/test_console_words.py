"""One word per notion in the console: the rules page's table names actions and modes
everywhere, and an approver's rejection is 却下 wherever it is shown."""

from quarantine.admin import audit_pages, rule_words, words
from quarantine.i18n import action_label


def test_actions_and_modes_read_as_the_rules_page_names_them():
    for action, (ja, en, _, _) in rule_words.ACTIONS.items():
        assert words.action_words(action) == (ja, en)
    for mode, (ja, en, _, _) in rule_words.MODES.items():
        assert words.mode_words(mode) == (ja, en)
    assert words.action_words("hold_for_approval")[0] == "上長承認"
    assert words.action_words("no-such-action") == ("その他", "other")


def test_a_rejection_is_kyakka_and_a_rules_refusal_kyohi():
    assert words.state_words("rejected")[0].startswith("却下")
    assert words.state_words(words.PASSED, "reject")[0].startswith("拒否")
    # the audit log words it as the history table does, not a second time
    assert "rejected" not in audit_pages.CONSOLE_ACTIONS
    assert audit_pages.action_words("rejected", "ja") == action_label("rejected", "ja")
    assert "却下" in audit_pages.action_words("rejected", "ja")
