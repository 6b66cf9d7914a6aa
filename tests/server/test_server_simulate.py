"""The demo traffic simulator posts realistic contacts and replies through /api/v1/inbound."""

from __future__ import annotations

import time

from agent_desktop.server.embedded import EmbeddedServer
from agent_desktop.server.simulate import Simulator, contacts_from_database

from .conftest import KEY, Api, demo_database


def test_simulator_posts_new_contacts_and_replies(small_api: tuple[Api, EmbeddedServer]) -> None:
    api, server = small_api
    database = demo_database(server)
    contacts = contacts_from_database(database)
    assert contacts
    before = database.counts()
    simulator = Simulator(api.url, KEY, contacts=contacts, seed=3, new_share=0.5)
    results = [simulator.step() for _ in range(20)]
    simulator.stop()
    created = sum(result["created"] for result in results)
    assert 0 < created < 20  # some new conversations, some replies appended to open ones
    after = database.counts()
    assert after["message"] == before["message"] + 20
    assert after["conversation"] == before["conversation"] + created
    bodies = [api.call("GET", f"/api/v1/conversations/{r['conversation_id']}").json()["preview"] for r in results]
    assert all(bodies)


def test_simulator_thread_runs_and_stops(small_api: tuple[Api, EmbeddedServer]) -> None:
    api, server = small_api
    simulator = Simulator(api.url, KEY, interval=0.05, seed=5)
    simulator.start()
    deadline = time.monotonic() + 10
    while simulator.sent < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    simulator.stop()
    assert simulator.sent >= 3
    sent = simulator.sent
    time.sleep(0.2)
    assert simulator.sent == sent


def test_embedded_server_can_simulate(tmp_path) -> None:
    server = EmbeddedServer()
    url = server.start(tmp_path / "sim.sqlite3", demo=False, simulate=True, simulate_interval=0.05)
    try:
        deadline = time.monotonic() + 10
        while demo_database(server).counts()["message"] < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert demo_database(server).counts()["message"] >= 2
        assert url.startswith("http://127.0.0.1:")
    finally:
        server.stop()
    assert server.url is None
