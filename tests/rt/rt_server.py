"""A real Request Tracker 5 server on 127.0.0.1 for the tests: its own config, SQLite file and seed.

    with RunningRT(tmp_path, tickets=300) as rt:
        requests.get(f"{rt.rest_url}/tickets", params={"query": "id > 0"}, auth=rt.agent.basic_auth)

Everything lives in the given folder (config, database, logs, Mason cache, outgoing mail as an
mbox); the server is Debian's rt-server (Starlet, pre-forked workers) bound to 127.0.0.1 only.
The seeded database is cached by its parameters (see `cache_dir`), so only the first session of
the day pays for the seed. Developers: `python -m tests.rt.rt_server --tickets 300`.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RT_HOME = Path("/usr/share/request-tracker5")
RT_LIB = RT_HOME / "lib"
RT_SERVER = RT_HOME / "libexec" / "rt-server"
RT_SETUP_DATABASE = Path("/usr/sbin/rt-setup-database")
PACKAGES = ("request-tracker5", "rt5-db-sqlite", "rt5-standalone")
SEED_SCRIPT = Path(__file__).with_name("seed_rt.pl")
ROOT_PASSWORD = "rt-root-pass"
# Bumped when the config or the init steps change what a cached database holds.
CACHE_FORMAT = "1"
CACHE_MAX_AGE = 12 * 3600  # the seeded dates are relative to the seed's day


class RTNotInstalled(RuntimeError):
    """Request Tracker's Debian packages are missing and could not be installed here."""


class RTError(RuntimeError):
    """An RT command or the server failed; the message carries the tail of the logs."""


@dataclass(frozen=True)
class Account:
    name: str
    password: str
    token: str | None = None

    @property
    def basic_auth(self) -> tuple[str, str]:
        return (self.name, self.password)

    @property
    def basic_header(self) -> dict[str, str]:
        raw = f"{self.name}:{self.password}".encode()
        return {"Authorization": "Basic " + b64encode(raw).decode()}

    @property
    def token_header(self) -> dict[str, str]:
        if not self.token:
            raise ValueError(f"{self.name} has no auth token")
        return {"Authorization": f"token {self.token}"}


@dataclass(frozen=True)
class Requestor:
    id: int
    name: str
    email: str
    real_name: str


@dataclass(frozen=True)
class Seeded:
    """What seed_rt.pl made (its JSON summary)."""

    queues: dict[str, int]
    custom_fields: dict[str, int]
    users: dict[str, int]
    groups: dict[str, int]
    requestors: tuple[Requestor, ...]
    tickets: tuple[int, ...]
    token: str
    counts: dict[str, Any]
    raw: dict[str, Any]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Seeded:
        return cls(
            queues={q["name"]: q["id"] for q in data["queues"]},
            custom_fields=dict(data["custom_fields"]),
            users=dict(data["users"]),
            groups=dict(data["groups"]),
            requestors=tuple(Requestor(**r) for r in data["requestors"]),
            tickets=tuple(data["tickets"]),
            token=data["token"],
            counts=data["counts"],
            raw=data,
        )

    @classmethod
    def load(cls, path: Path) -> Seeded:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


def missing_parts() -> list[str]:
    parts = [str(p) for p in (RT_SERVER, RT_SETUP_DATABASE, RT_LIB / "RT.pm") if not p.exists()]
    probe = subprocess.run(["perl", "-MDBD::SQLite", "-MPlack::Handler::Starlet", "-e1"],
                           capture_output=True, text=True) if shutil.which("perl") else None
    if probe is None or probe.returncode:
        parts.append("perl modules DBD::SQLite and Starlet")
    return parts


def ensure_installed() -> None:
    """Installs RT's Debian packages when missing and this process may; raises otherwise."""
    missing = missing_parts()
    if not missing:
        return
    command = "DEBIAN_FRONTEND=noninteractive apt-get install -y " + " ".join(PACKAGES)
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise RTNotInstalled(f"Request Tracker 5 is not installed (missing: {', '.join(missing)}). "
                             f"Install it as root: {command} (or run bash scripts/setup.sh test)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for argv in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *PACKAGES]):
        done = subprocess.run(argv, env=env, capture_output=True, text=True)
        if done.returncode:
            raise RTNotInstalled(f"`{' '.join(argv)}` failed ({done.returncode}): {done.stderr[-2000:]}")
    if still := missing_parts():
        raise RTNotInstalled(f"installed {' '.join(PACKAGES)} but still missing: {', '.join(still)}")


def rt_version() -> str:
    text = (RT_LIB / "RT" / "Generated.pm").read_text(encoding="utf-8", errors="replace")
    for line in text.splitlines():
        if line.startswith("our $VERSION"):
            return line.split("'")[1]
    return "unknown"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cache_dir() -> Path | None:
    """Where seeded databases are kept: $AGENT_DESKTOP_RT_CACHE ('off' for none) or the temp dir."""
    setting = os.environ.get("AGENT_DESKTOP_RT_CACHE", "")
    if setting.lower() in ("off", "0", "no"):
        return None
    return Path(setting) if setting else Path(tempfile.gettempdir()) / f"agent-desktop-rt-{os.getuid()}"


def tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"({path} not written)"
    return "\n".join(text.splitlines()[-lines:])


class RunningRT:
    """One RT 5 instance in `folder`: config, SQLite database, seed, and rt-server on 127.0.0.1.

    Attributes after start(): url, rest_url, port, agent/agent2/viewer/root (Account),
    root_password, seeded (Seeded), database_path, log_path, server_log_path, config_path,
    mbox_dir. Methods: start(), stop(), perl(code), seed(...), env().
    """

    def __init__(self, folder: Path | str, *, tickets: int = 300, messages: int = 4, seed: int = 1,
                 port: int | None = None, workers: int = 4, start_timeout: float = 60.0,
                 use_cache: bool = True) -> None:
        self.folder = Path(folder).resolve()
        self.tickets, self.messages, self.random_seed = tickets, messages, seed
        self.requested_port = port
        self.workers = workers
        self.start_timeout = start_timeout
        self.use_cache = use_cache
        self.port = 0
        self.root_password = ROOT_PASSWORD
        self.database_path = self.folder / "rt.db"
        self.log_path = self.folder / "log" / "rt.log"
        self.server_log_path = self.folder / "log" / "rt-server.out"
        self.config_path = self.folder / "RT_SiteConfig.pm"
        self.config_dir = self.folder / "RT_SiteConfig.d"  # empty: keeps Debian's snippets out
        self.mbox_dir = self.folder / "var"
        self.seed_path = self.folder / "seed.json"
        self.seeded: Seeded | None = None
        self.timings: dict[str, float] = {}
        self._process: subprocess.Popen[bytes] | None = None

    # --- public ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def rest_url(self) -> str:
        return f"{self.url}/REST/2.0"

    @property
    def agent(self) -> Account:
        return Account("agent1", "agent1-pass", self._seeded().token)

    @property
    def agent2(self) -> Account:
        return Account("agent2", "agent2-pass")

    @property
    def viewer(self) -> Account:
        return Account("viewer1", "viewer1-pass")

    @property
    def root(self) -> Account:
        return Account("root", self.root_password)

    def __enter__(self) -> RunningRT:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> RunningRT:
        ensure_installed()
        for sub in ("log", "var", "mason", "session", "RT_SiteConfig.d"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        self.port = self.requested_port or free_port()
        self._write_config()
        if not self.database_path.exists():
            self._prepare_database()
        self.seeded = Seeded.load(self.seed_path)
        for attempt in range(3):
            try:
                self._start_server()
                return self
            except _PortTaken:
                if self.requested_port or attempt == 2:
                    raise RTError(f"port {self.port} is taken: {tail(self.server_log_path)}") from None
                self.port = free_port()
                self._write_config()
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        # Starlet's master stops its workers on TERM; the group kill covers a master that died.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def env(self) -> dict[str, str]:
        """The environment an RT command needs to use this instance's config and database."""
        return dict(os.environ, RT_SITE_CONFIG=str(self.config_path), RT_SITE_CONFIG_DIR=str(self.config_dir))

    def perl(self, code: str, *, timeout: float = 120.0) -> str:
        """Runs Perl with RT loaded (RT::LoadConfig, RT::Init) against this database; returns stdout.

        `code` sees `use strict; use utf8;` and may use RT->SystemUser, RT::Ticket etc.:
        rt.perl('my $t = RT::Ticket->new(RT->SystemUser); $t->Load(1); print $t->Subject')
        """
        script = ("use strict; use warnings; use utf8; use RT; RT::LoadConfig(); RT::Init();\n"
                  "binmode STDOUT, ':encoding(UTF-8)';\n" + code + "\n")
        done = subprocess.run(["perl", f"-I{RT_LIB}", "-e", script], env=self.env(), capture_output=True,
                              timeout=timeout)
        if done.returncode:
            raise RTError(f"perl failed ({done.returncode}): {done.stderr.decode(errors='replace')[-3000:]}")
        return done.stdout.decode("utf-8", errors="replace")

    def seed(self, *, tickets: int, messages: int | None = None, seed: int = 2) -> Seeded:
        """Runs seed_rt.pl again on this database (adds `tickets` more); returns that run's summary."""
        output = self.folder / f"seed-{time.time_ns()}.json"
        self._run_seed(tickets, self.messages if messages is None else messages, seed, output)
        return Seeded.load(output)

    # --- set-up ---------------------------------------------------------------------------------

    def _seeded(self) -> Seeded:
        if self.seeded is None:
            raise RTError("RT is not started")
        return self.seeded

    def _write_config(self) -> None:
        def q(value: object) -> str:
            return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"

        folder, port = self.folder, self.port
        self.config_path.write_text(f"""\
# Written by tests/rt/rt_server.py for one test instance; everything stays under {folder}.
Set($rtname, 'agent-desktop-test');
Set($Organization, 'callcentre.test');
Set($CorrespondAddress, 'support@callcentre.test');
Set($CommentAddress, 'support-comment@callcentre.test');
Set($Timezone, 'UTC');
Set($DatabaseType, 'SQLite');
Set($DatabaseName, {q(self.database_path)});
Set($WebDomain, '127.0.0.1');
Set($WebPort, {port});
Set($WebPath, '');
Set($WebBaseURL, 'http://127.0.0.1:{port}');
Set($WebURL, 'http://127.0.0.1:{port}/');
Set(@ReferrerWhitelist, '127.0.0.1:{port}');
# bcrypt at its lowest cost: each request with a password or a token checks one hash (cost 12,
# RT's default, is ~0.4 s a request here; 4 is ~1 ms). Hashes are made at this cost too.
Set($BcryptCost, 4);
Set($LogToSyslog, undef);
Set($LogToSTDERR, 'error');
Set($LogToFile, 'info');
Set($LogDir, {q(folder / 'log')});
Set($LogToFileNamed, 'rt.log');
# No mail leaves the machine: outgoing messages are appended to an mbox in var/.
Set($MailCommand, 'mbox');
$RT::VarPath = {q(folder / 'var')};
$RT::MasonDataDir = {q(folder / 'mason')};
$RT::MasonSessionDir = {q(folder / 'session')};
1;
""", encoding="utf-8")

    def _prepare_database(self) -> None:
        key = self._cache_key()
        cache = cache_dir() if self.use_cache else None
        if cache is None:
            self._build_database()
            return
        entry = cache / key
        cache.mkdir(parents=True, exist_ok=True)
        # One builder at a time (xdist workers start their sessions together); the rest copy.
        with open(cache / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            fresh = (entry / "seed.json").exists() and time.time() - (entry / "seed.json").stat().st_mtime < CACHE_MAX_AGE
            if not fresh:
                self._build_database()
                shutil.rmtree(entry, ignore_errors=True)
                staging = cache / f"{key}.new"
                shutil.rmtree(staging, ignore_errors=True)
                staging.mkdir()
                shutil.copyfile(self.database_path, staging / "rt.db")
                shutil.copyfile(self.seed_path, staging / "seed.json")
                staging.rename(entry)
                return
            started = time.monotonic()
            shutil.copyfile(entry / "rt.db", self.database_path)
            shutil.copyfile(entry / "seed.json", self.seed_path)
            self.timings["copy_cached_db"] = time.monotonic() - started

    def _cache_key(self) -> str:
        digest = hashlib.sha256()
        for part in (CACHE_FORMAT, rt_version(), ROOT_PASSWORD, str(self.tickets), str(self.messages),
                     str(self.random_seed)):
            digest.update(part.encode() + b"\0")
        digest.update(SEED_SCRIPT.read_bytes())
        return f"rt-{self.tickets}x{self.messages}-s{self.random_seed}-{digest.hexdigest()[:16]}"

    def _build_database(self) -> None:
        for stale in self.folder.glob("rt.db*"):
            stale.unlink()
        password_file = self.folder / "root-password"
        password_file.write_text(self.root_password + "\n", encoding="utf-8")
        started = time.monotonic()
        # init = schema + acl + coredata + initial data; SQLite needs no DBA and no create step.
        self._run([str(RT_SETUP_DATABASE), "--action", "init", "--skip-create",
                   "--root-password-file", str(password_file)], "rt-setup-database")
        self.timings["db_init"] = time.monotonic() - started
        started = time.monotonic()
        self._run_seed(self.tickets, self.messages, self.random_seed, self.seed_path)
        self.timings["seed"] = time.monotonic() - started

    def _run_seed(self, tickets: int, messages: int, seed: int, output: Path) -> None:
        self._run(["perl", f"-I{RT_LIB}", str(SEED_SCRIPT), "--tickets", str(tickets), "--messages",
                   str(messages), "--seed", str(seed), "--output", str(output)], "seed_rt.pl")

    def _run(self, argv: list[str], what: str) -> str:
        done = subprocess.run(argv, env=self.env(), stdin=subprocess.DEVNULL, capture_output=True, timeout=1800)
        if done.returncode:
            raise RTError(f"{what} failed ({done.returncode}):\n{done.stdout.decode(errors='replace')[-2000:]}\n"
                          f"{done.stderr.decode(errors='replace')[-3000:]}\nRT log:\n{tail(self.log_path)}")
        return done.stdout.decode(errors="replace")

    # --- the server -----------------------------------------------------------------------------

    def _start_server(self) -> None:
        started = time.monotonic()
        out = open(self.server_log_path, "ab")
        try:
            self._process = subprocess.Popen(
                [str(RT_SERVER), "--server", "Starlet", "--host", "127.0.0.1", "--port", str(self.port),
                 "--max-workers", str(self.workers)],
                env=self.env(), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=self.folder)
        finally:
            out.close()
        atexit.register(self.stop)
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise
        self.timings["start"] = time.monotonic() - started

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        request = urllib.request.Request(f"{self.rest_url}/rt", headers=self.root.basic_header)
        delay = 0.05
        last_error = ""
        while True:
            process = self._process
            assert process is not None
            if process.poll() is not None:
                log = tail(self.server_log_path)
                if "couldn't start up a web server" in log or "Address already in use" in log:
                    self._process = None
                    raise _PortTaken()
                raise RTError(f"rt-server exited ({process.returncode}) before answering.\n"
                              f"rt-server output:\n{log}\nRT log:\n{tail(self.log_path)}")
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    if answer.status == 200 and b"Version" in answer.read():
                        return
            except urllib.error.HTTPError as error:
                last_error = f"HTTP {error.code}"
            except OSError as error:
                last_error = str(error)
            if time.monotonic() > deadline:
                raise RTError(f"RT did not answer {self.rest_url}/rt within {self.start_timeout:.0f} s "
                              f"(last: {last_error}).\nrt-server output:\n{tail(self.server_log_path)}\n"
                              f"RT log:\n{tail(self.log_path)}")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)


class _PortTaken(Exception):
    pass


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.rt.rt_server",
                                     description="Start a seeded Request Tracker 5 on 127.0.0.1 until Ctrl+C.")
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--messages", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--folder", type=Path, help="kept afterwards (default: a temporary folder, removed)")
    args = parser.parse_args(argv)
    folder = args.folder or Path(tempfile.mkdtemp(prefix="agent-desktop-rt-"))
    try:
        with RunningRT(folder, tickets=args.tickets, messages=args.messages, seed=args.seed, port=args.port,
                       workers=args.workers) as rt:
            print(f"RT {rt_version()} at {rt.url}  (REST2: {rt.rest_url})")
            print(f"agent1 / agent1-pass   token: {rt.agent.token}")
            print(f"agent2 / agent2-pass   viewer1 / viewer1-pass (read-only)   root / {rt.root_password}")
            print(f"folder {folder}  log {rt.log_path}")
            print("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in rt.timings.items()))
            print("Ctrl+C to stop.", flush=True)
            signal.signal(signal.SIGTERM, _interrupt)
            with contextlib.suppress(KeyboardInterrupt):
                if rt._process is not None:
                    rt._process.wait()
    finally:
        if args.folder is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
