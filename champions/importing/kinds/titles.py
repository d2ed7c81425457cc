"""Designations (titles held, one event of their lives a row) and recommendations."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from ... import lifecycle
from ...models import Designation, DesignationEvent, Enterprise, Notice, Recommendation, Tier
from ...models.designations import product_key
from ...services.designations import refresh_where
from ...services.recommendations import IllegalMove, advance, may_move
from ...workflow import ENDINGS, Stage
from .. import cells
from ..columns import Column
from ..errors import CellError, ImportNotAllowed, RowError
from ..province import count_by_city, write_province_counts
from ..references import parse_batch
from ..staging import (
    db_value,
    indexes_rebuilt,
    quote,
    rebuild_indexes_for,
    same,
    text_of,
)
from ..upsert import Key
from .referencing import ReferencingKind

#: The outcome a ``support`` status stands for until ``Designations.complete`` has checked that
#: the title is a support tier (then it is the award of that tier).
SUPPORT = "support"

#: What a designations file's ``status`` column (or ``--status``) may say, as the event it
#: records on the title: ``(event kind, review outcome)``; a review result without an outcome
#: takes it from the 复核结果 column.
DESIGNATION_STATUSES = {
    **{kind: (kind, "") for kind in lifecycle.KINDS},
    SUPPORT: (lifecycle.AWARD, SUPPORT),
    "支持": (lifecycle.AWARD, SUPPORT),
    "入选": (lifecycle.AWARD, ""),
    "publicized": (lifecycle.PUBLICITY, ""),
    "公示": (lifecycle.PUBLICITY, ""),
    "公示中": (lifecycle.PUBLICITY, ""),
    "拟认定": (lifecycle.PUBLICITY, ""),
    "final": (lifecycle.AWARD, ""),
    "认定": (lifecycle.AWARD, ""),
    "已认定": (lifecycle.AWARD, ""),
    "公布": (lifecycle.AWARD, ""),
    "复核公示": (lifecycle.REVIEW_PUBLICITY, ""),
    "拟通过复核": (lifecycle.REVIEW_PUBLICITY, ""),
    "review_passed": (lifecycle.REVIEW_RESULT, lifecycle.PASSED),
    "复核通过": (lifecycle.REVIEW_RESULT, lifecycle.PASSED),
    "通过复核": (lifecycle.REVIEW_RESULT, lifecycle.PASSED),
    "lapsed": (lifecycle.REVIEW_RESULT, lifecycle.NOT_APPLIED),
    "到期": (lifecycle.REVIEW_RESULT, lifecycle.NOT_APPLIED),
    "已到期": (lifecycle.REVIEW_RESULT, lifecycle.NOT_APPLIED),
    "过期": (lifecycle.REVIEW_RESULT, lifecycle.NOT_APPLIED),
    "revoked": (lifecycle.REVOCATION, ""),
    "撤销": (lifecycle.REVOCATION, ""),
    "已撤销": (lifecycle.REVOCATION, ""),
    "取消": (lifecycle.REVOCATION, ""),
}

#: The programmes' words for a review's result (复核结果), as ``(event kind, outcome)``.
REVIEW_RESULTS = {
    **{outcome: (lifecycle.REVIEW_RESULT, outcome) for outcome in lifecycle.OUTCOMES},
    "通过": (lifecycle.REVIEW_RESULT, lifecycle.PASSED),
    "复核通过": (lifecycle.REVIEW_RESULT, lifecycle.PASSED),
    "通过复核": (lifecycle.REVIEW_RESULT, lifecycle.PASSED),
    "不通过": (lifecycle.REVIEW_RESULT, lifecycle.FAILED),
    "未通过": (lifecycle.REVIEW_RESULT, lifecycle.FAILED),
    "未申请复核": (lifecycle.REVIEW_RESULT, lifecycle.NOT_APPLIED),
    "未申请": (lifecycle.REVIEW_RESULT, lifecycle.NOT_APPLIED),
    "撤销": (lifecycle.REVOCATION, ""),
    "取消": (lifecycle.REVOCATION, ""),
}

#: The words the export writes for each event, so that a file goes both ways.
EXPORTED_STATUS = {
    lifecycle.PUBLICITY: "publicized",
    lifecycle.AWARD: "final",
    lifecycle.REVIEW_PUBLICITY: "review_publicity",
    lifecycle.REVIEW_RESULT: "review_result",
    lifecycle.REVOCATION: "revoked",
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

BATCH_KEY = Key(
    ("enterprise_id", "tier_id", "batch_id", "product_key"), "{stg}.batch_id IS NOT NULL"
)
YEAR_KEY = Key(
    ("enterprise_id", "tier_id", "year", "product_key"),
    "{stg}.batch_id IS NULL",
    "t.batch_id IS NULL",
)
EVENT = quote(DesignationEvent._meta.db_table)
ENTERPRISE = quote(Enterprise._meta.db_table)
#: The staging columns that say which event a row records.
EVENT_COLUMNS = ("event_kind", "happened_on", "outcome")


def tier_column(references, field=None):
    return Column(
        "tier",
        ("称号", "称号名称", "荣誉称号", "类别", "类型"),
        references.tier,
        field=field,
        keep_when_empty=True,
    )


def level_column(references):
    """级别: what resolves a title's short form (单项冠军 national or provincial)."""
    return Column("level", ("级别", "层级"), references.level)


BATCH = Column("batch", ("批次", "原认定批次"), parse_batch)
YEAR = Column("year", ("年份", "年度", "认定年度"), cells.year, field="year", keep_when_empty=True)
PRODUCT = Column("product", ("产品名称", "产品"), cells.text(200), field="product")


class TitleRows:
    """The tier, batch, year and product columns shared by designations and recommendations."""

    def complete_title(self, row, line, *, batch_required):
        try:
            tier = self.references.resolve_tier(row.get("tier"), row.get("level"))
        except CellError as error:
            self.errors.add(line, self.header.label("tier"), error)
            return False
        if tier is None:
            self.errors.add(line, self.header.label("tier"), _("a title is required"))
            return False
        if not self.check_tier(tier, row, line):
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
            batch_year = batch_year or year or self.references.known_batch_year(tier, number)
            if not batch_year:
                self.errors.add(line, self.header.label("year"), _("the batch needs a year"))
                return False
            year = year or batch_year
            row["batch_id"] = self.references.batch_id(
                tier, number, batch_year, line=line, column=self.header.label("year")
            )
        elif not year:
            self.errors.add(line, self.header.label("year"), _("a year is required"))
            return False
        row["year"] = year
        row["product"] = row.get("product") or ""
        row["product_key"] = product_key(row["product"])
        if tier.kind == Tier.Kind.PRODUCT and not row["product"]:
            self.errors.add(
                line, self.header.label("product"), _("a product title needs the product name")
            )
            return False
        return super().complete(row, line)

    def check_tier(self, tier, row, line):
        """Check what the row says against its tier; report a problem and return False."""
        return True


class Designations(TitleRows, ReferencingKind):
    """A list of titles: each row records one event (the ``status`` column, or ``复核结果``; an
    award when the file says neither) on the designation it names, which is created when the
    registry does not have it. The rows' notice facts (announcement date, document number,
    source) make the notice each event comes from. Rows of one designation may record several
    events (an export has one row per event); a row recording an event already recorded is
    unchanged. The designations' standing is then derived from all their events."""

    name = "designations"
    model = Designation
    required = (("credit_code", "name"), ("tier",), ("batch", "year"))
    keys = (BATCH_KEY, YEAR_KEY)
    create_only = ("product",)

    def columns(self):
        return (
            *self.enterprise_columns(),
            tier_column(self.references, field="tier_id"),
            level_column(self.references),
            BATCH,
            YEAR,
            PRODUCT,
            Column(
                "product_class",
                ("产品分类代码", "产品类别代码"),
                cells.text(20),
                field="product_class",
                keep_when_empty=True,
            ),
            Column("status", ("状态",), cells.choice(DESIGNATION_STATUSES, _("status"))),
            Column(
                "review_result", ("复核结果",), cells.choice(REVIEW_RESULTS, _("review result"))
            ),
            Column(
                "announced",
                ("公布日期", "认定日期", "发布日期"),
                cells.date,
                db_type="date",
                staging="happened_on",
            ),
            Column("valid_until", ("有效期至", "有效期"), cells.date, db_type="date"),
            Column("document", ("文号", "发文文号"), cells.text(200), db_type="varchar(200)"),
            Column("source", ("来源", "出处"), cells.text(500), db_type="varchar(500)"),
            Column("note", ("备注", "说明"), cells.text(10_000), db_type="text"),
            Column(
                "main_product",
                ("主营产品", "主导产品"),
                cells.text(200),
                db_type="varchar(200)",
            ),
        )

    def derived_columns(self):
        return [
            *super().derived_columns(),
            ("tier_id", self.field_type("tier_id")),
            ("batch_id", "bigint"),
            ("year", self.field_type("year")),
            ("product", self.field_type("product")),
            ("product_key", self.field_type("product_key")),
            ("event_kind", "varchar(16)"),
            ("outcome", "varchar(12)"),
            ("happened_on", "date"),
            ("notice_id", "bigint"),
            ("leader_line", "integer"),
            ("new_event", "smallint"),
        ]

    def complete(self, row, line):
        status = row.get("status")
        review = row.get("review_result")
        kind, outcome = status or (lifecycle.AWARD, "")
        if review is not None:
            if status is not None and status[0] != lifecycle.REVIEW_RESULT:
                self.errors.add(
                    line,
                    self.header.label("review_result"),
                    _("a review result on a row whose status is not a review result"),
                )
                return False
            kind, outcome = review
        if kind == lifecycle.REVIEW_RESULT and not outcome:
            self.errors.add(
                line,
                self.header.label("review_result" if review is not None else "status"),
                _(
                    "a review result needs its outcome: a 复核结果 column saying 通过, 不通过, "
                    "未申请复核 or 撤销"
                ),
            )
            return False
        if row.get("valid_until") and kind not in (lifecycle.AWARD, lifecycle.REVIEW_RESULT):
            self.errors.add(
                line,
                self.header.label("valid_until"),
                _("only an award or a review result states the end of a term"),
            )
            return False
        row["event_kind"], row["outcome"] = kind, outcome
        return self.complete_title(row, line, batch_required=False)

    def check_tier(self, tier, row, line):
        """A support list (``support``) records the award of a support tier, and only there:
        read as a title it would count a status as a title held."""
        if row["outcome"] != SUPPORT:
            return True
        if tier.kind != Tier.Kind.SUPPORT:
            self.errors.add(
                line,
                self.header.label("tier"),
                _("a support list is of a support tier (重点“小巨人”企业), not of “%(tier)s”")
                % {"tier": tier.name},
            )
            return False
        row["outcome"] = ""
        return True

    def resolve(self, staging, upsert, import_run, user):
        if self.province_counts:
            self.province_counted = count_by_city(staging, self.area, self.errors)
        super().resolve(staging, upsert, import_run, user)
        if "main_product" in staging:
            self._warn_main_products(staging)

    def _warn_main_products(self, staging):
        """主营产品 is the firm's, not the title's: it goes to the firms the list creates; a
        firm the registry has keeps its own, and the rows saying otherwise are counted."""
        differing = staging.fetch(
            f"SELECT MIN(s.line), COUNT(*) FROM {{stg}} AS s JOIN {ENTERPRISE} AS e "
            "ON e.id = s.enterprise_id WHERE s.main_product IS NOT NULL "
            "AND s.main_product <> e.main_product"
        )[0]
        if differing[1]:
            self.references.warnings.append(
                RowError(
                    differing[0],
                    self.header.label("main_product"),
                    _(
                        "%(count)d rows give a main product other than their firm's in the "
                        "registry; the registry's is kept (change it with an enterprises file)"
                    )
                    % {"count": differing[1]},
                )
            )

    def check(self, staging, upsert, new_rows):
        """Rows that record the same event on the same title (found by the same key, or the
        same record found by different keys). Several rows of one new title are not
        duplicates: ``before_write`` gives them one record."""
        bad = set()
        for key in self.keys:
            identity = _concatenated((*key.columns, *EVENT_COLUMNS))
            bad |= self.report_duplicates(upsert.duplicates(identity, key.condition))
        found_twice = upsert.duplicates(
            _concatenated(("target_id", *EVENT_COLUMNS)), "{stg}.target_id IS NOT NULL"
        )
        bad |= self.report_duplicates(found_twice)
        staging.remove(bad)

    def before_write(self, staging, upsert, import_run, user):
        """The rows of a new title after its first wait (``target_id`` -1) for the record the
        first one creates (``after_write``), so that ``write`` creates one per title."""
        for key in self.keys:
            columns = ", ".join(quote(c) for c in key.columns)
            same_title = " AND ".join(f"g.{quote(c)} = {{stg}}.{quote(c)}" for c in key.columns)
            staging.execute(
                f"UPDATE {{stg}} SET leader_line = g.first_line FROM (SELECT {columns}, "
                f"MIN(line) AS first_line FROM {{stg}} WHERE target_id IS NULL "
                f"AND ({key.condition}) GROUP BY {columns}) AS g "
                f"WHERE {{stg}}.target_id IS NULL AND ({key.condition}) AND {same_title}"
            )
        staging.execute(
            "UPDATE {stg} SET target_id = -1 WHERE target_id IS NULL AND leader_line <> line"
        )

    def after_write(self, staging, upsert, import_run, user):
        staging.execute(
            "UPDATE {stg} SET target_id = f.target_id FROM {stg} AS f "
            "WHERE {stg}.target_id = -1 AND f.line = {stg}.leader_line"
        )
        self._record_notices(staging)
        recorded = self._record_events(staging, import_run, user)
        upsert.mark_lines_changed(recorded)
        if recorded:
            # Deriving a first load's standing rewrites every new row: without its secondary
            # indexes, which are then built once, as for the rows' insert.
            with indexes_rebuilt(Designation, rebuild_indexes_for(Designation, len(recorded))):
                refresh_where(f"SELECT target_id FROM {staging.table}")
        self.events = dict(
            ((kind, outcome), count)
            for kind, outcome, count in staging.fetch(
                "SELECT event_kind, outcome, COUNT(*) FROM {stg} WHERE new_event = 1 "
                "GROUP BY event_kind, outcome"
            )
        )
        if self.province_counts:
            write_province_counts(self.province_counted, self.list_title or import_run.file_name)

    def _record_notices(self, staging):
        """The notice of each distinct list the rows name: the event, tier and batch with the
        announcement date, document number and source the file gives (rows giving none of
        these record their events without a notice)."""
        facts = [c for c in ("happened_on", "document", "source") if c in staging]
        if not facts:
            return
        given = " OR ".join(f"{quote(column)} IS NOT NULL" for column in facts)
        selected = ", ".join(quote(column) for column in facts)
        lists = staging.fetch(
            f"SELECT DISTINCT event_kind, tier_id, batch_id, {selected} FROM {{stg}} WHERE {given}"
        )
        for kind, tier, batch, *values in lists:
            given_facts = dict(zip(facts, values, strict=True))
            day = given_facts.get("happened_on")
            notice, _created = Notice.objects.get_or_create(
                kind=kind,
                tier_id=tier,
                batch_id=batch,
                published_on=datetime.date.fromisoformat(day) if isinstance(day, str) else day,
                document=given_facts.get("document") or "",
                source=given_facts.get("source") or "",
                defaults={"title": self.list_title[:500]},
            )
            conditions = " AND ".join(same(quote(column), "%s") for column in facts)
            staging.execute(
                "UPDATE {stg} SET notice_id = %s WHERE event_kind = %s AND tier_id = %s "
                f"AND {same('batch_id', '%s')} AND {conditions}",
                [notice.pk, kind, tier, batch, *values],
            )

    def _record_events(self, staging, import_run, user):
        """Insert the events not recorded yet, and give recorded events without a notice the
        notice of the row; return the lines of the rows that changed something."""
        new = (
            f"NOT EXISTS (SELECT 1 FROM {EVENT} AS e WHERE e.designation_id = {{stg}}.target_id "
            "AND e.kind = {stg}.event_kind AND e.outcome = {stg}.outcome "
            f"AND {same('e.happened_on', '{stg}.happened_on')})"
        )
        # A list read after a staff entry of the same event (an approved recommendation's award)
        # gives that event its notice: counted as an update of the row.
        same_event = (
            f"e.designation_id = {{stg}}.target_id AND e.kind = {{stg}}.event_kind "
            f"AND e.outcome = {{stg}}.outcome AND {same('e.happened_on', '{stg}.happened_on')}"
        )
        listed = staging.fetch(
            f"SELECT line FROM {{stg}} WHERE notice_id IS NOT NULL AND EXISTS (SELECT 1 FROM "
            f"{EVENT} AS e WHERE {same_event} AND e.notice_id IS NULL)"
        )
        if listed:
            staging.execute(
                f"UPDATE {EVENT} AS e SET notice_id = {{stg}}.notice_id FROM {{stg}} "
                f"WHERE {same_event} AND e.notice_id IS NULL AND {{stg}}.notice_id IS NOT NULL"
            )
        staging.execute(f"UPDATE {{stg}} SET new_event = 1 WHERE {new}")
        recorded = [line for (line,) in staging.fetch("SELECT line FROM {stg} WHERE new_event = 1")]
        changed = recorded + [line for (line,) in listed]
        if recorded:
            until = "{stg}.valid_until" if "valid_until" in staging else "NULL"
            bulk = rebuild_indexes_for(DesignationEvent, len(recorded))
            with indexes_rebuilt(DesignationEvent, bulk):
                self._insert_events(staging, until, import_run, user)
        return changed

    @staticmethod
    def _insert_events(staging, until, import_run, user):
        note = "COALESCE({stg}.note, '')" if "note" in staging else "''"
        staging.execute(
            f"INSERT INTO {EVENT} (designation_id, kind, happened_on, notice_id, "
            "name_on_list, outcome, valid_until, banned_until, note, recorded_at, "
            "recorded_by_id, import_run_id) "
            "SELECT target_id, event_kind, happened_on, notice_id, COALESCE(name, ''), "
            f"outcome, {until}, NULL, {note}, %s, %s, %s FROM {{stg}} WHERE new_event = 1",
            [db_value(timezone.now()), user.pk if user else None, import_run.pk],
        )


def _concatenated(columns):
    """SQL joining the staging row's ``columns`` into one text, for identities."""
    return " || '|' || ".join(f"COALESCE({text_of('{stg}.' + c)}, '')" for c in columns)


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
            level_column(self.references),
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
