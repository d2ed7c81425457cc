"""The admin pages that apply the eligibility criteria: the candidates of a tier and the titles
due for review. Staff only; nothing here is public. (The criteria themselves, the rule versions
with their conditions, are edited in ``champions.admin.eligibility``.)

- **Candidates** (``admin:champions_candidates``, ``/admin/eligibility/candidates/?tier=&as_of=
  &kind=``): every firm of the city with figures evaluated for a tier on a day
  (``eligibility.evaluate_city``). For a new application, the firms that qualify and do not hold
  the tier, then the close ones; for a review, the holders that meet the review standard, the
  close ones, and those that do not. Each row shows every condition, met, missed or unknown, with
  the values it read. ``?_export=csv|xlsx`` gives every firm evaluated in the columns of
  ``manage.py candidates`` (the changelists' writers, ``exports.csv_response`` and
  ``exports.workbook_response``).
- **Reviews due** (``admin:champions_reviews_due``, ``/admin/eligibility/reviews/?as_of=``):
  titles in force whose term ends in the next 12 months, by end date, each with the review
  standard that applies on its last day (the version of ``rule_version_for(tier, "review",
  valid_until)``) and whether the firm meets it now: the figures and titles of the as-of day
  against the standard of the review. A tier without a review standard on that day is listed as
  such, not hidden.

Who: active staff who may view rule versions *and* yearly figures (the pages show the criteria
and the values each firm's figures give); every staff group may (``groups``: each views
everything). The public gets the admin's login page; staff without both permissions get 403.

Queries: a fixed number whatever the number of firms or titles (``evaluate_city`` reads the city
in six; the review page reads the titles, the standards, the figures and the titles held in one
query each). Evaluating a city takes seconds (every condition of every firm, its values written
out), so the candidates page keeps what it shows (the counts and the rows of its sections) in
the registry's cache (``cache.cached``: under the data version, which any change of a record,
the criteria included, replaces, today's date and the language): the first view after a change
computes it, the next ones read it. The export always evaluates afresh.
"""

from dataclasses import dataclass
from itertools import groupby

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from ..cache import cached
from ..eligibility import (
    CLOSE,
    MAX_YEARS,
    NO,
    QUALIFIES,
    AmbiguousRuleVersion,
    Firm,
    InvalidCondition,
    NoRuleVersion,
    Rules,
    evaluate,
    evaluate_city,
    figures_by_firm,
    figures_year,
    rule_version_for,
    titles_held,
)
from ..models import Designation, RuleVersion, Tier, YearlyFigures
from .designations import months_later
from .exports import CSV, EXPORT_VAR, XLSX, Table, attachment, csv_response, workbook_response

#: The columns of the export: those of ``manage.py candidates``.
EXPORT_COLUMNS = ("credit_code", "name", "verdict", "holds_tier", "conditions")
#: The review page lists titles whose term ends within this many months of the as-of day.
REVIEW_WITHIN_MONTHS = 12
#: Rows a section of the candidates page shows at most, by name; the export has them all.
SECTION_ROWS = 100
#: The permissions the pages need, beside being active staff.
PAGE_PERMISSIONS = ("champions.view_ruleversion", "champions.view_yearlyfigures")


def may_see_pages(request):
    user = request.user
    return user.is_active and user.is_staff and user.has_perms(PAGE_PERMISSIONS)


def urls(site):
    """The pages' URL patterns on the admin ``site`` (``RegistryAdminSite.get_urls``)."""
    wrap = site.admin_view
    return [
        path(
            "eligibility/candidates/",
            wrap(lambda request: candidates_view(site, request)),
            name="champions_candidates",
        ),
        path(
            "eligibility/reviews/",
            wrap(lambda request: reviews_view(site, request)),
            name="champions_reviews_due",
        ),
    ]


def page_context(site, request, title):
    try:
        list_url = reverse("admin:champions_ruleversion_changelist", current_app=site.name)
    except NoReverseMatch:  # the rule versions' admin is not registered
        list_url = None
    return {
        **site.each_context(request),
        "title": title,
        "opts": RuleVersion._meta,
        "list_url": list_url,
        "candidates_url": reverse("admin:champions_candidates", current_app=site.name),
        "reviews_url": reverse("admin:champions_reviews_due", current_app=site.name),
    }


def refused(request):
    """A response refusing ``request``, or None when it may see the pages."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if not may_see_pages(request):
        raise PermissionDenied
    return None


def plain_error(message):
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def kind_label(kind):
    return RuleVersion.Kind(kind).label


# --- The forms ----------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def tiers_with_rules():
    """The tiers some rule version is written for, in the echelon's order."""
    return list(
        Tier.objects.filter(Exists(RuleVersion.objects.filter(tier=OuterRef("pk")))).order_by(
            "position", "code"
        )
    )


class CandidatesForm(forms.Form):
    """The query string of the candidates page: ``tier`` (a code), ``as_of``, ``kind``."""

    tier = forms.ChoiceField(label=_("tier"))
    as_of = forms.DateField(
        label=_("as of"),
        required=False,
        widget=DateInput,
        help_text=_("Empty: today. The figures are those of the year before."),
    )
    kind = forms.ChoiceField(
        label=_("kind of application"),
        choices=RuleVersion.Kind.choices,
        required=False,
        initial=RuleVersion.Kind.NEW,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers = tiers_with_rules()
        self.fields["tier"].choices = [("", "---------")] + [(t.code, t.name) for t in self.tiers]

    def choice(self):
        """``(tier, as_of, kind)``, the defaults filled in."""
        data = self.cleaned_data
        tier = next(t for t in self.tiers if t.code == data["tier"])
        return tier, data["as_of"] or timezone.localdate(), data["kind"] or RuleVersion.Kind.NEW


class ReviewsForm(forms.Form):
    as_of = forms.DateField(
        label=_("as of"), required=False, widget=DateInput, help_text=_("Empty: today.")
    )


# --- The candidates page ------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    title: object
    rows: list
    count: int

    @property
    def cut(self):
        return self.count > len(self.rows)


#: The sections of the candidates page per kind: ``(key, verdict, holds the tier, title)``.
SECTIONS = {
    RuleVersion.Kind.NEW: (
        ("qualifies", QUALIFIES, False, _("Qualify (not yet holding the title)")),
        ("close", CLOSE, False, _("Close to qualifying")),
    ),
    RuleVersion.Kind.REVIEW: (
        ("qualifies", QUALIFIES, True, _("Meet the review standard (holding the title)")),
        ("close", CLOSE, True, _("Close to the review standard")),
        ("no", NO, True, _("Do not meet the review standard")),
    ),
}


def candidates_view(site, request):
    if response := refused(request):
        return response
    query = request.GET.copy()
    file_format = query.pop(EXPORT_VAR, [None])[-1]
    if file_format not in (None, CSV, XLSX):
        return plain_error(
            gettext("Unknown export format “%(format)s”: use csv or xlsx.")
            % {"format": file_format}
        )
    form = CandidatesForm(query or None)
    context = page_context(site, request, _("Candidate enterprises"))
    context.update(form=form, tiers=form.tiers)
    if not (form.is_bound and form.is_valid()):
        if file_format:
            return plain_error(gettext("Choose a tier, a day and a kind of application first."))
        return TemplateResponse(request, "admin/champions/eligibility/candidates.html", context)
    tier, as_of, kind = form.choice()

    def evaluated():
        rule_version = rule_version_for(tier, kind, as_of)
        candidates = evaluate_city(tier, as_of, kind)
        if file_format:
            return candidates
        return candidates_result(tier, as_of, kind, rule_version, candidates, site)

    try:
        if file_format:
            candidates = evaluated()
        else:
            parts = {"tier": tier.code, "as_of": as_of.isoformat(), "kind": kind}
            result = cached("admin-candidates", parts, evaluated)
    except NoRuleVersion:
        context["problem"] = _(
            "No version of the criteria of %(tier)s for %(kind)s applies on %(date)s."
        ) % {"tier": tier.name, "kind": kind_label(kind), "date": as_of.isoformat()}
    except AmbiguousRuleVersion as error:
        context["problem"] = _(
            "Several versions of the criteria of %(tier)s apply on %(date)s: %(names)s. "
            "Correct their days."
        ) % {"tier": tier.name, "date": as_of.isoformat(), "names": "；".join(error.args[3])}
    except InvalidCondition as error:
        context["problem"] = _("A condition of %(tier)s cannot be read: %(error)s") % {
            "tier": tier.name,
            "error": error,
        }
    else:
        if file_format:
            return candidates_file(file_format, tier, as_of, kind, candidates)
        context["result"] = result
        for export_format in (CSV, XLSX):
            query[EXPORT_VAR] = export_format
            context[f"export_{export_format}"] = f"?{query.urlencode()}"
    if file_format:
        return plain_error(str(context["problem"]))
    return TemplateResponse(request, "admin/champions/eligibility/candidates.html", context)


def candidates_file(file_format, tier, as_of, kind, candidates):
    """Every firm evaluated, as ``manage.py candidates`` writes them, in CSV or Excel."""
    table = Table(
        list(EXPORT_COLUMNS),
        ((c.credit_code, c.name, c.verdict, c.holds_tier, c.conditions_text()) for c in candidates),
    )
    day = as_of.strftime("%Y%m%d")
    name = slugify(gettext("candidates"), allow_unicode=True) or "candidates"
    fallback = f"candidates-{tier.code}-{kind}-{day}.{file_format}"
    filename = f"{name}-{tier.code}-{kind}-{day}.{file_format}"
    if file_format == CSV:
        response = csv_response(table)
    else:
        response = workbook_response(table, f"{tier.code} {kind} {day}")
    response["Content-Disposition"] = attachment(filename, fallback)
    return response


def outcome_labels():
    return {
        "met": pgettext("condition outcome", "met"),
        "missed": pgettext("condition outcome", "missed"),
        "unknown": pgettext("condition outcome", "unknown"),
    }


def conditions_html(results, labels=None):
    """The results of conditions (``ConditionResult``) as the list the pages show: each with
    its outcome, the values it read and what it requires, a composite's parts nested. Written
    here rather than by a recursive template: a page shows thousands of them."""
    labels = labels or outcome_labels()
    items = []
    for result in results:
        label, values, requirement, note = result.text_fields()
        parts = [
            format_html(
                '<span class="elig-outcome">{}</span> <span class="elig-label">{}</span>',
                labels.get(result.outcome, result.outcome),
                label,
            )
        ]
        if values:
            values = "、".join(result.values_text(values))
            parts.append(format_html('<span class="elig-values">：{}</span>', values))
        if note:
            parts.append(format_html('<span class="elig-note">（{}）</span>', note))
        if requirement:
            parts.append(
                format_html(
                    ' <span class="elig-requirement">{}</span>',
                    gettext("required %(requirement)s") % {"requirement": requirement},
                )
            )
        if result.outcome == "missed" and result.waivable:
            parts.append(format_html(' <span class="elig-waivable">{}</span>', gettext("waivable")))
        if result.details:
            parts.append(conditions_html(result.details, labels))
        items.append(
            format_html(
                '<li class="elig-{}" data-code="{}" data-outcome="{}">{}</li>',
                result.outcome,
                result.code,
                result.outcome,
                mark_safe("".join(parts)),  # noqa: S308 (each part escaped by format_html)
            )
        )
    return mark_safe(f'<ul class="elig-conditions">{"".join(items)}</ul>')  # noqa: S308


def change_url(site, enterprise_id):
    return reverse("admin:champions_enterprise_change", args=[enterprise_id], current_app=site.name)


def candidates_result(tier, as_of, kind, rule_version, candidates, site):
    sections = []
    for key, verdict, holding, title in SECTIONS[kind]:
        chosen = [c for c in candidates if c.verdict == verdict and c.holds_tier == holding]
        labels = outcome_labels()
        rows = [
            {
                "candidate": c,
                "url": change_url(site, c.enterprise_id),
                "conditions": conditions_html(c.conditions, labels),
            }
            for c in chosen[:SECTION_ROWS]
        ]
        sections.append(Section(key, title, rows, len(chosen)))
    return {
        "tier": tier,
        "as_of": as_of,
        "kind": kind,
        "kind_label": kind_label(kind),
        "rule_version": rule_version,
        "year": figures_year(as_of),
        "evaluated": len(candidates),
        "holding": sum(1 for c in candidates if c.holds_tier),
        "sections": sections,
    }


# --- The reviews page ---------------------------------------------------------------------------


def reviews_view(site, request):
    if response := refused(request):
        return response
    form = ReviewsForm(request.GET or None)
    context = page_context(site, request, _("Titles due for review"))
    context["form"] = form
    if not form.is_bound or form.is_valid():
        as_of = (form.cleaned_data["as_of"] if form.is_bound else None) or timezone.localdate()
        context["result"] = reviews_due(as_of, site)
    return TemplateResponse(request, "admin/champions/eligibility/reviews.html", context)


def applying(versions, on):
    """The versions of ``versions`` applying on ``on``."""
    return [version for version in versions if version.applies_on(on)]


def firm_of(enterprise):
    """The ``Firm`` facts of an enterprise read with its region, the region's parent and its
    industry."""
    region = enterprise.region
    codes = (region.pk, region.parent_id, region.parent.parent_id if region.parent else None)
    return Firm(
        founded=enterprise.founded,
        regions=tuple(code for code in codes if code),
        industry_group=enterprise.industry.group if enterprise.industry else None,
    )


def reviews_due(as_of, site):
    """Titles held on ``as_of`` whose term ends in the next ``REVIEW_WITHIN_MONTHS`` months, by
    month of their last day, each evaluated against the review standard applying on that day
    with the firm's figures and titles of ``as_of``.

    Six queries whatever the number of titles: the titles (with their firms, regions,
    industries, tiers and batches), the review versions, their conditions, the tiers' names,
    the figures, the titles the firms hold.
    """
    until = months_later(as_of, REVIEW_WITHIN_MONTHS)
    due = Designation.objects.in_force(as_of).filter(valid_until__range=(as_of, until))
    titles = list(
        due.select_related(
            "enterprise__region__parent", "enterprise__industry", "tier", "batch__tier"
        ).order_by("valid_until", "tier__position", "enterprise__name", "pk")
    )
    year = figures_year(as_of)
    versions, figures, held, tier_names = {}, {}, {}, {}
    if titles:
        for version in (
            RuleVersion.objects.filter(
                tier_id__in={title.tier_id for title in titles}, kind=RuleVersion.Kind.REVIEW
            )
            .prefetch_related("conditions")
            .order_by("applies_from")
        ):
            versions.setdefault(version.tier_id, []).append(version)
        tier_names = dict(Tier.objects.values_list("code", "name"))
        firms = due.values("enterprise_id")
        figures = figures_by_firm(
            YearlyFigures.objects.filter(
                enterprise_id__in=firms, year__range=(year - MAX_YEARS, year)
            )
        )
        held = titles_held(Designation.objects.in_force(as_of).filter(enterprise_id__in=firms))
    rules_of = {}
    labels = outcome_labels()
    counts = {QUALIFIES: 0, CLOSE: 0, NO: 0, "none": 0}
    rows = []
    for title in titles:
        enterprise = title.enterprise
        row = {
            "title": title,
            "enterprise": enterprise,
            "url": change_url(site, enterprise.pk),
            "version": None,
            "problem": "",
            "verdict": None,
        }
        rows.append(row)
        found = applying(versions.get(title.tier_id, ()), title.valid_until)
        if len(found) > 1:
            row["problem"] = _("Several review standards apply on this day: %(names)s") % {
                "names": "；".join(version.name for version in found)
            }
        if len(found) != 1:
            counts["none"] += 1
            continue
        version = row["version"] = found[0]
        if version.pk not in rules_of:
            try:
                rules_of[version.pk] = Rules.of(version)
            except InvalidCondition as error:
                rules_of[version.pk] = error
        rules = rules_of[version.pk]
        if isinstance(rules, InvalidCondition):
            row["problem"] = _("A condition cannot be read: %(error)s") % {"error": rules}
            counts["none"] += 1
            continue
        row["verdict"] = evaluate(
            figures.get(enterprise.pk, {}),
            held.get(enterprise.pk, frozenset()) | {title.tier_id},
            rules,
            as_of,
            firm_of(enterprise),
            tier_names,
        )
        counts[row["verdict"].verdict] += 1
        row["conditions"] = conditions_html(row["verdict"].conditions, labels)
    months = [
        {"month": month, "rows": list(group)}
        for month, group in groupby(rows, key=lambda row: row["title"].valid_until.replace(day=1))
    ]
    return {
        "as_of": as_of,
        "until": until,
        "months": months,
        "total": len(rows),
        "counts": counts,
        "year": year,
        "within": REVIEW_WITHIN_MONTHS,
    }
