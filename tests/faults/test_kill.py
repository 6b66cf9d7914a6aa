"""SIGKILL the syncing client at random moments while the proxy injects faults: nothing lost, nothing twice.

The CI subset; `python -m tests.faults.killrun --soak` is the long run (see docs/reliability.md).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict

from tests.faults.killrun import run_campaign


def test_killed_client_under_faults_loses_nothing_and_sends_nothing_twice(tmp_path):
    soak = os.environ.get("AGENT_DESKTOP_SOAK") == "1"
    figures = run_campaign(tmp_path, actions=600 if soak else 120, kills=25 if soak else 8,
                           fault_rate=0.4 if soak else 0.35, seed=int(os.environ.get("AGENT_DESKTOP_SEED", "3")))
    print(json.dumps(asdict(figures), ensure_ascii=False))
    assert figures.kills >= (25 if soak else 6), figures
    assert figures.fault_share >= 0.25, figures
    assert figures.kills_by_phase.get("push", 0) >= 1 and figures.kills_by_phase.get("pull", 0) >= 1, figures
    assert len(figures.faults_by_kind) >= 8, figures.faults_by_kind  # every kind of fault was exercised
    assert figures.lost == 0 and figures.duplicated == 0, figures
    assert figures.target_writes >= 3 and figures.false_conflicts == 0, figures   # customers wrote in meanwhile
    assert figures.integrity == "ok"
    assert figures.local_equals_server, figures.mismatches
