"""'Test connection' for a Request Tracker profile, against the live RT: each verdict for real."""

from __future__ import annotations

import pytest

from agent_desktop.services.connection_check import VerdictCode, check_connection
from tests.helpers import RunningServer


def test_an_rt_token_and_an_rt_password_both_sign_in(rt_server):
    by_token = check_connection("rt", rt_server.url, rt_server.agent.name, rt_server.agent.token)
    by_password = check_connection("rt", rt_server.url, rt_server.agent.name, rt_server.agent.password)
    assert by_token.code == by_password.code == VerdictCode.OK
    assert by_token.agent_name == "张伟 Zhang Wei"


@pytest.mark.parametrize("secret", ["wrong-password", "1-35-00000000000000000000000000000000"])
def test_a_wrong_password_or_token_is_bad_credentials(rt_server, secret):
    verdict = check_connection("rt", rt_server.url, rt_server.agent.name, secret)
    assert verdict.code == VerdictCode.BAD_CREDENTIALS
    assert secret not in (verdict.detail or "")


def test_an_rt_profile_pointed_at_another_kind_of_server_is_unsupported(tmp_path):
    server = RunningServer(tmp_path / "server.sqlite3")
    try:
        verdict = check_connection("rt", server.url, "agent1", "demo")
    finally:
        server.stop()
    assert verdict.code == VerdictCode.UNSUPPORTED
    assert "REST2" in (verdict.detail or "")
