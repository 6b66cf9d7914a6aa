"""A client that sends one reply with a file, as its own process so the test can SIGKILL it.

    python -m tests.faults.attachment_worker CACHE ATTACHMENTS SERVER_URL CONVERSATION FILE BODY

Stages FILE into the attachment cache and queues the reply with it in one transaction (as the
UI does when it shows the reply as saved), unless an earlier run already did; then pushes until
the outbox is empty. Network trouble is expected (the test's proxy holds or cuts requests).
Exit code 0 = sent, 3 = the reply was refused (a bug).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from agent_desktop.backends.base import BackendError
from agent_desktop.backends.reference import ReferenceBackend
from agent_desktop.domain.attachments import SNIFF_BYTES, sniff
from agent_desktop.services.sync_engine import SyncEngine
from agent_desktop.store import Database, meta, outbox
from agent_desktop.store.blobs import BlobStore

QUEUED = "faults.attachment_queued"


def main(argv: list[str]) -> int:
    cache, folder, url, conversation_id, file_path, body = argv[:6]
    db = Database(cache)
    blobs = BlobStore(Path(folder), db)
    backend = ReferenceBackend(url, timeout=(1.0, 5.0))
    agent: dict = {}
    while not agent:
        try:
            agent = backend.sign_in("agent1", "demo").agent
        except BackendError:
            time.sleep(0.02)
    if meta.get(db.reader(), QUEUED) is None:
        source = Path(file_path)
        with open(source, "rb") as src:
            sha, size = blobs.put_stream(src, pin=True)
        staged = {"sha256": sha, "name": source.name, "size": size,
                  "content_type": sniff(source.read_bytes()[:SNIFF_BYTES])}

        def queue(conn) -> None:  # type: ignore[no-untyped-def]
            outbox.enqueue_message(conn, conversation_id, "reply", body, agent.get("id"), agent.get("name", ""),
                                   files=[staged])
            meta.put(conn, QUEUED, "1")

        db.write_sync(queue)
    engine = SyncEngine(db, backend, blobs=blobs)
    while True:
        try:
            engine.push()
        except BackendError:
            # The test fast-forwards time: a real client waits out its backoff here.
            db.write_sync(lambda conn: conn.execute("UPDATE outbox SET next_attempt_at=0 WHERE state='queued'"))
            time.sleep(0.01)
            continue
        counts = outbox.counts(db.reader())
        if counts.get(outbox.FAILED) or counts.get(outbox.CONFLICT):
            for item in outbox.items(db.reader(), (outbox.FAILED, outbox.CONFLICT)):
                print(f"refused: {item.action} {item.last_error}", file=sys.stderr)
            return 3
        if not counts.get(outbox.QUEUED):
            db.close()
            return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main(sys.argv[1:]))
