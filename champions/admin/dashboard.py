"""The admin's index: the work waiting, each number a link to the list of exactly its records.

- Recommendations in progress, per batch and stage, with each batch's deadline, and per stage
  over all batches. In progress is every stage that is not closed (``workflow.CLOSED``), drafts
  included: a draft is work to file before the deadline, shown in a column of its own.
- Titles held today whose term ends within six months (``TermEndsSoonFilter``), and titles whose
  term has ended with no review result recorded (``lifecycle.TERM_ENDED``, ``TermEndedFilter``).
- Batches whose recommendation deadline is today or within 30 days (``DeadlineNearFilter``).
- The latest import runs with their counts and errors, and the latest notices with the title
  events recorded from each.
- Links to the candidates page and the titles due for review (``candidates``), for staff who may
  see them.

Every number is counted over the ModelAdmin's own queryset with the filter its link sets
(``filtered``), or with the lookups of the list filter its link sets, so a number and the list it
opens cannot disagree. A section is shown only to a user who may view its model, a number of
another model only to a user who may view that one. The queries are a fixed number whatever the
size of the tables: counts are aggregates (one per figure, or grouped), lists are cut to
``BATCH_ROWS`` or ``LATEST_ROWS`` rows and count their uncut rows in the same query.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, Window
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from ..importing.kinds import KINDS
from ..models import Batch, Designation, DesignationEvent, ImportRun, Notice, Recommendation
from ..models.designations import TERM_ENDED_LABEL
from ..workflow import CLOSED, Stage
from .designations import (
    DEADLINE_WITHIN_DAYS,
    TERM_ENDS_WITHIN_MONTHS,
    DeadlineNearFilter,
    TermEndedFilter,
    TermEndsSoonFilter,
)

#: The stages of a recommendation in progress, in the workflow's order.
OPEN_STAGES = tuple(stage for stage in Stage if stage not in CLOSED)
#: How many batches the recommendations table and the deadlines list show at most.
BATCH_ROWS = 10
#: How many import runs and notices are listed.
LATEST_ROWS = 5

#: The query-string lookups of the recommendations list's filters on stage and batch (Django's
#: choices filter and ``BatchListFilter``, a related-field filter).
STAGE_LOOKUP = "stage__exact"
BATCH_LOOKUP = "batch__id__exact"
#: The title events list, by notice (as the notice's page links to it).
NOTICE_LOOKUP = "notice__id__exact"

#: The number of rows of a query before its ``LIMIT``, on each row: a list cut to its first rows
#: says how many there are in the same query.
TOTAL = Window(Count("pk"))


@dataclass(frozen=True)
class Figure:
    """A number on the dashboard and the list of exactly the records it counts."""

    count: int
    url: str


def list_url(site, model, **params):
    """The admin list of ``model`` on ``site``, with ``params`` as its query string."""
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=site.name)
    return f"{url}?{urlencode(params)}" if params else url


def change_url(site, obj):
    opts = obj._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk], current_app=site.name
    )


def filtered(model_admin, request, filter_class, value):
    """The rows ``model_admin``'s list shows with the list filter ``filter_class`` set to
    ``value``: the filter's own query over the list's queryset."""
    list_filter = filter_class(
        request, {filter_class.parameter_name: [value]}, model_admin.model, model_admin
    )
    return list_filter.queryset(request, model_admin.get_queryset(request))


def filter_figure(site, model_admin, request, filter_class, value):
    count = filtered(model_admin, request, filter_class, value).count()
    return Figure(count, list_url(site, model_admin.model, **{filter_class.parameter_name: value}))


class Viewer:
    """What one request may see: the ModelAdmins of the models the user may view."""

    def __init__(self, site, request):
        self.site, self.request = site, request

    def admin_of(self, model):
        """``model``'s ModelAdmin, or None when it is not registered or the user may not view
        its records."""
        if not self.site.is_registered(model):
            return None
        model_admin = self.site.get_model_admin(model)
        return model_admin if model_admin.has_view_permission(self.request) else None


def dashboard(site, request):
    """The dashboard's sections for ``request``'s user; a section they may not see is None."""
    viewer = Viewer(site, request)
    today = timezone.localdate()
    sections = {
        "recommendations": recommendations_in_progress(viewer),
        "titles": titles_to_review(viewer),
        "deadlines": deadlines_near(viewer, today),
        "imports": latest_imports(viewer),
        "notices": latest_notices(viewer),
        "eligibility": eligibility_links(request),
    }
    return sections if any(sections.values()) else None


def eligibility_links(request):
    """The pages that apply the eligibility criteria, for staff who may see them; no query."""
    from .candidates import may_see_pages

    if not may_see_pages(request):
        return None
    return {
        "candidates_url": reverse("admin:champions_candidates"),
        "reviews_url": reverse("admin:champions_reviews_due"),
    }


def recommendations_in_progress(viewer):
    """Open recommendations per stage over all batches, and per batch and stage for the latest
    ``BATCH_ROWS`` batches with any (by deadline, latest first, then by year)."""
    model_admin = viewer.admin_of(Recommendation)
    if model_admin is None:
        return None
    site = viewer.site
    in_progress = model_admin.get_queryset(viewer.request).filter(stage__in=OPEN_STAGES).order_by()
    per_stage = dict(in_progress.values_list("stage").annotate(count=Count("pk")))
    totals = [
        {
            "stage": stage,
            "figure": Figure(
                per_stage.get(stage, 0), list_url(site, Recommendation, **{STAGE_LOOKUP: stage})
            ),
        }
        for stage in OPEN_STAGES
    ]
    with_open = Batch.objects.filter(
        Exists(Recommendation.objects.filter(batch=OuterRef("pk"), stage__in=OPEN_STAGES))
    )
    batches = list(
        with_open.select_related("tier")
        .annotate(total=TOTAL)
        .order_by(
            F("recommendation_deadline").desc(nulls_last=True),
            "-year",
            "tier__position",
            "-number",
        )[:BATCH_ROWS]
    )
    batch_count = batches[0].total if batches else 0
    counts = {
        (batch_id, stage): count
        for batch_id, stage, count in in_progress.filter(batch__in=batches)
        .values_list("batch", "stage")
        .annotate(count=Count("pk"))
    }
    batch_pages = viewer.admin_of(Batch) is not None
    rows = []
    for batch in batches:
        cells = []
        for stage in OPEN_STAGES:
            count = counts.get((batch.pk, stage), 0)
            url = list_url(site, Recommendation, **{BATCH_LOOKUP: batch.pk, STAGE_LOOKUP: stage})
            cells.append({"stage": stage, "figure": Figure(count, url) if count else None})
        rows.append(
            {
                "batch": batch,
                "url": change_url(site, batch) if batch_pages else None,
                "cells": cells,
            }
        )
    return {
        "stages": OPEN_STAGES,
        "rows": rows,
        "totals": totals,
        "any": any(total["figure"].count for total in totals),
        "batch_count": batch_count,
        "all_url": list_url(site, Recommendation),
    }


def titles_to_review(viewer):
    """Titles whose term ends soon, and titles whose term ended with no review recorded."""
    model_admin = viewer.admin_of(Designation)
    if model_admin is None:
        return None
    site, request = viewer.site, viewer.request
    return {
        "ending": filter_figure(
            site, model_admin, request, TermEndsSoonFilter, TermEndsSoonFilter.SOON
        ),
        "ended": filter_figure(site, model_admin, request, TermEndedFilter, "1"),
        "ended_label": TERM_ENDED_LABEL,
        "months": TERM_ENDS_WITHIN_MONTHS,
    }


def deadlines_near(viewer, today):
    """Batches whose recommendation deadline is within ``DEADLINE_WITHIN_DAYS`` days, soonest
    first, each with its recommendations (for a user who may view them)."""
    model_admin = viewer.admin_of(Batch)
    if model_admin is None:
        return None
    site, request = viewer.site, viewer.request
    near = filtered(model_admin, request, DeadlineNearFilter, DeadlineNearFilter.NEAR)
    recommendations = viewer.admin_of(Recommendation)
    if recommendations is not None:
        counted = (
            recommendations.get_queryset(request)
            .filter(batch=OuterRef("pk"))
            .order_by()
            .values("batch")
            .annotate(count=Count("pk"))
            .values("count")
        )
        near = near.annotate(
            recommendation_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0)
        )
    batches = list(
        near.select_related("tier")
        .annotate(total=TOTAL)
        .order_by("recommendation_deadline", "tier__position", "-id")[:BATCH_ROWS]
    )
    count = batches[0].total if batches else 0
    rows = [
        {
            "batch": batch,
            "url": change_url(site, batch),
            "days_left": (batch.recommendation_deadline - today).days,
            "recommendations": (
                None
                if recommendations is None
                else Figure(
                    batch.recommendation_count,
                    list_url(site, Recommendation, **{BATCH_LOOKUP: batch.pk}),
                )
            ),
        }
        for batch in batches
    ]
    return {
        "figure": Figure(
            count,
            list_url(site, Batch, **{DeadlineNearFilter.parameter_name: DeadlineNearFilter.NEAR}),
        ),
        "rows": rows,
        "days": DEADLINE_WITHIN_DAYS,
        "with_recommendations": recommendations is not None,
    }


def latest_imports(viewer):
    """The latest ``LATEST_ROWS`` import runs, with what each created, updated, left unchanged
    and refused."""
    model_admin = viewer.admin_of(ImportRun)
    if model_admin is None:
        return None
    runs = model_admin.get_queryset(viewer.request).order_by("-started_at", "-id")[:LATEST_ROWS]
    return {
        "rows": [
            {"run": run, "url": change_url(viewer.site, run), "kind": kind_label(run.kind)}
            for run in runs
        ],
        "all_url": list_url(viewer.site, ImportRun),
    }


def kind_label(kind):
    """An import kind by the name of what it writes (``designations``: the titles' label)."""
    written = KINDS.get(kind)
    return written.model._meta.verbose_name_plural if written else kind


def latest_notices(viewer):
    """The latest ``LATEST_ROWS`` notices by publication date, each with the number of title
    events recorded from it (for a user who may view them)."""
    model_admin = viewer.admin_of(Notice)
    if model_admin is None:
        return None
    site, request = viewer.site, viewer.request
    notices = model_admin.get_queryset(request).select_related("tier", "batch__tier")
    events = viewer.admin_of(DesignationEvent)
    if events is not None:
        counted = (
            events.get_queryset(request)
            .filter(notice=OuterRef("pk"))
            .order_by()
            .values("notice")
            .annotate(count=Count("pk"))
            .values("count")
        )
        notices = notices.annotate(
            event_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0)
        )
    notices = notices.order_by(F("published_on").desc(nulls_last=True), "-id")[:LATEST_ROWS]
    return {
        "rows": [
            {
                "notice": notice,
                "url": change_url(site, notice),
                "events": (
                    None
                    if events is None
                    else Figure(
                        notice.event_count,
                        list_url(site, DesignationEvent, **{NOTICE_LOOKUP: notice.pk}),
                    )
                ),
            }
            for notice in notices
        ],
        "all_url": list_url(site, Notice),
        "with_events": events is not None,
    }
