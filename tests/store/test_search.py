"""Full-text search in Chinese and English, checked against a brute-force scan of a known corpus.

Semantics checked (DESIGN.md §5): a Chinese run matches where it occurs as a substring; a Latin word
matches words that start with it (word prefix, case-insensitive); every part of a query must match.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

import pytest

from agent_desktop.store import Database
from agent_desktop.store import search as store_search

from .factories import apply, at, conversation, customer, delete, fts_rowids, message

CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
LATIN = re.compile(r"[0-9A-Za-z]+")
NO_LIMIT = 100_000

# Chinese fragments: no punctuation inside, so "substring" is the exact expected semantics.
ZH = [
    "我想申请退款", "退款申请已经提交", "请帮我开具发票", "发票抬头写错了", "订单还没有发货", "我要退货",
    "快递一直没有到", "商品有质量问题", "请尽快处理", "谢谢你们的帮助", "账户无法登录", "退出登录后数据丢失",
    "电子发票和纸质发票有什么区别", "发票什么时候寄出", "票据丢失了怎么办", "款项已经到账", "我们决定撤退",
    "申请售后服务", "开票信息需要修改", "退款到账了吗", "优惠券不能使用", "会员积分怎么兑换", "退",
    "修改收货地址", "客服电话打不通", "价格比昨天贵了", "请重新开具增值税发票", "退款申请被拒绝了",
    # the characters of a query, present but not together: must not match
    "退回的货款还没到", "发货单和票据都在箱子里", "款式不对要退回去", "请申报后再开具证明",
]
EN = [
    "Please resend the invoice", "Invoices for March are missing", "The invoicing portal is down",
    "I was reinvoiced twice", "left a voice message", "refund not received yet", "Refunded already?",
    "where is my parcel", "INVOICE A-1043 overdue", "order number 55731", "the café order was wrong",
    "need a refund for the invoice", "parcel tracking shows nothing", "thanks for the quick help",
]


def corpus_bodies(n: int = 260) -> list[str]:
    rng = random.Random(20261122)
    bodies = []
    for i in range(n):
        shape = i % 6
        zh, zh2, en = rng.choice(ZH), rng.choice(ZH), rng.choice(EN)
        if shape == 0:
            body = zh
        elif shape == 1:
            body = en
        elif shape == 2:
            body = f"{zh} {en}"
        elif shape == 3:  # the order number token keeps the two Chinese fragments apart
            body = f"{zh}。订单{1000 + i} {zh2}"
        elif shape == 4:  # no space between scripts
            body = f"{en}{zh}"
        else:
            body = f"{zh}\n\n{en}\n-- 客服 agent {i}"
        bodies.append(body)
    return bodies


def terms(query: str) -> tuple[list[str], list[str]]:
    runs = CJK_RUN.findall(query)
    words = [w.lower() for w in LATIN.findall(CJK_RUN.sub(" ", query))]
    return runs, words


def brute_force(text: str, query: str) -> bool:
    runs, words = terms(query)
    if not runs and not words:
        return False
    tokens = LATIN.findall(text.lower())
    return all(run in text for run in runs) and all(any(t.startswith(w) for t in tokens) for w in words)


CUSTOMERS: list[tuple[str, str, str, list[str], list[str]]] = [
    ("cu-01", "王伟", "华为技术有限公司", ["+86 13812345678"], ["wang.wei@huawei.example"]),
    ("cu-02", "王芳", "", ["+86 13900001111"], ["fang.w@163.example"]),
    ("cu-03", "李娜", "王府井百货", ["+86 13712345000"], ["lina@wfj.example"]),
    ("cu-04", "Zhang Wei", "Acme Ltd", ["+1 4155550100"], ["zhang.wei@acme.example"]),
    ("cu-05", "Alice Smith", "Acme Trading", ["+44 7700900123"], ["alice@acmetrading.example"]),
    ("cu-06", "Bob Jones", "Globex", ["+1 2125551234"], ["bob.jones@globex.example"]),
    ("cu-07", "陈杰", "阿里巴巴", ["+86 18612345999", "+86 10 88886666"], ["chen.jie@alibaba.example"]),
    ("cu-08", "刘洋", "腾讯", ["+86 15000000000"], ["liuyang@qq.example"]),
    ("cu-09", "张伟", "京东", ["+86 13698765432"], ["zw@jd.example"]),
    ("cu-10", "Carol White", "Initech", ["+49 3012345"], ["carol@initech.example"]),
    ("cu-11", "王小明", "小米科技", ["+86 13511112222"], ["xiaoming@mi.example"]),
    ("cu-12", "Dave Acker", "Umbrella", ["+33 612340000"], ["dave@umbrella.example"]),
    ("cu-13", "赵丽", "华为终端", ["+86 13355556666"], ["zhaoli@huawei.example"]),
    ("cu-14", "Erin Acme", "", ["+61 412345678"], ["erin@example.org"]),
    ("cu-15", "孙悦", "百度", ["+86 17700007777"], ["sunyue@baidu.example"]),
    ("cu-16", "Frank Li", "李氏贸易", ["+852 91234567"], ["frank.li@lee.example"]),
]
CUSTOMERS += [(f"cu-f{i:02d}", f"Filler{chr(65 + i)} Person", "Nobody Inc", [f"+7 9{i:02d}0001122"],
               [f"filler{i}@nowhere.example"]) for i in range(14)]


def customer_fields(entry: tuple[str, str, str, list[str], list[str]]) -> list[str]:
    _, name, company, phones, emails = entry
    return [name, company, " ".join(phones + emails)]


def customer_oracle(query: str) -> set[str]:
    hits = set()
    digits = re.sub(r"[\s-]", "", query.strip())
    digit_query = re.fullmatch(r"\+?\d{3,}", digits) is not None
    for entry in CUSTOMERS:
        if any(brute_force(field, query) for field in customer_fields(entry)):
            hits.add(entry[0])
        elif digit_query and any(digits.lstrip("+") in re.sub(r"\D", "", p) for p in entry[3]):
            hits.add(entry[0])
    return hits


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Iterator[tuple[Database, dict[str, str]]]:
    db = Database(tmp_path_factory.mktemp("search") / "cache.db")
    bodies = corpus_bodies()
    changes: list[Any] = [customer(cid, name, company=company, phones=phones, emails=emails)
                          for cid, name, company, phones, emails in CUSTOMERS]
    changes += [conversation(f"cv-{c:02d}", CUSTOMERS[c % len(CUSTOMERS)][0],
                             subject=ZH[c % len(ZH)] + " " + EN[c % len(EN)]) for c in range(20)]
    by_id = {}
    for i, body in enumerate(bodies):
        mid = f"m-{i:03d}"
        by_id[mid] = body
        changes.append(message(mid, f"cv-{i % 20:02d}", body, created_at=at(i)))
    # two batches, as a sync would deliver them
    apply(db, changes[:150], cursor="c-1")
    apply(db, changes[150:], cursor="c-2")
    yield db, by_id
    db.close()


def found_messages(db: Database, query: str) -> set[str]:
    rows = store_search.messages(db.reader(), query, limit=NO_LIMIT)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "a message was returned twice"
    return set(ids)


MESSAGE_QUERIES = [
    "退", "票", "款",                                  # one character
    "退款", "发票", "申请", "开票", "撤退",              # two characters
    "退款申请", "开具发票", "发票抬头", "增值税发票",     # three to five characters
    "invoice", "invoi", "INVOICE", "Invoices", "refund", "refunded", "parcel", "voice", "order",
    "café", "55731", "a",
    "发票 invoice", "invoice 发票", "退款 refund", "发票invoice", "申请 退款", "订单 order", "订单1003",
]


def test_the_corpus_is_big_and_mixed(corpus) -> None:
    db, by_id = corpus
    assert len(by_id) >= 200
    assert db.query("SELECT count(*) AS n FROM messages")[0]["n"] == len(by_id)
    assert sum(1 for b in by_id.values() if CJK_RUN.search(b) and LATIN.search(b)) >= 100


@pytest.mark.parametrize("query", MESSAGE_QUERIES)
def test_message_search_has_full_recall_and_precision(corpus, query: str) -> None:
    db, by_id = corpus
    expected = {mid for mid, body in by_id.items() if brute_force(body, query)}
    assert expected, f"corpus does not exercise {query!r}"
    assert len(expected) < len(by_id), f"{query!r} matches everything: not a useful check"
    found = found_messages(db, query)
    assert found - expected == set(), f"false positives for {query!r}"
    assert expected - found == set(), f"missed for {query!r}"


def test_word_prefix_is_not_substring(corpus) -> None:
    db, by_id = corpus
    reinvoiced = {mid for mid, body in by_id.items() if "reinvoiced" in body and "nvoice " not in body
                  and not re.search(r"\b[Ii]nvoic", body)}
    assert reinvoiced
    assert found_messages(db, "invoi").isdisjoint(reinvoiced)
    assert found_messages(db, "reinvoi") >= reinvoiced


def test_results_are_newest_first_and_limited(corpus) -> None:
    db, _ = corpus
    rows = store_search.messages(db.reader(), "退款", limit=NO_LIMIT)
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids, reverse=True)  # inserted in id order, so newest rowid = highest id
    top = store_search.messages(db.reader(), "退款", limit=5)
    assert [r["id"] for r in top] == ids[:5]
    assert store_search.messages(db.reader(), "退款")[:50] == rows[:50]  # default limit 50
    assert len(store_search.messages(db.reader(), "退款")) == min(50, len(rows))


def test_message_hits_carry_their_conversation_and_customer(corpus) -> None:
    db, by_id = corpus
    row = store_search.messages(db.reader(), "parcel", limit=1)[0]
    assert "parcel" in by_id[row["id"]]
    index = int(row["conversation_id"].split("-")[1])
    assert row["customer_name"] == CUSTOMERS[index % len(CUSTOMERS)][1]
    assert row["channel"] == "chat" and row["status"] == "open"


@pytest.mark.parametrize("query", ["退款", "发票", "invoice", "invoi", "退款 refund", "parcel", "撤退"])
def test_conversation_subject_search(corpus, query: str) -> None:
    db, _ = corpus
    subjects = {f"cv-{c:02d}": ZH[c % len(ZH)] + " " + EN[c % len(EN)] for c in range(20)}
    expected = {cid for cid, subject in subjects.items() if brute_force(subject, query)}
    assert expected
    found = {r["id"] for r in store_search.conversations(db.reader(), query, limit=NO_LIMIT)}
    assert found == expected


CUSTOMER_QUERIES = [
    "王", "王伟", "华为", "王府井", "阿里巴巴", "李",          # name / company, Chinese 1-4 chars
    "Acme", "acme", "Smith", "glob", "Zhang Wei",            # name / company, English word & prefix
    "zhang.wei", "@globex", "alibaba", "huawei", "chen.jie@alibaba",  # e-mail fragments
    "12345", "5678", "0000", "88886666", "+86 138", "13812345678",      # phone digits
]


@pytest.mark.parametrize("query", CUSTOMER_QUERIES)
def test_customer_search_has_full_recall_and_precision(corpus, query: str) -> None:
    db, _ = corpus
    expected = customer_oracle(query)
    assert expected, f"corpus does not exercise {query!r}"
    rows = store_search.customers(db.reader(), query, limit=NO_LIMIT)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert set(ids) == expected


def test_phone_fragment_inside_an_international_number(corpus) -> None:
    db, _ = corpus
    ids = {r["id"] for r in store_search.customers(db.reader(), "12345", limit=NO_LIMIT)}
    assert {"cu-01", "cu-03", "cu-07"} <= ids      # +86 138[12345]678, +86 137[12345]000, +86 186[12345]999
    assert "cu-09" not in ids                       # +86 13698765432


def test_customer_search_default_limit(corpus) -> None:
    db, _ = corpus
    assert len(store_search.customers(db.reader(), "Person")) == 14  # all fillers, under the limit of 20
    assert len(store_search.customers(db.reader(), "Person", limit=5)) == 5


HOSTILE = ['"', '""', 'a"b', '"退款', '退"款', 'OR', 'AND', 'NOT', 'invoice OR refund', 'NEAR(', 'NEAR(退款, 2)',
           '*', 'invoi*', '-', '-refund', '^invoice', 'body:退款', '{body}:x', '(', ')', "'", '\\', '%', '_',
           "'); DROP TABLE messages;--", '退款 OR 发票', '\x00', '\ud800', 'a\ud800b', '\u202e退款', '', '   ',
           '+86', '%123%', '12_45', '---', '+++1', '😀', 'ｉｎｖｏｉｃｅ']


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_input_never_raises(corpus, query: str) -> None:
    db, by_id = corpus
    reader = db.reader()
    found = found_messages(db, query)
    assert found <= set(by_id)
    if not any("\ud800" <= ch <= "\udfff" for ch in query) and query.isascii() or CJK_RUN.search(query):
        expected = {mid for mid, body in by_id.items() if brute_force(body, query)}
        assert found == expected
    store_search.customers(reader, query, limit=NO_LIMIT)
    store_search.conversations(reader, query, limit=NO_LIMIT)
    assert db.integrity_check() == "ok"


# -- the index follows the data --------------------------------------------------------------------

def test_updating_a_message_body_reindexes_it(db: Database) -> None:
    apply(db, [customer("cu-1"), conversation("cv-1"), message("m-1", "cv-1", "我想申请退款 alpha"),
               message("m-2", "cv-1", "other 退货")])
    reader = db.reader()
    assert {r["id"] for r in store_search.messages(reader, "退款")} == {"m-1"}
    apply(db, [message("m-1", "cv-1", "请开具发票 omega", version=2)])
    assert store_search.messages(reader, "退款") == []
    assert store_search.messages(reader, "alpha") == []
    assert {r["id"] for r in store_search.messages(reader, "发票")} == {"m-1"}
    assert {r["id"] for r in store_search.messages(reader, "omega")} == {"m-1"}
    assert {r["id"] for r in store_search.messages(reader, "退")} == {"m-2"}
    # nothing stale is left in the raw index either
    assert fts_rowids(db, "messages_fts", '"退 款"') == []
    assert len(fts_rowids(db, "messages_fts", '"退"')) == 1


def test_updating_a_customer_reindexes_it(db: Database) -> None:
    apply(db, [customer("cu-1", "王伟", company="华为", emails=["old@acme.example"], phones=["+86 13812345678"])])
    apply(db, [customer("cu-1", "李娜", company="腾讯", emails=["new@globex.example"], phones=["+86 13900001111"],
                        version=2)])
    reader = db.reader()
    for gone in ("王伟", "华为", "acme", "12345"):
        assert store_search.customers(reader, gone) == [], gone
    for present in ("李娜", "腾讯", "globex", "0000111"):
        assert [r["id"] for r in store_search.customers(reader, present)] == ["cu-1"], present
    assert fts_rowids(db, "customers_fts", '"王"') == []


def test_deleting_a_message_removes_it_from_search(db: Database) -> None:
    apply(db, [customer("cu-1"), conversation("cv-1"), message("m-1", "cv-1", "发票 invoice one"),
               message("m-2", "cv-1", "发票 invoice two")])
    apply(db, [delete("message", "m-1")])
    assert {r["id"] for r in store_search.messages(db.reader(), "发票 invoice")} == {"m-2"}
    assert fts_rowids(db, "messages_fts", '"one"') == []


def test_deleting_a_conversation_removes_it_and_its_messages_from_search(db: Database) -> None:
    apply(db, [customer("cu-1"), conversation("cv-1", subject="退款 gone"), conversation("cv-2", subject="退款 kept"),
               message("m-1", "cv-1", "发票 one"), message("m-2", "cv-2", "发票 two")])
    apply(db, [delete("conversation", "cv-1")])
    reader = db.reader()
    assert {r["id"] for r in store_search.messages(reader, "发票")} == {"m-2"}
    assert {r["id"] for r in store_search.conversations(reader, "退款")} == {"cv-2"}
    assert fts_rowids(db, "messages_fts", '"one"') == []
    assert fts_rowids(db, "conversations_fts", '"gone"') == []


def test_deleting_a_customer_removes_it_from_search(db: Database) -> None:
    apply(db, [customer("cu-1", "王伟", phones=["+86 13812345678"]), customer("cu-2", "王芳")])
    apply(db, [delete("customer", "cu-1")])
    reader = db.reader()
    assert [r["id"] for r in store_search.customers(reader, "王")] == ["cu-2"]
    assert store_search.customers(reader, "12345") == []
    assert store_search.customers(reader, "王伟") == []


def test_a_deleted_and_recreated_customer_is_found_once(db: Database) -> None:
    apply(db, [customer("cu-1", "王伟")])
    apply(db, [delete("customer", "cu-1")])
    apply(db, [customer("cu-1", "王伟")])
    assert [r["id"] for r in store_search.customers(db.reader(), "王伟")] == ["cu-1"]
    assert len(fts_rowids(db, "customers_fts", '"王 伟"')) == 1


# -- known gaps ------------------------------------------------------------------------------------

def test_chinese_phrase_does_not_match_across_punctuation(db: Database) -> None:
    apply(db, [customer("cu-1"), conversation("cv-1"),
               message("m-1", "cv-1", "我们决定撤退，款项明天到账"),
               message("m-2", "cv-1", "已经退款。申请售后服务"),
               message("m-3", "cv-1", "退款申请已经提交")])
    reader = db.reader()
    assert {r["id"] for r in store_search.messages(reader, "退款")} == {"m-2", "m-3"}
    assert {r["id"] for r in store_search.messages(reader, "退款申请")} == {"m-3"}


def test_phone_digits_match_formatted_numbers(db: Database) -> None:
    apply(db, [customer("cu-1", "Dashes", phones=["+86 138-1234-5678"]),
               customer("cu-2", "Spaces", phones=["+1 (415) 555 0100"])])
    reader = db.reader()
    assert [r["id"] for r in store_search.customers(reader, "12345678")] == ["cu-1"]
    assert [r["id"] for r in store_search.customers(reader, "5550100")] == ["cu-2"]


def test_email_fragment_keeps_its_order(db: Database) -> None:
    apply(db, [customer("cu-1", "Person One", emails=["zhang.wei@acme.example"]),
               customer("cu-2", "Person Two", emails=["wei.zhang@acme.example"])])
    assert [r["id"] for r in store_search.customers(db.reader(), "zhang.wei@acme")] == ["cu-1"]
