"""Per-thread readers and one writer thread: concurrent use from several threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from agent_desktop.store import Database, meta
from agent_desktop.store import search as store_search

from .factories import apply, conversation, customer, message


def test_each_thread_gets_its_own_reader(db: Database) -> None:
    apply(db, [customer("cu-1", "王伟")])
    main_conn = db.reader()
    assert db.reader() is main_conn
    seen: dict[str, object] = {}

    def other() -> None:
        conn = db.reader()
        seen["same"] = conn is db.reader()
        seen["conn"] = conn
        seen["name"] = conn.execute("SELECT name FROM customers WHERE id='cu-1'").fetchone()[0]

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen["same"] is True
    assert seen["conn"] is not main_conn
    assert seen["name"] == "王伟"


def test_a_reader_sees_later_commits(db: Database) -> None:
    reader = db.reader()
    assert meta.get(reader, meta.CURSOR) is None
    apply(db, [], cursor="c-1")
    assert meta.get(reader, meta.CURSOR) == "c-1"
    apply(db, [], cursor="c-2")
    assert meta.get(reader, meta.CURSOR) == "c-2"


def test_concurrent_writes_from_many_threads_all_land(db: Database) -> None:
    threads, per_thread = 8, 25
    apply(db, [customer("cu-0"), conversation("cv-0", "cu-0")])

    def work(t: int) -> None:
        for i in range(per_thread):
            apply(db, [customer(f"cu-{t}-{i}", f"Thread{t} Item{i}"),
                       message(f"m-{t}-{i}", "cv-0", f"线程{t} body{t}x{i}")], cursor=f"c-{t}-{i}")

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(work, range(threads)))

    reader = db.reader()
    assert db.query("SELECT count(*) AS n FROM customers")[0]["n"] == threads * per_thread + 1
    assert db.query("SELECT count(*) AS n FROM messages")[0]["n"] == threads * per_thread
    for t in range(threads):
        assert len(store_search.customers(reader, f"Thread{t}", limit=1000)) == per_thread
        assert len(store_search.messages(reader, f"线程{t}", limit=1000)) == per_thread
    assert meta.get(reader, meta.CURSOR).startswith("c-")
    assert db.integrity_check() == "ok"
    for table in ("messages_fts", "customers_fts"):  # FTS5's own consistency check (raises if corrupt)
        db.write_sync(lambda conn, t=table: conn.execute(f"INSERT INTO {t}({t}) VALUES('integrity-check')"))


def test_reads_on_other_threads_while_writing(db: Database) -> None:
    apply(db, [customer("cu-0"), conversation("cv-0", "cu-0")])
    stop = threading.Event()
    errors: list[BaseException] = []
    observed: dict[str, list[int]] = {}

    def reader_loop() -> None:
        try:
            conn = db.reader()
            mine = observed.setdefault(threading.current_thread().name, [])
            while not stop.is_set():
                mine.append(conn.execute("SELECT count(*) FROM messages").fetchone()[0])
                store_search.messages(conn, "退款", limit=10)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    readers = [threading.Thread(target=reader_loop) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        for i in range(60):
            apply(db, [message(f"m-{i}", "cv-0", f"退款 {i}")])
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    assert errors == []
    assert len(observed) == 3
    for counts in observed.values():  # each reader only ever sees whole commits, in commit order
        assert counts == sorted(counts) and all(0 <= n <= 60 for n in counts)
    assert len(store_search.messages(db.reader(), "退款", limit=1000)) == 60
    assert db.integrity_check() == "ok"


def test_write_returns_a_future_usable_from_any_thread(db: Database) -> None:
    futures = [db.write(meta.put, f"k{i}", str(i)) for i in range(20)]
    assert [f.result() for f in futures] == [None] * 20
    assert db.query("SELECT count(*) AS n FROM meta WHERE key LIKE 'k%'") == [{"n": 20}]
