"""Firms' names in pinyin order, by the database's collation (champions/collation.py): ICU's
Chinese on PostgreSQL, pypinyin's character readings (``text.pinyin_sort_key``) on SQLite."""

import datetime
import sqlite3

import pytest
from django.db import connection
from pypinyin import Style, lazy_pinyin

from champions import collation
from champions.models import Enterprise
from champions.text import pinyin_sort_key
from tests.test_pages import csv_rows, held_title

#: Names in pinyin order, as ICU's zh-Hans collation sorts them and as the key does: symbols
#: and digits first, then Han characters by syllable (阿 a before 安 an), then tone (吻 wěn
#: before 问 wèn), a name before the longer ones it begins, then Latin letters. No character
#: here is one that ICU and pypinyin's first reading read differently (长, 重, 行…).
IN_PINYIN_ORDER = [
    "123科技",
    "阿里",
    "阿里巴巴",
    "安泰",
    "奥康",
    "北方",
    "苍南",
    "德力西",
    "洞头",
    "华峰",
    "龙湾",
    "鹿城",
    "瓯海乙",
    "瑞安",
    "泰顺",
    "温州（集团）",
    "温州1号",
    "温州甲",
    "温州A",
    "文成",
    "吻",
    "问天",
    "永嘉",
    "正泰",
    "中国",
    "中国化工",
    "Abc",
    "Zeta科技",
]
SHUFFLED = sorted(IN_PINYIN_ORDER, key=lambda name: name[::-1])


def test_the_key_sorts_the_sample_in_pinyin_order():
    assert SHUFFLED != IN_PINYIN_ORDER
    assert sorted(SHUFFLED, key=pinyin_sort_key) == IN_PINYIN_ORDER


def test_the_key_reads_as_pypinyin_does_with_its_phrases():
    """The key's table (one reading per character) against pypinyin's phrase-aware
    ``lazy_pinyin``, for names without characters that their neighbours read otherwise."""
    han_only = [name for name in SHUFFLED if all("\u4e00" <= char <= "\u9fff" for char in name)]
    for name in han_only:
        syllables = [f"{key[2]}{key[3]}" for key in pinyin_sort_key(name)]
        assert syllables == lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True)

    def by_phrases(name):
        readings = lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True)
        return [(reading[:-1], int(reading[-1])) for reading in readings]

    assert sorted(han_only, key=by_phrases) == sorted(han_only, key=pinyin_sort_key)


def test_the_key_uses_each_characters_most_common_reading():
    """Not its reading in a phrase: 银行 is yín xíng here, as 行 alone."""
    assert [key[2:4] for key in pinyin_sort_key("银行")] == [("yin", 2), ("xing", 2)]
    # ü as u, then after it (lu, lü, luan, lüe), as ICU has it; full width is half width.
    assert sorted("略卵绿路", key=pinyin_sort_key) == list("路绿卵略")
    assert pinyin_sort_key("Ｚｅｔａ（集团）") == pinyin_sort_key("zeta(集团)")


def test_the_sqlite_collation_sorts_with_the_key():
    database = sqlite3.connect(":memory:")
    database.create_collation(collation.SQLITE_COLLATION, collation.compare)
    database.execute("CREATE TABLE firm (name TEXT)")
    database.executemany("INSERT INTO firm VALUES (?)", [(name,) for name in SHUFFLED])
    rows = database.execute("SELECT name FROM firm ORDER BY name COLLATE pinyin").fetchall()
    assert [name for (name,) in rows] == IN_PINYIN_ORDER


@pytest.mark.django_db
def test_icu_sorts_the_sample_as_the_key_does():
    if connection.vendor != "postgresql":
        pytest.skip("ICU's collation is PostgreSQL's")
    assert collation.collation_for(connection) == collation.ICU_COLLATION
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT name FROM unnest(%s::text[]) AS name ORDER BY name COLLATE "zh-Hans-x-icu"',
            [SHUFFLED],
        )
        assert [name for (name,) in cursor.fetchall()] == IN_PINYIN_ORDER


@pytest.mark.django_db
def test_the_directory_lists_names_in_pinyin_order(client, make_enterprise):
    """Within one title rank (all hold the same title), the names decide: pinyin order, on the
    page, its JSON and CSV twins, and reversed."""
    for name in SHUFFLED:
        held_title(make_enterprise(name=name), "hidden_champion", datetime.date(2021, 8, 2))
    rows = client.get("/enterprises/", {"format": "json"}).json()["rows"]
    assert [row["name"] for row in rows] == IN_PINYIN_ORDER
    csv = csv_rows(client.get("/enterprises/", {"format": "csv"}))[1:]
    assert [row[0] for row in csv] == IN_PINYIN_ORDER
    rows = client.get("/enterprises/", {"format": "json", "sort": "name"}).json()["rows"]
    assert [row["name"] for row in rows] == IN_PINYIN_ORDER
    rows = client.get("/enterprises/", {"format": "json", "sort": "-name"}).json()["rows"]
    assert [row["name"] for row in rows] == IN_PINYIN_ORDER[::-1]
    html = client.get("/enterprises/").content.decode()
    positions = [html.index(f">{name}<") for name in IN_PINYIN_ORDER]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_the_order_is_the_plain_one_without_the_icu_collation(monkeypatch):
    """A PostgreSQL built without ICU: the column's own order, then the matching key."""
    sql = str(Enterprise.objects.order_by("name__pinyin").query)
    if connection.vendor == "postgresql":
        assert 'COLLATE "zh-Hans-x-icu"' in sql
        monkeypatch.setitem(collation._icu_available, collation._server(connection), False)
        assert "COLLATE" not in str(Enterprise.objects.order_by("name__pinyin").query)
    else:
        assert 'COLLATE "pinyin"' in sql
