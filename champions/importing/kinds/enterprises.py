"""Enterprises: the firms themselves, matched by credit code, else by current or former name."""

from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ...models import Enterprise, FormerName
from ...text import name_key
from .. import cells
from ..columns import Column
from ..matching import match_enterprises
from ..staging import quote
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
    ("企业名称", "企业", "单位名称", "名称"),
    cells.text(200, empty=None),
    field="name",
    keep_when_empty=True,
)
REGION_LABELS = (
    "所属区县",
    "所在区县",
    "区县",
    "所属地区",
    "所在地区",
    "地区",
    "所在地市",
    "所属地市",
    "地市",
)


def region_column(references, field="region_id"):
    return Column(
        "region",
        REGION_LABELS,
        references.region,
        field=field,
        keep_when_empty=True,
        staging="region_id",
        db_type="varchar(6)",
    )


def enterprise_reference_columns(references):
    """The columns through which designations, recommendations and figures name their firm."""
    return (
        Column("credit_code", CREDIT_CODE.labels, cells.credit_code, db_type="varchar(18)"),
        Column("name", NAME.labels, cells.text(200, empty=None), db_type="varchar(200)"),
        region_column(references, field=None),
    )


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
            region_column(self.references),
            Column("industry", ("所属行业", "行业"), self.references.industry, field="industry_id"),
            Column("main_product", ("主导产品",), cells.text(200), field="main_product"),
            Column("founded", ("成立年份",), cells.year, field="founded"),
        )

    def derived_columns(self):
        return [(column, self.field_type(column)) for column in self.always_kept]

    def stage_chunk(self, lines, columns, bad):
        """A column at a time: files of enterprises run to a million rows."""
        count = len(lines)
        names = columns.get("name", [None] * count)
        columns["name_key"] = [name_key(name) if name else None for name in names]
        if "former_names" in columns:
            columns["former_names"] = [NAME_SEPARATOR.join(f) for f in columns["former_names"]]
        nothing = [None] * count
        staged = zip(lines, *[columns.get(key, nothing) for key in self.row_keys], strict=True)
        if not bad:
            return list(staged)
        return [row for index, row in enumerate(staged) if index not in bad]

    def resolve(self, staging, upsert, import_run, user):
        if upsert.match([BY_CREDIT_CODE]) == staging.rows:
            return  # every row found its firm by code (a list imported again)
        match_enterprises(
            staging,
            "target_id",
            self.errors,
            self.header.label,
            by_code=False,
            keep_current_names=True,
        )
        staging.execute(
            "UPDATE {stg} SET region_id = %s WHERE target_id IS NULL AND region_id IS NULL",
            [self.references.city_code],
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
        staging.remove(bad)

    # --- Former names (few per file: written through the ORM, with their history) ----------

    def before_write(self, staging, upsert, import_run, user):
        if "former_names" in self.header:
            self.former_name_changes = self._former_name_changes(staging)
            upsert.mark_lines_changed(self.former_name_changes)
        elif "name" in self.header:
            # A renamed firm keeps its old name as a former one: old lists still use it.
            renamed = staging.fetch(
                f"SELECT e.id, e.name FROM {ENTERPRISE} AS e JOIN {{stg}} AS s "
                "ON s.target_id = e.id WHERE s.changed = 1 AND s.name_key IS NOT NULL "
                f"AND s.name_key <> e.name_key AND NOT EXISTS (SELECT 1 FROM {FORMER_NAME} AS f "
                "WHERE f.enterprise_id = e.id AND f.name_key = e.name_key)"
            )
            add_former_names(renamed, import_run, user)

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


def _split(names):
    """The former names of a staging cell, without repeats of the same name key."""
    unique = {}
    for name in (names or "").split(NAME_SEPARATOR):
        if name:
            unique.setdefault(name_key(name), name)
    return list(unique.values())
