"""The Simplified Chinese translation: complete, compiled, current, and shown where it should be.

The catalogue is read with a small parser of the ``.po`` format and the compiled ``.mo`` with the
standard library's ``gettext``, so the checks need no extra package. Regenerating the catalogue
from the sources needs GNU gettext's ``xgettext``, as ``make messages`` does.
"""

import ast
import gettext
import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.loader import render_to_string
from django.utils import translation

from champions.models import ProvinceCount, Recommendation, Region
from champions.validators import validate_credit_code
from tests.import_helpers import write_csv

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = CATALOGUE / "django.po"
MO_FILE = CATALOGUE / "django.mo"

#: ``%(name)s``, ``%(count)d``, ``%(seconds).2f``, ``%s``, ``{}``; ``%%`` is a literal percent sign.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[-#0 +]*\d*[sdif]|\{[^{}]*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@dataclass
class Entry:
    """One message of a ``.po`` file; ``msgstr`` is a list (one form without plural)."""

    line: int
    flags: set = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: list = field(default_factory=list)

    @property
    def key(self):
        return (self.msgctxt, self.msgid)

    def __str__(self):
        context = f" [{self.msgctxt}]" if self.msgctxt else ""
        return f"line {self.line}{context}: {self.msgid!r}"


def parse_po(text):
    """The entries of a ``.po`` file, header included; obsolete (``#~``) entries are skipped."""
    entries, entry, target = [], None, None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            entry = None
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            target(ast.literal_eval(line))
        else:
            keyword, _space, literal = line.partition(" ")
            value = ast.literal_eval(literal)
            if keyword.startswith("msgstr"):
                entry.msgstr.append(value)
                target = _appender(entry.msgstr, -1)
            else:
                setattr(entry, keyword, value)
                target = _appender(entry, keyword)
    return [entry for entry in entries if entry.msgid or entry.msgstr]


def _appender(owner, where):
    """Continuation lines add to the value started on the keyword's line."""
    if isinstance(owner, list):

        def add(more):
            owner[where] += more

    else:

        def add(more):
            setattr(owner, where, getattr(owner, where) + more)

    return add


def messages():
    """The catalogue's messages, without the header."""
    return [entry for entry in parse_po(PO_FILE.read_text("utf-8")) if entry.msgid]


def header():
    first = parse_po(PO_FILE.read_text("utf-8"))[0]
    assert first.msgid == ""
    return dict(line.split(": ", 1) for line in first.msgstr[0].splitlines() if line)


def test_header_names_the_language_one_plural_form_and_utf8():
    fields = header()
    assert fields["Language"] == "zh_Hans"
    assert fields["Plural-Forms"] == "nplurals=1; plural=0;"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = messages()
    assert len(entries) > 400
    untranslated = [str(e) for e in entries if not e.msgstr or not all(e.msgstr)]
    fuzzy = [str(e) for e in parse_po(PO_FILE.read_text("utf-8")) if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_plural_messages_have_the_one_chinese_form():
    plurals = [e for e in messages() if e.msgid_plural is not None]
    assert plurals
    assert [str(e) for e in plurals if len(e.msgstr) != 1] == []


def test_translations_keep_every_placeholder_and_tag():
    wrong = []
    for entry in messages():
        for translated in entry.msgstr:
            found = sorted(PLACEHOLDER.findall(translated)), sorted(TAG.findall(translated))
            if entry.msgid_plural is None:
                expected = (
                    sorted(PLACEHOLDER.findall(entry.msgid)),
                    sorted(TAG.findall(entry.msgid)),
                )
                if found != expected:
                    wrong.append(f"{entry}: {found} != {expected}")
                continue
            # The one Chinese form serves both English ones: it has the placeholders of the
            # plural (the singular may spell the count as "one", or leave it out).
            expected = (
                sorted(set(PLACEHOLDER.findall(entry.msgid_plural))),
                sorted(TAG.findall(entry.msgid_plural)),
            )
            if (sorted(set(found[0])), found[1]) != expected:
                wrong.append(f"{entry}: {found} != {expected}")
    assert wrong == []


def test_translations_are_chinese():
    """A msgstr copied from the msgid would count as translated; every one has Chinese in it
    (characters or full-width punctuation)."""
    chinese = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    assert [str(e) for e in messages() if not all(chinese.search(s) for s in e.msgstr)] == []


def test_compiled_catalogue_matches_the_po_file():
    """``compilemessages`` was run after the last edit: the ``.mo`` holds exactly the ``.po``."""
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    expected = {"": compiled.get("")}  # the header, compared below
    for entry in messages():
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            expected[key] = entry.msgstr[0]
        else:
            expected.update({(key, n): text for n, text in enumerate(entry.msgstr)})
    assert compiled == expected
    assert "Plural-Forms: nplurals=1; plural=0;" in compiled[""]


def _project_sources(directory, names):
    """What ``makemessages`` reads: the project without its virtualenv, caches, tests and data."""
    skipped = {"tests", "staticfiles", "node_modules", "__pycache__"}
    return [
        name
        for name in names
        if name in skipped or name.startswith(".") or name.endswith((".sqlite3", ".mo"))
    ]


def test_every_wrapped_source_string_is_in_the_catalogue(tmp_path):
    """``makemessages`` run on a copy of the sources finds nothing new and nothing stale."""
    assert shutil.which("xgettext"), "GNU gettext is needed: apt-get install gettext"
    copy = tmp_path / "project"
    shutil.copytree(settings.BASE_DIR, copy, ignore=_project_sources)
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    environment.pop("DATABASE_URL", None)  # makemessages does not touch the database
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=copy,
        env=environment,
        check=True,
        capture_output=True,
    )
    regenerated = parse_po((copy / PO_FILE.relative_to(settings.BASE_DIR)).read_text("utf-8"))
    regenerated = [entry for entry in regenerated if entry.msgid]
    assert {e.key for e in regenerated} == {e.key for e in messages()}
    assert [str(e) for e in regenerated if not all(e.msgstr) or "fuzzy" in e.flags] == []


# --- In context ---------------------------------------------------------------------------------


@pytest.fixture
def ranked_city(db, make_enterprise, national_batch):
    """Wenzhou third of three cities in reports to the ministry, with one nomination under way."""
    counts = {"330100": 16, "330200": 12, "330300": 9}
    for code, count in counts.items():
        ProvinceCount.objects.create(
            region=Region.objects.get(code=code),
            tier=national_batch.tier,
            year=2021,
            measure=ProvinceCount.Measure.SUBMITTED,
            count=count,
        )
    Recommendation.objects.create(
        enterprise=make_enterprise(), batch=national_batch, stage="province_passed"
    )


def page(client, url, language=None):
    headers = {"accept-language": language} if language else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_admin_index_is_in_chinese_by_default(admin_client):
    html = page(admin_client, f"/{settings.ADMIN_PATH}")
    for label in ("名录管理", "企业", "称号", "称号认定", "推荐", "研讨会", "年度指标", "批次"):
        assert f">{label}<" in html
    assert ">Enterprises<" not in html
    assert ">Enterprises<" in page(admin_client, f"/{settings.ADMIN_PATH}", "en")


def test_admin_change_form_labels_are_in_chinese(admin_client, make_enterprise):
    firm = make_enterprise()
    html = page(admin_client, f"/{settings.ADMIN_PATH}champions/enterprise/{firm.pk}/change/")
    for label in ("统一社会信用代码", "所属区县", "所属行业", "主导产品", "成立年份", "曾用名"):
        assert label in html
    assert "工业总产值（万元）" in html  # the yearly figures inline


@pytest.mark.usefixtures("ranked_city")
def test_home_page_is_in_chinese_by_default_and_english_on_request(client):
    html = page(client, "/")
    assert '<html lang="zh-hans">' in html
    for text in (
        "温州市制造业冠军企业",
        "制造业单项冠军（企业和产品）",
        "国家级专精特新“小巨人”企业",
        "新产品产值率",
        "梯度培育",
        "在浙江省排名第3",  # built from the humanize ordinal and the province's name
        "2021年第6批制造业单项冠军企业",
        "通过省级初审：<strong>1</strong>",
    ):
        assert text in html
    english = page(client, "/", "en")
    assert '<html lang="en">' in english
    assert "3rd in Zhejiang Province" in english
    assert "<strong>1</strong> passed the provincial screening" in english
    assert "New-product output rate" in english
    assert "新产品产值率" not in english


def test_the_unavailable_page_is_translated():
    with translation.override("zh-hans"):
        chinese = render_to_string("503.html")
    with translation.override("en"):
        english = render_to_string("503.html")
    assert "暂时无法访问" in chinese and "请几分钟后再试" in chinese
    assert "Temporarily unavailable" in english and "暂时无法访问" not in english


def test_data_officers_read_import_problems_in_chinese(db, tmp_path):
    """Commands speak the site's language; the tests of the commands switch them to English.

    The place of a problem stays ``line N`` in every language: scripts read it."""
    path = write_csv(tmp_path / "empty.csv", [])
    out = io.StringIO()
    with translation.override(settings.LANGUAGE_CODE):
        with pytest.raises(CommandError) as refused:
            call_command("import_csv", "enterprises", path, stdout=out, stderr=io.StringIO())
        with pytest.raises(ValidationError) as bad_code:
            validate_credit_code("91330300")
    assert "line 1: 文件为空" in out.getvalue()
    assert str(refused.value) == "文件被拒绝，未写入任何数据。"
    assert "统一社会信用代码应为 18 位，此代码为 8 位" in bad_code.value.messages
