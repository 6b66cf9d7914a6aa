"""`python -m agent_desktop.bench [--quick] [--out FILE.json]`: the performance budgets, measured.

Prepares (or reuses, from /tmp) a deterministic data set — 100k conversations and 1M messages
in Chinese and English for the client cache, 10k conversations / 100k messages in a reference
server database — then measures start-up against the floor, view switches, inbox scrolling,
full-text search, initial sync against the raw download, GUI stalls and resident memory, each
in its own child process under QT_QPA_PLATFORM=offscreen. Prints a table, writes JSON.
`--quick` runs a tenth of the scale (under two minutes once the data is cached).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import dataset
from .stats import summary

# DESIGN.md §6.
BUDGETS = {
    "startup_ratio": 1.5,
    "view_switch_ms": 50.0,
    "search_p95_ms": 50.0,
    "sync_ratio": 2.0,
    "gui_stall_ms": 50.0,
    "rss_mb": 300.0,
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _child_result(args: list[str], timeout: float) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, env=_env(),
                          timeout=timeout, check=False)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"{' '.join(args[:1])} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


# -- start-up --------------------------------------------------------------------------------------


def _launch_once(args: list[str], timeout: float = 120.0) -> tuple[float, int]:
    """Wall time from spawning the process to its PAINTED line, and the rows it painted."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "agent_desktop.bench.launch", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=_env())
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("PAINTED"):
                elapsed = time.perf_counter() - started
                return elapsed, int(line.split()[1])
        raise RuntimeError(f"launch {args[0]} ended without painting (exit {process.wait()})")
    finally:
        process.wait(timeout)


def measure_startup(home: Path, runs: int) -> dict[str, Any]:
    # The app's bytecode cached, as any install does (the floor's libraries have theirs): a source
    # checkout run with PYTHONDONTWRITEBYTECODE would otherwise compile ~100 modules per launch.
    compileall.compile_dir(str(Path(__file__).resolve().parents[1]), quiet=1)
    # One unmeasured launch each first: the "warm" start the budget is about (libraries in the page cache).
    _launch_once(["floor"])
    _launch_once(["floor-lean"])
    _launch_once(["app", "--home", str(home)])
    floors, leans, apps, rows = [], [], [], 0
    for _ in range(runs):  # interleaved, so drift in the machine's load hits both alike
        floors.append(_launch_once(["floor"])[0])
        leans.append(_launch_once(["floor-lean"])[0])
        seconds, rows = _launch_once(["app", "--home", str(home)])
        apps.append(seconds)
    floor, lean, app = summary(floors), summary(leans), summary(apps)
    return {"floor": floor, "app": {**app, "rows_painted": rows},
            "ratio": round(app["median_ms"] / floor["median_ms"], 2),
            # The same without sqlite-utils (and its numpy), which the app imports only to create tables.
            "floor_lean": lean, "ratio_lean": round(app["median_ms"] / lean["median_ms"], 2)}


# -- sync ------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure_sync(server_db: Path, repeat: int) -> dict[str, Any]:
    import requests

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # Its own process, as a real backend is: its CPU use must not land on the client's GIL.
    server = subprocess.Popen([sys.executable, "-m", "agent_desktop.server", "--db", str(server_db), "--port",
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the reference server did not start")
            time.sleep(0.1)
        return _child_result(["agent_desktop.bench.syncprobe", "--url", url, "--repeat", str(repeat)], 1800)
    finally:
        server.terminate()
        server.wait(20)


# -- report ----------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    memory = None
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            memory = round(int(next(line for line in info if line.startswith("MemTotal")).split()[1]) / 1024 ** 2, 1)
    except (OSError, StopIteration):
        pass
    from PySide6 import __version__ as pyside

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory, "os": platform.platform(),
            "python": platform.python_version(), "pyside6": pyside, "sqlite": sqlite3.sqlite_version,
            "qpa": _env()["QT_QPA_PLATFORM"]}


def _load() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def verdicts(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    def check(value: float | None, budget: float) -> dict[str, Any]:
        return {"value": value, "budget": budget, "met": value is not None and value <= budget}

    probe, sync = results["inbox"], results["sync"]
    return {
        "startup_ratio": check(results["startup"]["ratio"], BUDGETS["startup_ratio"]),
        "view_switch_ms": check(probe["view_switch"]["p95_ms"], BUDGETS["view_switch_ms"]),
        "search_p95_ms": check(probe["search"]["all"]["p95_ms"], BUDGETS["search_p95_ms"]),
        "sync_ratio": check(sync["ratio"], BUDGETS["sync_ratio"]),
        "gui_stall_sync_ms": check(sync["gui_sync"]["longest_stall_ms"], BUDGETS["gui_stall_ms"]),
        "gui_stall_search_ms": check(probe["search_typing"]["longest_stall_ms"], BUDGETS["gui_stall_ms"]),
        "rss_mb": check(probe["rss_after_scroll_mb"], BUDGETS["rss_mb"]),
    }


def _ms(block: dict[str, Any]) -> str:
    return f"{block['median_ms']:>9.1f} {block['p95_ms']:>9.1f}"


def table(report: dict[str, Any]) -> str:
    r = report["results"]
    st, inbox, sync = r["startup"], r["inbox"], r["sync"]
    v = report["verdicts"]
    ok = {True: "ok", False: "OVER"}
    lines = [
        f"Agent Desktop benchmark — {report['scale']['conversations']:,} conversations, "
        f"{report['scale']['messages']:,} messages (sync: {report['sync_scale']['conversations']:,} / "
        f"{report['sync_scale']['messages']:,})",
        f"{report['machine']['cpu']} · {report['machine']['cores']} cores · Python {report['machine']['python']} · "
        f"PySide6 {report['machine']['pyside6']} · SQLite {report['machine']['sqlite']} · load average "
        f"{report['machine']['load_average_before']} → {report['machine']['load_average_after']}",
        "",
        f"{'measure':<44} {'median ms':>9} {'p95 ms':>9}   budget",
        f"{'start: floor (empty window)':<44} {_ms(st['floor'])}",
        f"{'start: floor without sqlite-utils':<44} {_ms(st['floor_lean'])}",
        f"{'start: app to painted inbox':<44} {_ms(st['app'])}   ratio {st['ratio']:.2f} ≤ 1.5 "
        f"{ok[v['startup_ratio']['met']]}  (lean floor: {st['ratio_lean']:.2f})",
        f"{'view switch (' + str(inbox['view_switch']['views']) + ' views)':<44} {_ms(inbox['view_switch'])}"
        f"   ≤ 50 {ok[v['view_switch_ms']['met']]}",
        f"{'inbox scroll frame':<44} {_ms(inbox['scroll'])}   ({inbox['scroll']['rows_loaded']:,} rows loaded)",
    ]
    for name, label in (("zh_1char", "search: Chinese, 1 character"), ("zh_2char", "search: Chinese, 2 characters"),
                        ("zh_3plus", "search: Chinese, 3+ characters"), ("english", "search: English words"),
                        ("phone", "search: phone numbers"), ("email", "search: e-mail fragments")):
        lines.append(f"{label:<44} {_ms(inbox['search'][name])}")
    lines += [
        f"{'search: all queries':<44} {_ms(inbox['search']['all'])}   p95 ≤ 50 {ok[v['search_p95_ms']['met']]}",
        f"{'sync: raw download of the pages':<44} {_ms(sync['raw_download'])}   "
        f"({sync['raw_download']['pages']} pages, {sync['raw_download']['megabytes']} MB)",
        f"{'sync: SyncEngine.pull (inbox complete)':<44} {_ms(sync['engine_pull'])}   ratio {sync['ratio']:.2f} ≤ 2 "
        f"{ok[v['sync_ratio']['met']]}",
        f"{'sync: then indexing messages (background)':<44} {_ms(sync['index_backlog'])}   "
        f"(pull + index: ratio {sync['ratio_with_index']:.2f})",
        f"{'longest GUI stall: first sync in the app':<44} {sync['gui_sync']['longest_stall_ms']:>9.1f} {'':>9}   ≤ 50 "
        f"{ok[v['gui_stall_sync_ms']['met']]}  (sync {sync['gui_sync']['seconds']:.1f} s, "
        f"indexed {sync['gui_sync']['seconds_to_index']:.1f} s)",
        f"{'longest GUI stall: typing searches':<44} {inbox['search_typing']['longest_stall_ms']:>9.1f} {'':>9}   "
        f"≤ 50 {ok[v['gui_stall_search_ms']['met']]}",
        f"{'RSS after loading + scrolling the inbox (MB)':<44} {inbox['rss_after_scroll_mb']:>9.1f} {'':>9}   ≤ 300 "
        f"{ok[v['rss_mb']['met']]}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agent_desktop.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the scale (< 2 minutes once cached)")
    parser.add_argument("--out", type=Path, help="write the results as JSON to this file")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=float, help=argparse.SUPPRESS)  # e.g. 0.005 for the smoke test
    args = parser.parse_args(argv)
    fraction = args.scale if args.scale is not None else (0.1 if args.quick else 1.0)
    small = fraction < 0.5
    scale = dataset.scale_for(fraction, args.seed)
    sync_scale = dataset.scale_for(fraction / 10, args.seed)
    started = time.perf_counter()
    load_before = _load()

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    log(f"data: client cache {scale.key}, server {sync_scale.key} (cached under {dataset.CACHE_ROOT})")
    home = dataset.prepared_home(scale, log)
    server_db = dataset.prepared_server_db(sync_scale, log)
    results: dict[str, Any] = {}
    log("start-up …")
    results["startup"] = measure_startup(home, 4 if small else 10)
    log("inbox, search, memory …")
    results["inbox"] = _child_result(
        ["agent_desktop.bench.probe", "--home", str(home), "--repeat", "3" if small else "5",
         "--page-frames", "100" if small else "300", "--max-frames", "3000"], 1800)
    log("sync …")
    results["sync"] = measure_sync(server_db, 2 if small else 3)
    report = {
        "version": 1,
        "scale": {"fraction": fraction, "seed": args.seed, "conversations": scale.conversations,
                  "messages": scale.messages, "customers": scale.customers},
        "sync_scale": {"conversations": sync_scale.conversations, "messages": sync_scale.messages},
        # Other processes on the machine skew every figure: the load says how quiet it was.
        "machine": {**machine(), "load_average_before": load_before, "load_average_after": _load()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(time.perf_counter() - started, 1),
        "budgets": BUDGETS,
        "results": results,
    }
    report["verdicts"] = verdicts(results)
    print(table(report))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        log(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
