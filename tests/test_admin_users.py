"""The console's users page (issue 20): accounts and roles in the database, over a real store."""

from __future__ import annotations

from quarantine.passwords import verify_password
from quarantine.user_store import UserStore

from .admin_console import ADMIN, post, unescaped
from .page_words import english_words

NEW = "hanako@example.co.jp"


def _account(c, login: str = NEW):
    return c.run(UserStore(c.store).account, login)


def test_an_admin_adds_a_user_and_the_database_keeps_only_the_hash(admin):
    r = post(admin, "/admin/users", login=" Hanako@Example.co.jp ", role="sender", password="a long password")
    assert r.status_code == 303 and r.headers["location"] == "/admin/users?done=added"
    account = _account(admin)
    assert account.role == "sender" and not account.disabled
    assert verify_password("a long password", account.password_hash)
    assert "a long password" not in str(admin.sql("SELECT * FROM users"))
    page = admin.client.get("/admin/users?done=added")
    assert page.status_code == 200 and NEW in page.text and 'id="done"' in page.text
    assert admin.sql("SELECT actor, action, detail FROM audit_log WHERE action LIKE 'user%'") == [
        (f"admin:{ADMIN}", "user_added", f"login={NEW} role=sender")
    ]


def test_what_cannot_be_an_account_is_refused_and_says_why(admin):
    for data, words in (
        ({"login": "no-at-sign", "password": "long enough"}, "メールアドレス"),
        ({"login": "a:b@example.co.jp", "password": "long enough"}, "メールアドレス"),
        ({"login": NEW, "password": "short"}, "8文字以上"),
        ({"login": NEW, "password": "x" * 1025}, "長すぎる"),
        ({"login": NEW, "password": "long enough", "role": "root"}, "権限を選んで"),
    ):
        r = post(admin, "/admin/users", **{"role": "sender", **data})
        assert r.status_code == 422 and words in unescaped(r), data
    assert admin.sql("SELECT count(*) FROM users") == [(0,)]
    assert post(admin, "/admin/users", login=NEW, role="admin", password="long enough").status_code == 303
    taken = post(admin, "/admin/users", login=NEW.upper(), role="sender", password="other long one")
    assert taken.status_code == 422 and "すでに登録" in unescaped(taken)
    assert _account(admin).role == "admin", "the first account is untouched"


def test_role_disable_enable_and_password_reset_each_audited(admin):
    post(admin, "/admin/users", login=NEW, role="sender", password="first password")
    assert post(admin, "/admin/users/change", login=NEW, action="role", role="admin").status_code == 303
    assert _account(admin).role == "admin"
    question = post(admin, "/admin/users/change", login=NEW, action="disable")
    assert question.status_code == 200 and 'id="confirm-disable"' in question.text
    assert not _account(admin).disabled, "the first POST only asks"
    assert english_words(question.text) == []
    done = post(admin, "/admin/users/change", login=NEW, action="disable", confirm="1")
    assert done.headers["location"] == "/admin/users?done=disabled" and _account(admin).disabled
    post(admin, "/admin/users/change", login=NEW, action="enable")
    assert not _account(admin).disabled
    short = post(admin, "/admin/users/change", login=NEW, action="password", password="short")
    assert short.status_code == 422
    post(admin, "/admin/users/change", login=NEW, action="password", password="second password")
    assert verify_password("second password", _account(admin).password_hash)
    rows = admin.sql("SELECT action, detail FROM audit_log WHERE action LIKE 'user%' ORDER BY id")
    assert rows == [
        ("user_added", f"login={NEW} role=sender"),
        ("user_role", f"login={NEW} role=admin"),
        ("user_disabled", f"login={NEW}"),
        ("user_enabled", f"login={NEW}"),
        ("user_password", f"login={NEW}"),
    ]
    assert "second password" not in str(admin.sql("SELECT * FROM audit_log"))
    audit = admin.client.get("/admin/audit").text
    assert "ユーザーを無効にしました" in audit and NEW in audit


def test_no_change_without_the_csrf_token_nor_to_an_unknown_or_own_account(admin):
    post(admin, "/admin/users", login=NEW, role="sender", password="first password")
    forged = admin.client.post(
        "/admin/users/change", data={"login": NEW, "action": "role", "role": "admin"}, follow_redirects=False
    )
    assert forged.status_code == 403 and _account(admin).role == "sender"
    assert (
        post(admin, "/admin/users/change", login="nobody@example.co.jp", action="enable").status_code == 404
    )
    assert post(admin, "/admin/users/change", login=NEW, action="promote").status_code == 400
    post(admin, "/admin/users", login=ADMIN, role="admin", password="admin's password")
    for action in ("disable", "role"):
        r = post(admin, "/admin/users/change", login=ADMIN, action=action, role="sender", confirm="1")
        assert r.status_code == 422 and "自分自身" in unescaped(r)
    assert _account(admin, ADMIN).role == "admin" and not _account(admin, ADMIN).disabled


def test_the_page_is_japanese_or_english_and_admins_only(admin, console):
    post(admin, "/admin/users", login=NEW, role="sender", password="first password")
    ja = admin.client.get("/admin/users")
    assert ja.status_code == 200 and "ユーザー" in ja.text and english_words(ja.text) == []
    en = admin.client.get("/admin/users?lang=en")
    assert "Reset password" in en.text and "Disable" in en.text
    admin.client.cookies.clear()
    assert admin.client.get("/admin/users", follow_redirects=False).status_code == 303
