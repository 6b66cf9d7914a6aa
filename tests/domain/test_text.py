"""CJK per-character indexing helpers, FTS query building and display sanitising."""

from __future__ import annotations

import random
import sqlite3

import pytest

from agent_desktop.domain.text import BREAK_TOKEN, clean_body, fts_query, safe_display, spaced_for_index

HOSTILE = [
    '"', '""', '"""', 'a"b', '"退款', '退"款', 'OR', 'AND', 'NOT', 'invoice OR refund', 'NEAR(', 'NEAR(a b, 3)',
    '*', '**', 'invoi*', '-', '-refund', 'refund -invoice', '^start', 'body:退款', 'body : x', '{body}: x',
    '(', ')', '()', '(退款', "'", "''", '\\', '+', 'a AND (b OR', ':', '::', '"*"', 'x NOT', '%', '_', ';--',
    "Robert'); DROP TABLE messages;--", '退款 OR 发票', 'NEAR("退 款")', '\x00', 'a\x00b', '\ud800', 'a\ud800b',
    '\u202e退款', 'ｉｎｖｏｉｃｅ', '😀', '…', '   ', '',
]


@pytest.fixture(scope="module")
def fts_conn():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(body, content='', tokenize='unicode61')")
    for rowid, text in enumerate(["我想申请退款", "please resend the invoice", "发票 invoice 123", "OR NEAR AND"],
                                 start=1):
        conn.execute("INSERT INTO t(rowid, body) VALUES(?, ?)", (rowid, spaced_for_index(text)))
    yield conn
    conn.close()


def match(conn: sqlite3.Connection, text: str) -> set[int]:
    query = fts_query(text)
    if query is None:
        return set()
    return {r for (r,) in conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (query,))}


# -- spaced_for_index ------------------------------------------------------------------------------

def test_every_cjk_character_becomes_its_own_token() -> None:
    assert spaced_for_index("我想申请退款").split() == list("我想申请退款")


def test_latin_words_stay_whole_next_to_cjk() -> None:
    assert spaced_for_index("发票invoice已开").split() == ["发", "票", "invoice", "已", "开"]
    assert spaced_for_index("order 12345 退款").split() == ["order", BREAK_TOKEN, "12345", BREAK_TOKEN, "退", "款"]


def test_kana_hangul_and_compatibility_ideographs_are_spaced() -> None:
    assert spaced_for_index("カナ한글豈").split() == ["カ", "ナ", "한", "글", "豈"]


def test_punctuation_and_spaces_become_a_break_token() -> None:
    text = "Please resend invoice #A-1043, thanks!"
    assert spaced_for_index(text).split() == [
        "Please", BREAK_TOKEN, "resend", BREAK_TOKEN, "invoice", BREAK_TOKEN, "A", BREAK_TOKEN, "1043",
        BREAK_TOKEN, "thanks", BREAK_TOKEN]
    assert spaced_for_index("撤退，款项").split() == ["撤", "退", BREAK_TOKEN, "款", "项"]


# -- fts_query -------------------------------------------------------------------------------------

def test_cjk_runs_become_character_phrases() -> None:
    assert fts_query("退款") == '"退 款"'
    assert fts_query("退") == '"退"'
    assert fts_query("退款申请") == '"退 款 申 请"'


def test_latin_words_become_quoted_prefix_terms() -> None:
    assert fts_query("invoi") == '"invoi"*'
    assert fts_query("invoice refund") == '"invoice"* "refund"*'


def test_mixed_query_requires_every_part() -> None:
    assert fts_query("发票 invoice") == '"发 票" "invoice"*'
    assert fts_query("发票invoice") == '"发 票" "invoice"*'


def test_email_and_punctuated_words_stay_one_phrase() -> None:
    assert fts_query("zhang.wei@acme") == f'"zhang {BREAK_TOKEN} wei {BREAK_TOKEN} acme"*'


@pytest.mark.parametrize("text", ["", "   ", "*", "-", '"', "()", "！？。", "😀", "\ud800"])
def test_nothing_searchable_gives_none(text: str) -> None:
    assert fts_query(text) is None


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_gives_balanced_quotes_and_valid_fts(text: str, fts_conn: sqlite3.Connection) -> None:
    query = fts_query(text)
    if query is None:
        return
    assert query.count('"') % 2 == 0
    # every term is a quoted string: nothing the user typed is FTS5 syntax
    fts_conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (query,)).fetchall()


def test_fts_operators_typed_by_the_user_are_searched_as_words(fts_conn: sqlite3.Connection) -> None:
    assert match(fts_conn, "OR") == {4}
    assert match(fts_conn, "NEAR(") == {4}
    assert match(fts_conn, "invoice OR refund") == set()      # all words must appear; no 'refund'
    assert match(fts_conn, "-invoice") == {2, 3}               # '-' is not a NOT operator
    assert match(fts_conn, "invoi*") == {2, 3}
    assert match(fts_conn, '"退款') == {1}
    assert match(fts_conn, "退 款") == {1}


def test_random_hostile_strings_never_break_fts(fts_conn: sqlite3.Connection) -> None:
    rng = random.Random(7)
    alphabet = list('"*-^:(){}+\'\\ ORANDNEAR退款发票ab1_.@%') + ["OR", "NEAR", "AND", "NOT", " "]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        query = fts_query(text)
        if query is not None:
            assert query.count('"') % 2 == 0, text
            fts_conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (query,)).fetchall()


# -- safe_display / clean_body ---------------------------------------------------------------------

def test_rtl_override_and_bidi_controls_are_removed() -> None:
    assert safe_display("invoice\u202efdp.exe") == "invoicefdp.exe"
    assert safe_display("\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069ok") == "ok"


def test_zero_width_and_invisible_characters_are_removed() -> None:
    assert safe_display("pay\u200bpal\u200c\u200d\u2060\ufeff\u00ad") == "paypal"


def test_control_characters_and_nul_are_removed() -> None:
    assert safe_display("a\x00b\x07c\x1bd\x7fe") == "abcde"


def test_lone_surrogates_are_neutralised() -> None:
    shown = safe_display("ok\ud800go\udfff")
    assert not any("\ud800" <= ch <= "\udfff" for ch in shown)
    assert shown.encode("utf-8")  # would raise on a surrogate
    assert shown.startswith("ok") and "go" in shown


def test_newlines_and_runs_of_whitespace_fold_to_one_space() -> None:
    assert safe_display("  王先生\n退款\r\n申请\t\tinvoice  \u2028x ") == "王先生 退款 申请 invoice x"


def test_length_is_capped_with_an_ellipsis() -> None:
    shown = safe_display("退款" * 100, limit=10)
    assert len(shown) == 10
    assert shown == "退款退款退款退款退…"
    assert safe_display("short", limit=10) == "short"
    assert safe_display("exactly10!", limit=10) == "exactly10!"


def test_cap_counts_visible_text_after_stripping() -> None:
    assert safe_display("\u200b" * 50 + "abc", limit=5) == "abc"


def test_empty_and_none() -> None:
    assert safe_display(None) == ""
    assert safe_display("") == ""
    assert safe_display("\u200b\u202e") == ""


def test_display_is_nfc_normalised() -> None:
    assert safe_display("cafe\u0301") == "caf\u00e9"


def test_clean_body_keeps_line_breaks_but_drops_traps() -> None:
    assert clean_body("第一行\n\u202e第二行\x00\r\n\u200bend") == "第一行\n第二行\r\nend"
    assert clean_body("x\ud800").encode("utf-8") == "x\ufffd".encode()
