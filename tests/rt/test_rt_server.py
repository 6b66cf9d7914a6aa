"""The RT fixture itself: seeded data reachable over REST2, ETags, tokens, rights, URLs."""

from __future__ import annotations

import requests

from tests.rt.rt_server import RunningRT


def get(rt: RunningRT, path: str, **kwargs) -> requests.Response:
    kwargs.setdefault("auth", rt.agent.basic_auth)
    return requests.get(f"{rt.rest_url}{path}", timeout=30, **kwargs)


def test_ticket_search_counts_the_seeded_tickets(rt_server: RunningRT) -> None:
    answer = get(rt_server, "/tickets", params={"query": "id > 0", "per_page": 1})
    assert answer.status_code == 200, answer.text
    assert answer.json()["total"] == rt_server.seeded.counts["tickets"] == 300
    vip = rt_server.seeded.counts["queues"]["VIP"]
    answer = get(rt_server, "/tickets", params={"query": "Queue = 'VIP'", "per_page": 1})
    assert answer.json()["total"] == vip


def test_urls_in_answers_point_at_the_fixture(rt_server: RunningRT) -> None:
    body = get(rt_server, "/tickets", params={"query": "id > 0", "per_page": 2}).json()
    assert body["next_page"].startswith(rt_server.rest_url + "/tickets?")
    assert all(item["_url"].startswith(rt_server.url + "/REST/2.0/ticket/") for item in body["items"])


def test_stale_if_match_is_refused_and_a_fresh_one_applies(rt_server: RunningRT) -> None:
    ticket = rt_server.seeded.tickets[0]
    answer = get(rt_server, f"/ticket/{ticket}")
    etag = answer.headers["ETag"]
    stale = requests.put(f"{rt_server.rest_url}/ticket/{ticket}", json={"Priority": 7}, auth=rt_server.agent.basic_auth,
                         headers={"If-Match": '"1"'}, timeout=30)
    assert stale.status_code == 412
    fresh = requests.put(f"{rt_server.rest_url}/ticket/{ticket}", json={"Priority": 7}, auth=rt_server.agent.basic_auth,
                         headers={"If-Match": etag}, timeout=30)
    assert fresh.status_code == 200, fresh.text
    assert get(rt_server, f"/ticket/{ticket}").headers["ETag"] != etag


def test_the_auth_token_signs_in_as_agent1(rt_server: RunningRT) -> None:
    answer = get(rt_server, "/user/agent1", auth=None, headers=rt_server.agent.token_header)
    assert answer.status_code == 200, answer.text
    assert answer.json()["RealName"] == "张伟 Zhang Wei"
    assert get(rt_server, "/user/agent1", auth=None, headers={"Authorization": "token 1-1-wrong"}).status_code == 401


def test_viewer_may_read_but_not_reply_or_create(rt_server: RunningRT) -> None:
    ticket = rt_server.seeded.tickets[1]
    assert get(rt_server, f"/ticket/{ticket}", auth=rt_server.viewer.basic_auth).status_code == 200
    before = len(get(rt_server, f"/ticket/{ticket}/history", params={"per_page": 100}).json()["items"])
    # RT 5.0.3 answers a correspond without ReplyToTicket with 400 "Permission Denied", not 403.
    reply = requests.post(f"{rt_server.rest_url}/ticket/{ticket}/correspond", auth=rt_server.viewer.basic_auth,
                          json={"Content": "不应发送", "ContentType": "text/plain"}, timeout=30)
    assert reply.status_code in (400, 403) and "Permission Denied" in reply.text
    after = len(get(rt_server, f"/ticket/{ticket}/history", params={"per_page": 100}).json()["items"])
    assert after == before
    create = requests.post(f"{rt_server.rest_url}/ticket", auth=rt_server.viewer.basic_auth,
                           json={"Queue": "General", "Subject": "x"}, timeout=30)
    assert create.status_code == 403


def test_history_shows_the_seeded_messages(rt_server: RunningRT) -> None:
    ticket = rt_server.seeded.tickets[2]
    answer = get(rt_server, f"/ticket/{ticket}/history",
                 params={"per_page": 100, "fields": "Type,Creator", "fields[Creator]": "Name"})
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    messages = [t for t in items if t["Type"] in ("Create", "Correspond", "Comment")]
    assert len(messages) == rt_server.seeded.counts["messages_per_ticket"]
    assert items[0]["Type"] == "Create"
    assert items[0]["Creator"]["Name"].endswith("@example.com")  # the customer wrote in


def test_a_change_made_on_the_server_shows_over_rest(rt_server: RunningRT) -> None:
    ticket = rt_server.seeded.tickets[3]
    rt_server.perl(f"my $t = RT::Ticket->new(RT->SystemUser); $t->Load({ticket}); "
                   "my ($ok, $msg) = $t->SetSubject('服务器端修改 changed on the server'); die $msg unless $ok;")
    assert get(rt_server, f"/ticket/{ticket}").json()["Subject"] == "服务器端修改 changed on the server"
