"""Several guards behind a load balancer share one PostgreSQL and send nothing twice."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from .support import MY_NUMBER_BODY, make_guard, message, notice_link


@pytest.mark.process
def test_hold_on_one_guard_release_on_another_delivers_once(tmp_path, upstream, postgres_url):
    guards = []
    try:
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            guards.append(make_guard(tmp_path / name, upstream.url, storage=postgres_url).start())
        first, second = guards
        raw = message("給与明細", MY_NUMBER_BODY)
        with first.smtp() as client:
            client.sendmail("taro@example.co.jp", ["partner@client.example"], raw)
        [notice] = upstream.recorder.wait_for(1)
        link = notice_link(notice)
        # The link names guard a's web port; guard b serves the same hold from the shared store.
        on_second = re.sub(r":\d+/", f":{second.web_port}/", link)
        page = httpx.get(on_second)
        assert page.status_code == 200 and "state state-held" in page.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        for url in (on_second, link):  # both instances asked to release
            httpx.post(url, data={"action": "release", "csrf": csrf, "confirm": "1"})
        upstream.recorder.wait_for(2)
        time.sleep(3)  # both workers poll; a duplicate would arrive within this
        assert [m.data for m in upstream.recorder.to("partner@client.example")] == [raw]
        assert "state state-released" in httpx.get(link).text
    finally:
        for guard in guards:
            guard.stop()
