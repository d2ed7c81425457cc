"""Seminars, with their sponsors, speaking experts and participating enterprises.

The three lists are cells of ``;``-separated entries. Sponsors and experts are created when the
registry does not know them yet (they are names, nothing to validate); participants are
enterprises, found like every other enterprise reference.
"""

import re

from django.utils.translation import gettext as _

from ...models import Expert, Organisation, Seminar
from ...text import name_key
from ...validators import credit_code_error, normalize_credit_code
from .. import cells
from ..columns import Column
from ..matching import match_enterprises
from ..staging import Staging
from ..upsert import Key
from .base import Kind

LIST_SEPARATOR = ";"
_EXPERT = re.compile(r"^(?P<name>[^(（]+?)\s*[(（](?P<affiliation>.*)[)）]$")


def split_list(value):
    return [item for item in (value or "").split(LIST_SEPARATOR) if item]


def expert_label(expert):
    """How an expert is written in a cell: 张三（中国工业经济联合会）."""
    return str(expert)


def parse_expert(text):
    match = _EXPERT.match(text)
    if match:
        return match["name"].strip(), match["affiliation"].strip()
    return text, ""


def participant_label(enterprise):
    """Participants are written by credit code where they have one, else by name."""
    return enterprise.credit_code or enterprise.name


class Seminars(Kind):
    name = "seminars"
    model = Seminar
    required = (("title",), ("held_on",))
    keys = (Key(("held_on", "title")),)
    identity_column = "title"

    def columns(self):
        return (
            Column(
                "title",
                ("会议名称", "名称", "标题"),
                cells.text(200, empty=None),
                field="title",
                keep_when_empty=True,
            ),
            Column(
                "held_on",
                ("日期", "举办日期", "时间"),
                cells.date,
                field="held_on",
                keep_when_empty=True,
            ),
            Column("place", ("地点",), cells.text(200), field="place"),
            Column("theme", ("主题",), cells.text(300), field="theme"),
            Column("sponsors", ("主办单位",), cells.text_list(200), db_type="text"),
            Column("experts", ("发言专家", "专家"), cells.text_list(320), db_type="text"),
            Column("participants", ("参会企业",), cells.text_list(200), db_type="text"),
            Column("summary", ("内容摘要", "摘要"), cells.text(100_000), field="summary"),
            Column("source", ("来源", "出处"), cells.text(500), field="source"),
            Column(
                "is_published",
                ("是否公开", "公开"),
                cells.boolean,
                field="is_published",
                keep_when_empty=True,
            ),
        )

    def complete(self, row, line):
        for column in ("title", "held_on"):
            if row.get(column) is None:
                self.errors.add(line, self.header.label(column), _("required"))
                return False
        for column in ("sponsors", "experts", "participants"):
            if column in row:
                row[column] = LIST_SEPARATOR.join(row[column])
        return True

    def lists(self):
        return [name for name in ("sponsors", "experts", "participants") if name in self.header]

    def before_write(self, staging, upsert, import_run, user):
        """Resolve the three lists and flag seminars whose lists change."""
        self.wanted = {}  # line: {list name: set of ids}
        rows = staging.fetch(
            f"SELECT line, target_id, {', '.join(self.lists()) or 'NULL'} FROM {{stg}}"
        )
        participants = (
            self._participants(staging, rows, import_run, user)
            if "participants" in self.header
            else {}
        )
        for line, target_id, *values in rows:
            wanted = {}
            for name, value in zip(self.lists(), values, strict=True):
                items = split_list(value)
                if name == "sponsors":
                    wanted[name] = {self._organisation(item) for item in items}
                elif name == "experts":
                    wanted[name] = {self._expert(item) for item in items}
                else:
                    wanted[name] = {
                        participants[(line, item)] for item in items if (line, item) in participants
                    }
            self.wanted[line] = (target_id, wanted)
        changed = [
            line
            for line, (target_id, wanted) in self.wanted.items()
            if target_id is not None
            and any(
                set(getattr(Seminar(pk=target_id), name).values_list("pk", flat=True)) != ids
                for name, ids in wanted.items()
            )
        ]
        upsert.mark_lines_changed(changed)

    def after_write(self, staging, upsert, import_run, user):
        touched = dict(
            staging.fetch("SELECT line, target_id FROM {stg} WHERE created = 1 OR changed = 1")
        )
        for line, seminar_id in touched.items():
            seminar = Seminar(pk=seminar_id)
            for name, ids in self.wanted[line][1].items():
                getattr(seminar, name).set(ids)

    def _organisation(self, name):
        return Organisation.objects.get_or_create(name=name)[0].pk

    def _expert(self, text):
        name, affiliation = parse_expert(text)
        return Expert.objects.get_or_create(name=name, affiliation=affiliation)[0].pk

    def _participants(self, staging, rows, import_run, user):
        """``{(line, entry): enterprise id}`` for every participant entry, found by the
        enterprise matcher (and created with ``--create-missing``)."""
        entries = [
            (line, item)
            for line, _target, *values in rows
            for item in split_list(values[self.lists().index("participants")])
        ]
        found = Staging(
            f"{staging.name}_participants",
            [
                ("credit_code", "varchar(18)"),
                ("name", "varchar(200)"),
                ("name_key", "varchar(200)"),
                ("region_id", "varchar(6)"),
                ("enterprise_id", "bigint"),
            ],
        ).create()
        staged = []
        for number, (_line, item) in enumerate(entries):
            code = normalize_credit_code(item)
            if credit_code_error(code) is None:
                staged.append((number, code, None, None, None, None))
            else:
                staged.append((number, None, item, name_key(item), None, None))
        found.load(staged)
        errors = _EntryErrors(self.errors, entries)
        label = lambda _column: self.header.label("participants")  # noqa: E731
        match_enterprises(found, "enterprise_id", errors, label)
        result = {}
        for number, enterprise_id in found.fetch("SELECT line, enterprise_id FROM {stg}"):
            line, item = entries[number]
            if enterprise_id is None:
                self.errors.add(
                    line,
                    label(None),
                    _("unknown enterprise; import it first (with its region)"),
                    item,
                )
            else:
                result[(line, item)] = enterprise_id
        found.drop()
        return result


class _EntryErrors:
    """Reports errors about participant entries at the line of their seminar."""

    def __init__(self, errors, entries):
        self.errors = errors
        self.entries = entries

    def add(self, number, column, message, value=""):
        line, item = self.entries[number]
        self.errors.add(line, column, message, value or item)
