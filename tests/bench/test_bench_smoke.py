"""The benchmark runs end to end at a tiny scale and writes a complete report (never a timing gate)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    cache = tmp_path_factory.mktemp("bench-cache")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "AGENT_DESKTOP_BENCH_CACHE": str(cache),
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "agent_desktop.bench", "--scale", "0.005", "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=170, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), done.stdout


def _timing(block):
    assert block["n"] >= 1
    for key in ("median_ms", "p95_ms", "max_ms"):
        assert isinstance(block[key], (int, float)) and block[key] >= 0
    assert block["median_ms"] <= block["p95_ms"] <= block["max_ms"]


def test_every_measure_is_reported(report):
    data, _ = report
    results = data["results"]
    _timing(results["startup"]["floor"])
    _timing(results["startup"]["floor_lean"])
    assert results["startup"]["ratio_lean"] > 0
    _timing(results["startup"]["app"])
    assert results["startup"]["app"]["rows_painted"] > 0  # the inbox, not an empty window, was timed
    inbox = results["inbox"]
    _timing(inbox["view_switch"])
    assert inbox["view_switch"]["views"] >= 5
    _timing(inbox["scroll"])
    assert inbox["scroll"]["all_loaded"] and inbox["scroll"]["rows_loaded"] > 0
    for name in ("zh_1char", "zh_2char", "zh_3plus", "english", "phone", "email", "all"):
        _timing(inbox["search"][name])
    for name in ("zh_1char", "zh_2char", "zh_3plus", "english", "phone", "email"):
        assert inbox["search"][name]["hits_per_query"] > 0, name  # queries come from the data: all find something
    assert inbox["search_typing"]["ticks"] > 10 and inbox["search_typing"]["results_shown"] > 0
    assert inbox["rss_after_scroll_mb"] > 0
    sync = results["sync"]
    _timing(sync["raw_download"])
    _timing(sync["engine_pull"])
    _timing(sync["index_backlog"])
    assert sync["ratio_with_index"] >= sync["ratio"] > 0
    assert sync["gui_sync"]["seconds_to_index"] >= sync["gui_sync"]["seconds"]
    assert sync["engine_pull"]["records"] >= data["sync_scale"]["messages"]  # every message arrived
    assert sync["gui_sync"]["completed"] and sync["gui_sync"]["inbox_rows"] > 0
    assert sync["ratio"] > 0


def test_verdicts_cover_every_budget_and_the_table_is_printed(report):
    data, stdout = report
    assert set(data["verdicts"]) == {"startup_ratio", "view_switch_ms", "search_p95_ms", "sync_ratio",
                                     "gui_stall_sync_ms", "gui_stall_search_ms", "rss_mb"}
    for verdict in data["verdicts"].values():
        assert isinstance(verdict["met"], bool) and verdict["value"] is not None
    assert data["machine"]["cores"] and data["machine"]["sqlite"]
    for label in ("start: app to painted inbox", "view switch", "search: phone numbers", "SyncEngine.pull",
                  "longest GUI stall", "RSS"):
        assert label in stdout


def test_the_data_set_is_deterministic():
    from agent_desktop.bench import dataset

    scale = dataset.Scale(200, seed=3)
    first, second = dataset.build(scale), dataset.build(scale)
    assert dataset.digest(first) == dataset.digest(second)
    assert len(first.messages) == scale.messages and len(first.conversations) == 200
    bodies = [message["body"] for _, message in first.messages]
    assert any(len(body) > 500 for body in bodies) and any(len(body) < 40 for body in bodies)
    assert any("\u4e00" <= char <= "\u9fff" for body in bodies[:200] for char in body)
    assert dataset.digest(dataset.build(dataset.Scale(200, seed=4))) != dataset.digest(first)
