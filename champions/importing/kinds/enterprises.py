"""Enterprises: the firms themselves, matched by credit code, else by current or former name.

A firm whose name changes keeps its old name as a former name, through the rename service
(``champions.services.enterprises``), dated with the file's 变更日期 where it has one. A file
with that column is a rename register (企业名称 the new name, 曾用名 the old one, 变更日期 the
day of the change): its firms are found by credit code, else by the old name, else by the new
one, and the old names are added to their former names rather than replacing the list.
"""

import datetime
import unicodedata

from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ...models import Enterprise, FormerName
from ...services.enterprises import Rename, rename_many
from ...text import name_key
from .. import cells
from ..columns import Column
from ..matching import match_enterprises
from ..staging import Staging, quote
from ..upsert import Key
from .base import Kind

ENTERPRISE = quote(Enterprise._meta.db_table)
FORMER_NAME = quote(FormerName._meta.db_table)

#: Firms are found by credit code first (see ``resolve``), then by current or former name.
BY_CREDIT_CODE = Key(("credit_code",), "{stg}.credit_code IS NOT NULL")

#: Separator of former names in the staging table and in exported cells.
NAME_SEPARATOR = ";"

CREDIT_CODE = Column(
    "credit_code",
    ("统一社会信用代码", "社会信用代码", "信用代码"),
    cells.credit_code,
    field="credit_code",
    keep_when_empty=True,
)
NAME = Column(
    "name",
    ("企业名称", "企业", "单位名称", "申报单位", "申报企业", "名称"),
    cells.text(200, empty=None),
    field="name",
    keep_when_empty=True,
)
#: Headers of the region, the finest unit first: where a list gives the county and the city in
#: two columns (设区市, 县（市、区）), the county wins.
REGION_LABELS = (
    "所属区县",
    "所在区县",
    "区县",
    "县（市、区）",
    "所在县（市、区）",
    "所属地区",
    "所在地区",
    "地区",
    "所在地市",
    "所属地市",
    "地市",
    "设区市",
    "所在设区市",
    "省份",
    "省（区、市）",
    "所在省份",
)


def region_column(parse_region, field="region_id"):
    """The region column, read with ``parse_region`` (``Area.region_parser``)."""
    return Column(
        "region",
        REGION_LABELS,
        parse_region,
        field=field,
        keep_when_empty=True,
        staging="region_id",
        db_type="varchar(6)",
    )


def enterprise_reference_columns(parse_region):
    """The columns through which designations, recommendations and figures name their firm."""
    return (
        Column("credit_code", CREDIT_CODE.labels, cells.credit_code, db_type="varchar(18)"),
        Column("name", NAME.labels, cells.text(200, empty=None), db_type="varchar(200)"),
        region_column(parse_region, field=None),
    )


#: The date of a change of name; a file with this column is a rename register.
RENAMED_ON = Column(
    "renamed_on", ("变更日期", "更名日期", "名称变更日期"), cells.date, db_type="date"
)


def name_keys(names):
    """``name_key`` of each of ``names`` (``None`` for no name): the same keys, without its two
    calls per name (NFKC, then no white space, case-folded; the trimming ``normalize_text``
    adds removes nothing the split does not)."""
    normalize = unicodedata.normalize
    return ["".join(normalize("NFKC", name).split()).casefold() if name else None for name in names]


def add_name_key(row):
    name = row.get("name")
    row["name_key"] = name_key(name) if name else None


class Enterprises(Kind):
    name = "enterprises"
    model = Enterprise
    parallel = True
    required = (("credit_code", "name"),)
    always_kept = ("credit_code", "name", "name_key", "region_id")

    def columns(self):
        return (
            CREDIT_CODE,
            NAME,
            Column("former_names", ("曾用名",), cells.text_list(200), db_type="text"),
            RENAMED_ON,
            region_column(self.area.region_parser(self.references.region)),
            Column("industry", ("所属行业", "行业"), self.references.industry, field="industry_id"),
            Column("main_product", ("主导产品", "主营产品"), cells.text(200), field="main_product"),
            Column("founded", ("成立年份",), cells.year, field="founded"),
        )

    def derived_columns(self):
        derived = [(column, self.field_type(column)) for column in self.always_kept]
        if self.renames_by_old_name():
            derived.append(("old_name_key", "varchar(200)"))
        return derived

    def is_register(self):
        """Whether the file is a rename register (it has the 变更日期 column)."""
        return "renamed_on" in self.header

    def needs_new_ids(self):
        """Only the former names of new firms (``after_write``) need their ids."""
        return self.is_register() or "former_names" in self.header

    def renames_by_old_name(self):
        """Whether rows find their firm by the old name (曾用名) before the new one."""
        return self.is_register() and "former_names" in self.header

    def stage_chunk(self, lines, columns, bad):
        """A column at a time: files of enterprises run to a million rows."""
        count = len(lines)
        names = columns.get("name", [None] * count)
        columns["name_key"] = name_keys(names)
        if "former_names" in columns:
            former = [names or () for names in columns["former_names"]]
            if "old_name_key" in self.row_keys:
                # The firm is looked for by the first old name of the cell.
                columns["old_name_key"] = [
                    name_key(names[0]) or None if names else None for names in former
                ]
            columns["former_names"] = [NAME_SEPARATOR.join(names) for names in former]
        nothing = [None] * count
        staged = zip(lines, *[columns.get(key, nothing) for key in self.row_keys], strict=True)
        if not bad:
            return list(staged)
        return [row for index, row in enumerate(staged) if index not in bad]

    def resolve(self, staging, upsert, import_run, user):
        self.skip_outside(staging)
        # When every row found its firm by code (a list imported again), no name is looked up.
        if upsert.match([BY_CREDIT_CODE]) < staging.rows:
            if self.renames_by_old_name():
                self._match_by_old_name(staging)
            match_enterprises(
                staging,
                "target_id",
                self.errors,
                self.header.label,
                by_code=False,
                keep_current_names=True,
            )
        self._keep_later_names(staging)

    def _match_by_old_name(self, staging):
        """Find the firms of register rows by their old name, as ``match_enterprises`` finds
        them by name (current or former, ties broken by region), in a table of their own."""
        old = Staging(
            f"{staging.name}_old_names",
            [
                ("credit_code", "varchar(18)"),
                ("name_key", "varchar(200)"),
                ("region_id", "varchar(6)"),
            ],
        ).create()
        old.rows = old.execute(
            "INSERT INTO {stg} (line, credit_code, name_key, region_id) "
            f"SELECT line, credit_code, old_name_key, region_id FROM {staging.table} "
            "WHERE target_id IS NULL AND old_name_key IS NOT NULL"
        )
        old.analyze()
        match_enterprises(old, "target_id", self.errors, self._old_name_label, by_code=False)
        # Rows it refused (the old name fits several firms, or is that of another code's firm).
        refused = staging.fetch(
            "SELECT line FROM {stg} WHERE target_id IS NULL AND old_name_key IS NOT NULL "
            f"AND line NOT IN (SELECT line FROM {old.table})"
        )
        staging.remove([line for (line,) in refused])
        staging.execute(
            f"UPDATE {{stg}} SET target_id = o.target_id FROM {old.table} AS o "
            "WHERE o.line = {stg}.line AND o.target_id IS NOT NULL"
        )
        old.drop()

    def _old_name_label(self, column):
        return self.header.label("former_names" if column == "name" else column)

    def _keep_later_names(self, staging):
        """A row giving one of its firm's former names as the name does not rename it back:
        the file is older than the change (found by name, ``match_enterprises`` sees to it;
        this covers rows found by code, or by the old name of a register)."""
        if "name" not in self.header:
            return
        staging.execute(
            "UPDATE {stg} SET name = NULL, name_key = NULL, changed = NULL FROM ("
            f"SELECT s.line FROM {{stg}} AS s JOIN {FORMER_NAME} AS f "
            "ON f.enterprise_id = s.target_id AND f.name_key = s.name_key "
            f"JOIN {ENTERPRISE} AS e ON e.id = s.target_id WHERE e.name_key <> s.name_key"
            ") AS old WHERE {stg}.line = old.line"
        )

    @property
    def create_only(self):
        """A region the list gives once for all its rows (``--region``, a section's city)
        places the firms it creates; a firm the registry has keeps its own."""
        return ("region_id",) if "region" in self.header.virtual else ()

    def created_records(self, staging, limit):
        return staging.fetch(
            "SELECT line, name FROM {stg} WHERE target_id IS NULL OR created = 1 "
            "ORDER BY line LIMIT %s",
            [limit],
        )

    def check(self, staging, upsert, new_rows):
        bad = self.report_duplicates(
            upsert.same_record_twice(), "credit_code" if "credit_code" in self.header else "name"
        )
        if new_rows:
            bad |= self.report_duplicates(
                upsert.duplicates(
                    "{stg}.credit_code",
                    "{stg}.target_id IS NULL AND {stg}.credit_code IS NOT NULL",
                ),
                "credit_code",
            )
            bad |= self.report_duplicates(
                upsert.duplicates(
                    "{stg}.name_key", "{stg}.target_id IS NULL AND {stg}.credit_code IS NULL"
                ),
                "name",
            )
            for line in upsert.missing("name"):
                self.errors.add(line, self.header.label("name"), _("a new enterprise needs a name"))
                bad.add(line)
            for line in upsert.missing("region_id"):
                self.errors.add(
                    line,
                    self.header.label("region"),
                    _(
                        "a new enterprise needs its region, and this row gives none; add a "
                        "region column (所属区县) or give --region"
                    ),
                )
                bad.add(line)
        staging.remove(bad)

    # --- Former names (few per file: written through the ORM, with their history) ----------

    def before_write(self, staging, upsert, import_run, user):
        if self.is_register():
            lines, renames = self._register_renames(staging)
            touched = rename_many(renames, user=user, import_run=import_run, write_names=False)
            upsert.mark_lines_changed([line for line, firm in lines.items() if firm in touched])
        elif "former_names" in self.header:
            self.former_name_changes = self._former_name_changes(staging)
            upsert.mark_lines_changed(self.former_name_changes)
        elif "name" in self.header:
            # A renamed firm keeps its old name as a former one: old lists still use it. The
            # upsert writes the new names; the file does not say when the change was.
            renamed = staging.fetch(
                f"SELECT e.id, e.name, s.name FROM {ENTERPRISE} AS e JOIN {{stg}} AS s "
                "ON s.target_id = e.id WHERE s.changed = 1 AND s.name_key IS NOT NULL "
                "AND s.name_key <> e.name_key"
            )
            rename_many(
                [Rename(*row) for row in renamed],
                user=user,
                import_run=import_run,
                write_names=False,
            )

    def _register_renames(self, staging):
        """``({line: enterprise id}, [Rename])`` of the register's rows that found their firm:
        the stored name when the row gives another, and the row's old names, both until the
        row's date."""
        former = "s.former_names" if "former_names" in staging else "''"
        rows = staging.fetch(
            f"SELECT s.line, e.id, e.name, e.name_key, s.name, s.name_key, s.renamed_on, {former} "
            f"FROM {{stg}} AS s JOIN {ENTERPRISE} AS e ON e.id = s.target_id "
            f"WHERE (s.name_key IS NOT NULL AND s.name_key <> e.name_key) OR {former} <> ''"
        )
        lines, renames = {}, []
        for line, firm, stored, stored_key, name, key, on, old_names in rows:
            lines[line] = firm
            on = _date(on)
            new_name = name or stored
            if key and key != stored_key:
                renames.append(Rename(firm, stored, new_name, on))
            renames += [Rename(firm, old, new_name, on) for old in _split(old_names)]
        return lines, renames

    def _former_name_changes(self, staging):
        """``{line: (enterprise id, names)}`` of matched rows whose former names differ."""
        wanted = {
            line: (target_id, _split(names))
            for line, target_id, names in staging.fetch(
                "SELECT line, target_id, former_names FROM {stg} WHERE target_id IS NOT NULL "
                "AND (former_names <> '' OR target_id IN "
                f"(SELECT enterprise_id FROM {FORMER_NAME}))"
            )
        }
        stored = {}
        for enterprise_id, name in staging.fetch(
            f"SELECT f.enterprise_id, f.name FROM {FORMER_NAME} AS f "
            "WHERE f.enterprise_id IN (SELECT target_id FROM {stg})"
        ):
            stored.setdefault(enterprise_id, set()).add(name)
        return {
            line: (target_id, names)
            for line, (target_id, names) in wanted.items()
            if set(names) != stored.get(target_id, set())
        }

    def after_write(self, staging, upsert, import_run, user):
        if self.is_register():
            if "former_names" in self.header:  # the old names of new firms
                created = staging.fetch(
                    "SELECT target_id, name, renamed_on, former_names FROM {stg} "
                    "WHERE created = 1 AND former_names <> ''"
                )
                renames = [
                    Rename(firm, old, name, _date(on))
                    for firm, name, on, names in created
                    for old in _split(names)
                ]
                rename_many(renames, user=user, import_run=import_run, write_names=False)
            return
        if "former_names" not in self.header:
            return
        wanted = dict(self.former_name_changes.values())
        added = [
            (target_id, name)
            for target_id, names in staging.fetch(
                "SELECT target_id, former_names FROM {stg} WHERE created = 1 AND former_names <> ''"
            )
            for name in _split(names)
        ]
        for former in FormerName.objects.filter(enterprise_id__in=list(wanted)):
            if former.name in wanted[former.enterprise_id]:
                wanted[former.enterprise_id].remove(former.name)
            else:
                former.delete()  # one by one: each deletion is recorded in the history
        added += [(firm, name) for firm, names in wanted.items() for name in names]
        add_former_names(added, import_run, user)


def add_former_names(pairs, import_run, user):
    """Create former names ``(enterprise id, name)`` with their history rows."""
    bulk_create_with_history(
        [
            FormerName(enterprise_id=firm, name=name, name_key=name_key(name))
            for firm, name in pairs
        ],
        FormerName,
        batch_size=5_000,
        default_user=user,
        custom_historical_attrs={"import_run_id": import_run.pk},
    )


def _date(value):
    """A date of the staging table (SQLite gives it back as text)."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _split(names):
    """The former names of a staging cell, without repeats of the same name key."""
    unique = {}
    for name in (names or "").split(NAME_SEPARATOR):
        if name:
            unique.setdefault(name_key(name), name)
    return list(unique.values())
