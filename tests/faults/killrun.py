"""The kill-and-fault campaign: a real server, the fault proxy, a client process killed at random.

    python -m tests.faults.killrun            # the CI subset (also run by test_kill.py)
    python -m tests.faults.killrun --soak     # ≥ 500 actions, ≥ 20 SIGKILLs, ≥ 25 % faults
    python -m tests.faults.killrun --actions 2000 --kills 80 --fault-rate 0.4 --seed 7

Prints the figures as JSON. The checks (every action on the server exactly once, the cache
intact, local state equal to the server's) are in `check()`, shared with the pytest test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.faults.proxy import FaultProxy, random_chooser
from tests.helpers import RunningServer

ROOT = Path(__file__).resolve().parents[2]
PRIORITIES = ("low", "normal", "high", "urgent")


@dataclass
class Figures:
    actions: int = 0
    replies: int = 0
    notes: int = 0
    patches: int = 0
    kills: int = 0
    kills_by_phase: dict[str, int] = field(default_factory=dict)
    client_runs: int = 0
    news: int = 0             # customer messages arriving meanwhile
    target_writes: int = 0    # of them, written into the very conversations the agent is changing
    false_conflicts: int = 0  # changes turned into conflicts though no one else touched their fields
    requests: int = 0
    faults: int = 0
    fault_share: float = 0.0
    faults_by_kind: dict[str, int] = field(default_factory=dict)
    lost: int = 0
    duplicated: int = 0
    integrity: str = ""
    local_equals_server: bool = False
    mismatches: list[str] = field(default_factory=list)
    seconds: float = 0.0


def make_plan(conversations: list[dict[str, Any]], count: int, seed: int) -> list[dict[str, Any]]:
    """Deterministic replies, notes and ticket changes, each carrying a unique marker."""
    rng = random.Random(seed)
    plan = []
    for n in range(count):
        target = rng.choice(conversations)["id"]
        marker = f"fx-{seed}-{n}"
        roll = rng.random()
        if roll < 0.6:
            plan.append({"action": "reply", "conversation_id": target, "marker": marker,
                         "body": f"您好，已为您处理退款 [{marker}] 谢谢"})
        elif roll < 0.7:
            plan.append({"action": "note", "conversation_id": target, "marker": marker,
                         "body": f"internal note [{marker}]"})
        else:
            plan.append({"action": "patch", "conversation_id": target, "marker": marker,
                         "fields": {"tags": [marker], "priority": rng.choice(PRIORITIES)}})
    return plan


def _spawn(cache: Path, url: str, plan_path: Path, phase: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tests.faults.worker", str(cache), url, str(plan_path), str(phase)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def run_campaign(workdir: Path, *, actions: int, kills: int, fault_rate: float, seed: int = 1,
                 kill_window: tuple[float, float] = (0.4, 1.6), finish_timeout: float = 240.0,
                 target_interval: float = 1.0) -> Figures:
    started = time.monotonic()
    figures = Figures(actions=actions)
    server = RunningServer(workdir / "server.sqlite3")
    rng = random.Random(seed)
    try:
        token = server.token()
        before = server.feed(token)
        open_ones = sorted((dict(data, id=cid) for (entity, cid), data in before.items()
                            if entity == "conversation" and data["status"] != "closed"), key=lambda c: c["id"])
        targets = random.Random(seed).sample(open_ones, min(15, len(open_ones)))
        plan = make_plan(targets, actions, seed)
        plan_path = workdir / "plan.json"
        plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        cache, phase = workdir / "client.sqlite3", workdir / "phase.txt"
        by_phase: Counter[str] = Counter()
        news = News(server, seed)
        news.start()
        writers = TargetWriters(server, _callers(targets, before), seed, target_interval)
        writers.start()
        with FaultProxy(server.url, random_chooser(fault_rate, seed), delay=0.9, seed=seed) as proxy:
            while figures.kills < kills:
                phase.write_text("start", encoding="utf-8")
                child = _spawn(cache, proxy.url, plan_path, phase)
                figures.client_runs += 1
                time.sleep(rng.uniform(*kill_window))
                if figures.kills % 3 == 0:  # every third kill waits for a pull to be under way,
                    _wait_for_phase(phase, "pull", 2.0)
                elif figures.kills % 3 == 1:  # the next for a send; the rest strike wherever they land
                    _wait_for_phase(phase, "push", 2.0)
                if child.poll() is not None:  # it finished the whole plan before we struck
                    _reap(child)
                    break
                where = phase.read_text(encoding="utf-8") or "start"
                child.send_signal(signal.SIGKILL)
                child.wait()
                figures.kills += 1
                by_phase[where] += 1
            news.stop()
            writers.stop()
            figures.news = news.sent
            figures.target_writes = sum(writers.received.values())
            child = _spawn(cache, proxy.url, plan_path, phase)   # the last life: run to the end
            figures.client_runs += 1
            try:
                child.wait(timeout=finish_timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            stderr = _reap(child)
            if child.returncode != 0:
                figures.mismatches.append(f"the last client run ended with {child.returncode}: {stderr[-2000:]}")
            figures.requests, figures.faults = proxy.requests, proxy.faults
            figures.faults_by_kind = {k: v for k, v in sorted(proxy.stats.items()) if k != "ok"}
        figures.fault_share = round(figures.faults / max(1, figures.requests), 3)
        figures.kills_by_phase = dict(by_phase)
        check(figures, plan, before, server.feed(token), cache, writers.received)
    finally:
        server.stop()
    figures.seconds = round(time.monotonic() - started, 1)
    return figures


def _wait_for_phase(phase: Path, name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if phase.read_text(encoding="utf-8") == name:
                return
        except OSError:
            pass
        time.sleep(0.002)


class News(threading.Thread):
    """Customers keep writing in (new conversations, never the plan's targets), so pulls carry data."""

    def __init__(self, server: RunningServer, seed: int, interval: float = 0.1) -> None:
        super().__init__(name="news", daemon=True)
        self.server, self.seed, self.interval = server, seed, interval
        self.stopped = threading.Event()
        self.sent = 0

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            n = self.sent
            self.server.inbound(channel="chat", customer={"name": f"新客户 {n}", "phone": f"+86 1380{self.seed:03d}{n:04d}"},
                                subject=f"咨询 {n}", body=f"你好，我想问一下订单 {n} 的情况", external_id=f"news-{self.seed}-{n}")
            self.sent += 1

    def stop(self) -> None:
        self.stopped.set()
        self.join(10)


class TargetWriters(threading.Thread):
    """Customers write into the conversations the agent is changing (1 message/s in all): every
    message moves the conversation's version, which must never turn the agent's change into a
    conflict (per-field concurrency). Counts what each conversation received, for the check."""

    def __init__(self, server: RunningServer, callers: list[dict[str, str]], seed: int,
                 interval: float = 1.0) -> None:
        super().__init__(name="target-writers", daemon=True)
        self.server, self.callers, self.interval = server, callers, interval
        self.rng = random.Random(seed + 7)
        self.stopped = threading.Event()
        self.received: Counter[str] = Counter()

    def run(self) -> None:
        n = 0
        while self.callers and not self.stopped.wait(self.interval):
            caller = self.rng.choice(self.callers)
            answer = self.server.inbound(channel=caller["channel"], customer={"name": caller["name"],
                                                                             "phone": caller["phone"]},
                                         subject="追问", body=f"请问处理到哪一步了？({n})",
                                         external_id=f"target-{n}-{self.rng.random()}")
            self.received[answer["conversation_id"]] += 1
            n += 1

    def stop(self) -> None:
        self.stopped.set()
        self.join(10)


def _callers(targets: list[dict[str, Any]], before: dict) -> list[dict[str, str]]:
    """The targets' customers who can write in again on the same channel (by phone)."""
    found = []
    for target in targets:
        customer = before.get(("customer", target["customer_id"])) or {}
        if customer.get("phones") and target["channel"] in ("phone", "chat", "social", "web"):
            found.append({"channel": target["channel"], "name": customer.get("name", ""),
                          "phone": customer["phones"][0]})
    return found


def _reap(child: subprocess.Popen[bytes]) -> str:
    _out, err = child.communicate()
    return (err or b"").decode("utf-8", "replace")


def check(figures: Figures, plan: list[dict[str, Any]], before: dict, after: dict, cache: Path,
          customer_writes: Counter[str] | None = None) -> None:
    """Exactly once on the server; the cache intact and equal to the server."""
    figures.replies = sum(1 for a in plan if a["action"] == "reply")
    figures.notes = sum(1 for a in plan if a["action"] == "note")
    figures.patches = sum(1 for a in plan if a["action"] == "patch")
    # Messages: each marker's body exactly once.
    seen: Counter[str] = Counter()
    for (entity, _id), data in after.items():
        if entity == "message" and "[fx-" in data.get("body", ""):
            seen[data["body"]] += 1
    for action in plan:
        if action["action"] == "patch":
            continue
        n = seen.get(action["body"], 0)
        if n == 0:
            figures.lost += 1
        elif n > 1:
            figures.duplicated += n - 1
    # Ticket changes: each one moves the version by exactly one (If-Match forbids a second apply,
    # and every change carries a new unique tag), so version arithmetic finds a lost or doubled one;
    # so does each message a customer wrote into the conversation meanwhile.
    per_target: Counter[str] = Counter(a["conversation_id"] for a in plan)
    for conversation_id, count in (customer_writes or {}).items():
        if conversation_id in per_target:
            per_target[conversation_id] += count
    last_patch = {a["conversation_id"]: a for a in plan if a["action"] == "patch"}
    for target, count in per_target.items():
        was = before[("conversation", target)]["version"]
        now = after[("conversation", target)]["version"]
        if now < was + count:
            figures.lost += was + count - now
        elif now > was + count:
            figures.duplicated += now - was - count
        if target in last_patch and after[("conversation", target)]["tags"] != last_patch[target]["fields"]["tags"]:
            figures.mismatches.append(f"{target}: tags {after[('conversation', target)]['tags']}")
    # The cache: intact, nothing left in the outbox, the same records as the server.
    conn = sqlite3.connect(cache)
    try:
        figures.integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        # No one else edits these fields: any conflict is a false one.
        figures.false_conflicts = conn.execute("SELECT count(*) FROM outbox WHERE state='conflict'").fetchone()[0]
        left = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
        if left:
            figures.mismatches.append(f"{left} outbox items left")
        pending = conn.execute("SELECT count(*) FROM messages WHERE pending=1").fetchone()[0]
        if pending:
            figures.mismatches.append(f"{pending} messages still pending")
        local_conv = {row[0]: (row[1], row[2], row[3], json.loads(row[4]), row[5]) for row in conn.execute(
            "SELECT id, version, status, priority, tags, message_count FROM conversations")}
        server_conv = {cid: (d["version"], d["status"], d["priority"], d.get("tags") or [], d.get("message_count", 0))
                       for (entity, cid), d in after.items() if entity == "conversation"}
        if local_conv != server_conv:
            diff = [cid for cid in set(local_conv) | set(server_conv) if local_conv.get(cid) != server_conv.get(cid)]
            figures.mismatches.append(f"{len(diff)} conversations differ, e.g. {sorted(diff)[:3]}")
        local_msgs = {row[0]: row[1] for row in conn.execute("SELECT id, body FROM messages")}
        server_msgs = {mid: d["body"] for (entity, mid), d in after.items() if entity == "message"}
        if local_msgs != server_msgs:
            figures.mismatches.append(f"messages differ: {len(set(local_msgs) ^ set(server_msgs))} ids")
        for table, entity in (("customers", "customer"), ("queues", "queue"), ("agents", "agent")):
            local_ids = {row[0] for row in conn.execute(f"SELECT id FROM {table}")}
            server_ids = {rid for (e, rid) in after if e == entity}
            if local_ids != server_ids:
                figures.mismatches.append(f"{table} differ")
    finally:
        conn.close()
    figures.local_equals_server = not figures.mismatches


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--soak", action="store_true", help="600 actions, 25 kills, 35 %% faults")
    parser.add_argument("--actions", type=int)
    parser.add_argument("--kills", type=int)
    parser.add_argument("--fault-rate", type=float)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    actions, kills, rate = (600, 25, 0.35) if args.soak else (120, 8, 0.35)
    with tempfile.TemporaryDirectory(prefix="agent-desktop-soak-") as tmp:
        figures = run_campaign(Path(tmp), actions=args.actions or actions, kills=args.kills or kills,
                               fault_rate=args.fault_rate if args.fault_rate is not None else rate, seed=args.seed)
    print(json.dumps(asdict(figures), indent=2, ensure_ascii=False))
    ok = (not figures.lost and not figures.duplicated and figures.integrity == "ok" and figures.local_equals_server)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
