"""The knowledge service (its outbox actions) is imported lazily, yet before a session's sync sends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import RunningServer

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter: in the test process every feature module is imported already.
CHILD = """
import sys
from pathlib import Path
from agent_desktop.services.session import make_backend, open_session
from agent_desktop.store import outbox
import agent_desktop.ui.main_window  # the whole first-window import chain
assert "agent_desktop.services.knowledge" not in sys.modules, "start-up imports the knowledge service"
backend = make_backend(sys.argv[1])
backend.sign_in("agent1", "demo")          # the backend's own sign-in: nothing registered by it
session = open_session(Path(sys.argv[2]), backend, "agent1", None, "t")
session.sync.engine.pull()
script = session.db.reader().execute("SELECT id FROM scripts LIMIT 1").fetchone()[0]
# A use counted in the last run, still in the outbox: sent by the first push of this one.
session.db.write_sync(outbox.enqueue_action, "knowledge_usage", "", {"entity": "script", "id": script, "count": 1})
session.sync.engine.push()
print("left", len(outbox.items(session.db.reader())))
session.search.close()
session.db.close()
"""


def test_a_sessions_first_push_sends_knowledge_actions_left_by_the_last_run(tmp_path):
    server = RunningServer(tmp_path / "server.sqlite3")
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, server.url, str(tmp_path / "home")], cwd=ROOT,
                              capture_output=True, text=True, timeout=180,
                              env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["left", "0"], done.stdout + done.stderr[-2000:]
