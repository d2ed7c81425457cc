"""Designations (titles held) and recommendations (nominations into a batch)."""

from django.utils.translation import gettext as _

from ...models import Designation, Recommendation, Tier
from ...services.recommendations import IllegalMove, advance, may_move
from ...workflow import ENDINGS, Stage
from .. import cells
from ..columns import Column
from ..errors import ImportNotAllowed
from ..references import parse_batch
from ..staging import quote
from ..upsert import Key
from .referencing import ReferencingKind

DESIGNATION_STATUSES = {
    **{value: value for value in Designation.Status.values},
    "公示": "publicized",
    "公示中": "publicized",
    "认定": "final",
    "已认定": "final",
    "公布": "final",
    "复核通过": "review_passed",
    "到期": "lapsed",
    "已到期": "lapsed",
    "过期": "lapsed",
    "撤销": "revoked",
    "已撤销": "revoked",
}

STAGES = {
    **{value: value for value in Stage.values},
    "草稿": "draft",
    "拟推荐": "draft",
    "推荐": "nominated",
    "已推荐": "nominated",
    "市级推荐": "nominated",
    "通过省级初审": "province_passed",
    "省级初审通过": "province_passed",
    "省级通过": "province_passed",
    "上报工信部": "submitted",
    "已上报": "submitted",
    "已上报工信部": "submitted",
    "公示": "publicized",
    "已公示": "publicized",
    "认定": "approved",
    "已认定": "approved",
    "通过": "approved",
    "未通过": "rejected",
    "落选": "rejected",
    "撤回": "withdrawn",
    "已撤回": "withdrawn",
}

RECOMMENDATION = quote(Recommendation._meta.db_table)

BATCH_KEY = Key(("enterprise_id", "tier_id", "batch_id", "product"), "{stg}.batch_id IS NOT NULL")
YEAR_KEY = Key(
    ("enterprise_id", "tier_id", "year", "product"),
    "{stg}.batch_id IS NULL",
    "t.batch_id IS NULL",
)


def tier_column(references, field=None):
    return Column(
        "tier",
        ("称号", "称号名称", "荣誉称号", "类别"),
        references.tier,
        field=field,
        keep_when_empty=True,
    )


BATCH = Column("batch", ("批次",), parse_batch)
YEAR = Column("year", ("年份", "年度"), cells.year, field="year", keep_when_empty=True)
PRODUCT = Column("product", ("产品名称", "产品"), cells.text(200), field="product")


class TitleRows:
    """The tier, batch, year and product columns shared by designations and recommendations."""

    def complete_title(self, row, line, *, batch_required):
        tier = row.get("tier")
        if tier is None:
            self.errors.add(line, self.header.label("tier"), _("a title is required"))
            return False
        row["tier"] = tier.code
        year = row.get("year")
        batch = row.get("batch")
        row["batch_id"] = None
        if batch is None and batch_required:
            self.errors.add(line, self.header.label("batch"), _("a batch is required"))
            return False
        if batch is not None:
            # A batch written with its year (2021年第6批) is of that year; otherwise of the row's.
            number, batch_year = batch
            batch_year = batch_year or year
            if not batch_year:
                self.errors.add(line, self.header.label("year"), _("the batch needs a year"))
                return False
            year = year or batch_year
            row["batch_id"] = self.references.batch_id(tier, number, batch_year)
        elif not year:
            self.errors.add(line, self.header.label("year"), _("a year is required"))
            return False
        row["year"] = year
        row["product"] = row.get("product") or ""
        if tier.kind == Tier.Kind.PRODUCT and not row["product"]:
            self.errors.add(
                line, self.header.label("product"), _("a product title needs the product name")
            )
            return False
        return super().complete(row, line)


class Designations(TitleRows, ReferencingKind):
    name = "designations"
    model = Designation
    required = (("credit_code", "name"), ("tier",), ("batch", "year"))
    keys = (BATCH_KEY, YEAR_KEY)

    def columns(self):
        return (
            *self.enterprise_columns(),
            tier_column(self.references, field="tier_id"),
            BATCH,
            YEAR,
            PRODUCT,
            Column(
                "status",
                ("状态",),
                cells.choice(DESIGNATION_STATUSES, _("status")),
                field="status",
                keep_when_empty=True,
            ),
            Column("valid_until", ("有效期至", "有效期"), cells.date, field="valid_until"),
            Column("document", ("文号", "发文文号"), cells.text(200), field="document"),
            Column("source", ("来源", "出处"), cells.text(500), field="source"),
        )

    def derived_columns(self):
        return [
            *super().derived_columns(),
            ("tier_id", self.field_type("tier_id")),
            ("batch_id", "bigint"),
            ("year", self.field_type("year")),
            ("product", self.field_type("product")),
        ]

    def complete(self, row, line):
        return self.complete_title(row, line, batch_required=False)


class Recommendations(TitleRows, ReferencingKind):
    name = "recommendations"
    model = Recommendation
    required = (("credit_code", "name"), ("tier",), ("batch",))
    keys = (Key(("enterprise_id", "batch_id", "product")),)

    def columns(self):
        stage = cells.choice(STAGES, _("stage"))
        return (
            *self.enterprise_columns(),
            tier_column(self.references),
            BATCH,
            Column("year", YEAR.labels, cells.year),
            PRODUCT,
            Column("stage", ("阶段", "进度"), stage, db_type="varchar(16)"),
            Column("ended_at_stage", ("终止前阶段",), stage, db_type="varchar(16)"),
            Column("date", ("日期",), cells.date, db_type="date"),
            Column("note", ("备注",), cells.text(10_000), field="note"),
        )

    def derived_columns(self):
        return [
            *super().derived_columns(),
            ("batch_id", "bigint"),
            ("product", self.field_type("product")),
        ]

    def complete(self, row, line):
        ended_at = row.get("ended_at_stage")
        if ended_at and row.get("stage") not in ENDINGS:
            self.errors.add(
                line,
                self.header.label("ended_at_stage"),
                _("only for a rejected or withdrawn recommendation"),
                ended_at,
            )
            return False
        return self.complete_title(row, line, batch_required=True)

    def after_write(self, staging, upsert, import_run, user):
        """Move each recommendation to the file's stage through the workflow service, which
        refuses what the admin would refuse; each refusal is an error of its row."""
        if "stage" not in self.header:
            return
        ended_at, happened_on = (
            f"s.{quote(column)}" if column in staging else "NULL"
            for column in ("ended_at_stage", "date")
        )
        moves = staging.fetch(
            f"SELECT s.line, s.target_id, s.stage, {ended_at}, {happened_on} FROM {{stg}} AS s "
            f"JOIN {RECOMMENDATION} AS r ON r.id = s.target_id WHERE s.stage IS NOT NULL "
            f"AND (r.stage <> s.stage OR {ended_at} IS NOT NULL "
            f"AND r.ended_at_stage <> {ended_at}) ORDER BY s.line"
        )
        if moves and user is not None and not may_move(user):
            line, _target, stage, *_rest = moves[0]
            raise ImportNotAllowed(
                _(
                    "%(user)s may not move recommendations between stages, and line %(line)d "
                    "moves one to “%(stage)s” (the permission “%(permission)s” is missing)."
                )
                % {
                    "user": user.get_username(),
                    "line": line,
                    "stage": Stage(stage).label,
                    "permission": _("Can move a recommendation to another stage"),
                }
            )
        by_id = Recommendation.objects.select_related("batch__tier").in_bulk(
            [target_id for _line, target_id, *_rest in moves]
        )
        column = self.header.label("stage")
        for line, target_id, stage, ended_at, happened_on in moves:
            recommendation = by_id[target_id]
            try:
                for step in [ended_at, stage] if ended_at else [stage]:
                    advance(
                        recommendation,
                        step,
                        user=user,
                        happened_on=happened_on,
                        import_run=import_run,
                    )
            except IllegalMove as refusal:
                self.errors.add(line, column, " ".join(refusal.messages), stage)
        # A row whose only change is its stage is an updated row too.
        upsert.mark_lines_changed([line for line, *_rest in moves])
