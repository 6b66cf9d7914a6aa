"""`python -m agent_desktop.server --demo`: run the reference server on its own."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys

import uvicorn

from .app import create_app, write_openapi
from .demo_data import DEFAULT_SEED, demo_accounts
from .embedded import DEMO_INTEGRATION_KEY
from .files import MAX_BYTES_ENV
from .scope import AGENTS_SEE_ALL_ENV
from .simulate import Simulator, contacts_from_database

KEY_ENV = "AGENT_DESKTOP_INTEGRATION_KEY"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m agent_desktop.server",
                                     description="Agent Desktop reference REST backend")
    parser.add_argument("--demo", action="store_true", help="fill an empty database with demo data")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--db", default="./agent-desktop-server.sqlite3", help="SQLite file (created if missing)")
    parser.add_argument("--simulate", action="store_true", help="post simulated customer traffic every few seconds")
    parser.add_argument("--simulate-interval", type=float, default=5.0, metavar="SECONDS")
    parser.add_argument("--integration-key", help=f"key for POST /api/v1/inbound (default: ${KEY_ENV})")
    parser.add_argument("--agents-see-all", action="store_true",
                        default=os.environ.get(AGENTS_SEE_ALL_ENV, "").strip().lower() in ("1", "true", "yes"),
                        help="every agent sees every queue's conversations (small teams); by default an agent "
                             "sees the queues they serve and what is assigned to them, a lead sees all "
                             f"(default: ${AGENTS_SEE_ALL_ENV}=1)")
    parser.add_argument("--max-attachment-bytes", type=int, default=None, metavar="BYTES",
                        help=f"the largest file taken (default: ${MAX_BYTES_ENV}, else 25 MB)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="demo data seed")
    parser.add_argument("--write-openapi", metavar="PATH", help="write the OpenAPI document and exit")
    return parser.parse_args(argv)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.write_openapi:
        write_openapi(args.write_openapi)
        return 0
    key = args.integration_key or os.environ.get(KEY_ENV) or (DEMO_INTEGRATION_KEY if args.demo else None)
    app = create_app(args.db, integration_key=key, demo=args.demo, seed=args.seed,
                     agents_see_all=args.agents_see_all, max_attachment_bytes=args.max_attachment_bytes)
    url = f"http://{args.host}:{args.port}"
    print(f"Agent Desktop reference server: {url}  (database {args.db})")
    print("Agents see " + ("every queue (--agents-see-all)" if args.agents_see_all else "their own queues"))
    if not _is_loopback(args.host):
        print("warning: plain HTTP on a non-loopback address; put TLS in front of it", file=sys.stderr)
    if key:
        print(f"Integration key (X-Integration-Key for POST /api/v1/inbound): {key}")
    else:
        print(f"POST /api/v1/inbound is disabled: no --integration-key or ${KEY_ENV}")
    if args.demo:
        print("Demo accounts: " + ", ".join(f"{user}/{password} ({role})" for user, password, role in demo_accounts()))
    simulator = None
    if args.simulate and key:
        # Connection errors before the server is up are logged and retried on the next tick.
        local = url if args.host not in ("0.0.0.0", "::") else f"http://127.0.0.1:{args.port}"
        simulator = Simulator(local, key, interval=args.simulate_interval, contacts=contacts_from_database(app.state.db))
        simulator.start()
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    finally:
        if simulator is not None:
            simulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
