"""The knowledge cache: per-character search in Chinese and English, index upkeep, suggestions."""

from __future__ import annotations

import pytest

from agent_desktop.domain.knowledge import parse_faq_article, parse_script
from agent_desktop.store import knowledge as kstore
from agent_desktop.store import outbox

from .conftest import AGENT


def titles(rows):
    return [row["title"] for row in rows]


@pytest.mark.parametrize("query, expected", [
    ("退", "退款已办理"), ("退款", "退款已办理"), ("发票", "电子发票"), ("refund", "Refund issued"),
    ("Refu", "Refund issued"), ("物流", "物流查询"),
])
def test_script_search_finds_one_and_two_character_chinese_and_english_prefixes(kdb, query, expected):
    assert expected in titles(kstore.search_scripts(kdb.reader(), query, AGENT["id"]))


def test_shortcut_match_comes_first(kdb):
    rows = kstore.search_scripts(kdb.reader(), "/refund", AGENT["id"], language="zh")
    assert rows[0]["shortcut"] == "refund"
    assert rows[0]["language"] == "zh"
    english_first = kstore.search_scripts(kdb.reader(), "refund", AGENT["id"], language="en")
    assert english_first[0]["language"] == "en"


def test_phrase_does_not_match_across_punctuation(kdb):
    # "款项" appears in bodies; "退，款" must not make "退款" match text where 退 and 款 are split by punctuation.
    def write(conn):
        kstore.write_article(conn, parse_faq_article("kb-x", {"title": "撤退，款项说明", "body": "无", "version": 1}))
    kdb.write_sync(write)
    assert "撤退，款项说明" not in titles(kstore.search_articles(kdb.reader(), "退款", limit=500))


def test_article_search_zh_and_en_ranks_title_hits(kdb):
    rows = kstore.search_articles(kdb.reader(), "扫地机器人 退款")
    assert rows[0]["title"] == "扫地机器人 X10 如何申请退款？"
    rows = kstore.search_articles(kdb.reader(), "warranty vacuum")
    assert rows[0]["title"] == "What is the warranty on the Robot Vacuum X10?"


def test_updated_text_is_reindexed_and_old_words_vanish(kdb):
    original = kstore.search_articles(kdb.reader(), "咖啡机 保修")[0]

    def write(conn):
        kstore.write_article(conn, parse_faq_article(original["id"], {
            "title": "咖啡机 延保服务", "body": "购买延保可以延长到三年", "category": "aftersales", "version": 9}))
    kdb.write_sync(write)
    assert original["id"] not in [r["id"] for r in kstore.search_articles(kdb.reader(), "咖啡机 保修期")]
    assert kstore.search_articles(kdb.reader(), "延保")[0]["id"] == original["id"]
    kdb.write_sync(kstore.delete_article, original["id"])
    assert kstore.search_articles(kdb.reader(), "延保") == []
    assert kdb.reader().execute("SELECT count(*) FROM faq_fts WHERE faq_fts MATCH '\"延 保\"'").fetchone()[0] == 0


# Fixed customer messages and the article an agent would want: it must be in the top 3.
SUGGESTIONS = [
    (["扫地机器人 X10 买了一周想退款，怎么操作？"], "zh", "扫地机器人 X10 如何申请退款？"),
    (["你好，发票抬头写错了，订单是咖啡机 Barista 2 的，能重开吗？"], "zh", "咖啡机 Barista 2 怎么开发票？"),
    (["智能手表连不上网，一直开不了机"], "zh", "智能手表 S3 无法开机或连不上网怎么办？"),
    (["退款申请好几天了钱还没到账，支付宝的"], "zh", "退款到账时间说明"),
    (["My Robot Vacuum X10 arrived but I'd like a refund please"], "en", "How do I get a refund for the Robot Vacuum X10?"),
    (["Hi, the power bank won't turn on at all"], "en", "My Power Bank 20000 mAh won't turn on or connect to Wi-Fi"),
    (["What's the warranty on the Air Purifier A7?"], "en", "What is the warranty on the Air Purifier A7?"),
    (["I need an invoice for the mechanical keyboard I bought"], "en", "How do I get an invoice for the Mechanical Keyboard K87?"),
]


@pytest.mark.parametrize("texts, language, expected", SUGGESTIONS)
def test_suggestions_put_the_expected_article_in_the_top_three(kdb, texts, language, expected):
    top = titles(kstore.suggest_articles(kdb.reader(), texts, language=language, limit=3))
    assert expected in top, top


def test_suggested_scripts_follow_the_customer(kdb):
    top = titles(kstore.suggest_scripts(kdb.reader(), ["我要投诉，问题一直没解决，要求补偿"], AGENT["id"], language="zh"))
    assert {"补偿方案", "外部投诉处理", "致歉"} & set(top), top


def test_nothing_to_match_gives_no_suggestions(kdb):
    assert kstore.suggest_articles(kdb.reader(), ["你好", "谢谢"]) == []


def test_personal_scripts_are_visible_only_to_their_owner(kdb):
    mine = parse_script("ps-" + "a" * 32, {"title": "我的结束语", "body": "回头见", "scope": "personal",
                                           "owner_id": AGENT["id"], "version": 1})
    theirs = parse_script("ps-" + "b" * 32, {"title": "别人的结束语", "body": "回头见", "scope": "personal",
                                             "owner_id": "a-agent2", "version": 1})
    kdb.write_sync(kstore.save_local_script, mine)
    kdb.write_sync(kstore.write_script, theirs)
    assert titles(kstore.search_scripts(kdb.reader(), "回头见", AGENT["id"])) == ["我的结束语"]


def test_feed_upsert_waits_while_a_local_edit_is_pending(kdb):
    script_id = "ps-" + "c" * 32
    local = parse_script(script_id, {"title": "本地版本", "body": "新内容", "scope": "personal",
                                     "owner_id": AGENT["id"], "version": 1})
    kdb.write_sync(kstore.save_local_script, local)
    stale = parse_script(script_id, {"title": "服务器旧版本", "body": "旧内容", "scope": "personal",
                                     "owner_id": AGENT["id"], "version": 1})
    kdb.write_sync(kstore.write_script, stale)
    assert kstore.script_by_id(kdb.reader(), script_id)["title"] == "本地版本"
    kdb.write_sync(kstore.confirm_script, script_id, local)
    kdb.write_sync(kstore.write_script, stale)   # nothing pending now: the server's state wins
    assert kstore.script_by_id(kdb.reader(), script_id)["title"] == "服务器旧版本"
    assert titles(kstore.search_scripts(kdb.reader(), "旧内容", AGENT["id"])) == ["服务器旧版本"]
    assert kstore.search_scripts(kdb.reader(), "新内容", AGENT["id"]) == []


def test_usage_shows_pending_uses_until_the_server_counts_them(kdb):
    before = kstore.script_by_id(kdb.reader(), "s-001-zh")["used_count"]

    def use(conn):
        kstore.add_pending_use(conn, "script", "s-001-zh")
        outbox.enqueue_action(conn, "knowledge_usage", "", {"entity": "script", "id": "s-001-zh", "count": 1})
    kdb.write_sync(use)
    kdb.write_sync(use)
    assert kstore.script_by_id(kdb.reader(), "s-001-zh")["used_count"] == before + 2
    kdb.write_sync(kstore.confirm_use, "script", "s-001-zh", 1, before + 1)
    assert kstore.script_by_id(kdb.reader(), "s-001-zh")["used_count"] == before + 2


def test_guided_runs_survive_reopening_the_cache(kdb, tmp_path):
    kdb.write_sync(kstore.save_run, "c-1", {"script_id": "g-refund-zh", "current": "verify", "path": []})
    path = kdb.path
    kdb.close()
    from agent_desktop.store import Database
    again = Database(path)
    try:
        assert kstore.load_run(again.reader(), "c-1")["current"] == "verify"
    finally:
        again.close()


def test_reset_for_resync_keeps_only_unsent_local_scripts_and_a_consistent_index(kdb):
    mine = parse_script("ps-" + "d" * 32, {"title": "未同步的话术", "body": "稍等片刻", "scope": "personal",
                                           "owner_id": AGENT["id"], "version": 1})
    kdb.write_sync(kstore.save_local_script, mine)
    kdb.write_sync(kstore.reset_for_resync)
    assert titles(kstore.search_scripts(kdb.reader(), "稍等", AGENT["id"])) == ["未同步的话术"]
    assert kstore.search_scripts(kdb.reader(), "退款", AGENT["id"]) == []
    assert kstore.search_articles(kdb.reader(), "退款") == []
    # The feed then brings everything back, and the index takes it without complaint.
    from .conftest import fill
    fill(kdb)
    assert "退款已办理" in titles(kstore.search_scripts(kdb.reader(), "退款", AGENT["id"]))
    kdb.write_sync(lambda conn: conn.execute("INSERT INTO scripts_fts(scripts_fts) VALUES('integrity-check')"))
