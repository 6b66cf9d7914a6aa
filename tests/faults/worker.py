"""The client under test, as its own process so the test can SIGKILL it at any moment.

    python -m tests.faults.worker CACHE SERVER_URL PLAN.json PHASE_FILE

Opens the cache, signs in, and loops: queue the next few actions of the plan (each in one
transaction together with the plan position — exactly what the UI does when it shows an action
as saved), push, pull. Network trouble is expected (the proxy injects it); the worker keeps
going until every planned action is queued, the outbox is empty and a pull has succeeded.
It writes what it is doing ("push"/"pull"/"queue") to PHASE_FILE so the test can tell where
each kill landed. Exit code 0 = done, 3 = an action was refused or conflicted (a bug).
"""

from __future__ import annotations

import json
import os
import sys
import time

from agent_desktop.backends.base import BackendError
from agent_desktop.backends.reference import ReferenceBackend
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database, StoreError, meta, outbox

PLAN_POS = "faults.plan_pos"
BATCH = 4


def _phase(path: str, name: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(name)


def _queue(conn, plan: list[dict], start: int, count: int, agent: dict) -> int:  # type: ignore[no-untyped-def]
    """Queue up to `count` actions from `start` whose conversation is cached; returns the new position."""
    pos = start
    for action in plan[start:start + count]:
        if conn.execute("SELECT 1 FROM conversations WHERE id=?", (action["conversation_id"],)).fetchone() is None:
            break
        if action["action"] == "patch":
            outbox.enqueue_patch(conn, action["conversation_id"], action["fields"])
        else:
            outbox.enqueue_message(conn, action["conversation_id"], action["action"], action["body"],
                                   agent.get("id"), agent.get("name", ""))
        pos += 1
    meta.put(conn, PLAN_POS, str(pos))
    return pos


def main(argv: list[str]) -> int:
    cache, url, plan_path, phase_path = argv[:4]
    with open(plan_path, encoding="utf-8") as handle:
        plan = json.load(handle)
    db = Database(cache)
    backend = ReferenceBackend(url, timeout=(1.0, 0.6))
    engine = SyncEngine(db, backend, page_size=40)
    agent: dict = {}
    while not agent:
        try:
            agent = backend.sign_in("agent1", "demo").agent
        except BackendError:
            time.sleep(0.02)
    pulled_once = False
    while True:
        pos = int(meta.get(db.reader(), PLAN_POS) or 0)
        if pos < len(plan):
            _phase(phase_path, "queue")
            pos = db.write_sync(_queue, plan, pos, BATCH, agent)
        try:
            _phase(phase_path, "push")
            engine.push()
            _phase(phase_path, "pull")
            engine.pull()
            pulled_once = True
        except (BackendError, StoreError):
            pulled_once = False
            # The test fast-forwards time: a real client waits out Retry-After / backoff here.
            db.write_sync(lambda conn: conn.execute("UPDATE outbox SET next_attempt_at=0 WHERE state='queued'"))
            time.sleep(0.01)
        stuck = outbox.counts(db.reader())
        if stuck.get(outbox.FAILED) or stuck.get(outbox.CONFLICT):
            for item in outbox.items(db.reader(), (outbox.FAILED, outbox.CONFLICT)):
                print(f"refused: {item.action} {item.payload} {item.last_error}", file=sys.stderr)
            return 3
        if pos >= len(plan) and not stuck.get(outbox.QUEUED) and pulled_once:
            _phase(phase_path, "done")
            db.close()
            return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main(sys.argv[1:]))
