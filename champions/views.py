"""Public views. They show only aggregates and published data; see ``champions.summary``.

Every list and breakdown builds a ``tables.Table`` from its FilterSet, cached until the data
change (``champions.cache``), and answers ``?format=csv`` and ``?format=json`` with the same rows.
Names appear only for firms holding a public title; recommendations appear only as counts; no
firm's figures appear at all.
"""

import math
import re
from itertools import groupby
from operator import itemgetter
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from . import summary as summaries
from .cache import cached, form_parts, page_number, reads
from .filters import (
    DirectoryFilterSet,
    FunnelFilterSet,
    ProvinceCountFilterSet,
    SeminarFilterSet,
    TitleFilterSet,
)
from .forms import NAME_ORDER, SummaryScopeForm
from .models import Designation, Enterprise, Industry, ProvinceCount, Region, Tier
from .summary import localized
from .tables import (
    FORMATS,
    PER_CENT,
    RATE,
    Column,
    Table,
    csv_response,
    file_name,
    json_response,
    streaming_csv_response,
)
from .workflow import FUNNEL, PUBLIC_LABELS

PAGE_SIZE = 50
#: Shades of the heat map: a cell's share of its column's largest count, in this many steps.
HEAT_STEPS = 5
LATEST_SEMINARS = 3


def _json(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@reads(SummaryScopeForm)
@require_safe
def summary_json(request):
    """``/api/summary.json[?region=CODE&year=YYYY]``: counts in force, funnels, new-product rate."""
    form = SummaryScopeForm(request.GET)
    if not form.is_valid():
        return _json({"errors": form.errors.get_json_data()}, status=400)
    region, year = form.cleaned_data["region"], form.cleaned_data["year"]
    key = {"region": region.code if region else "", "year": year}
    return _json(
        cached("summary", key, lambda: summaries.summary(summaries.make_scope(region, year)))
    )


# --- Shared plumbing ---------------------------------------------------------------------------


def directory_url(**params):
    """The directory filtered by ``params`` (lists become repeated parameters)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "", [])}, doseq=True)
    return reverse("champions:enterprises") + (f"?{query}" if query else "")


def _joined(items):
    """Items written as a list in the active language: "a; b" in English, "a、b" in Chinese."""
    return pgettext("list separator", "; ").join(items)


#: What a count linking to the directory counts: the directory states both (its ``data-count``
#: and ``data-titles``), and each link says which of the two is its number (``data-counts``).
FIRMS, TITLES = "firms", "titles"


def counted_as(kind):
    """What a tier's count counts: products (titles) for a product title, else firms."""
    return TITLES if kind == Tier.Kind.PRODUCT else FIRMS


def _cache_key(filterset, page=""):
    """What a cached table depends on: its filters as the filterset read them, normalised
    (``cache.form_parts``), and the page number; not the format asked for, nor any parameter
    the page does not read."""
    parts = form_parts(filterset.form) if filterset is not None else {}
    return {**parts, "page": page} if page else parts


def _csv_name(request, page, heading):
    """The CSV twin's file name: the page, its filters and the day (``tables.file_name``)."""
    return file_name(page, str(heading) if heading else None, request.GET, timezone.localdate())


def _format(request):
    return request.GET.get("format") if request.GET.get("format") in FORMATS else ""


def _invalid(request, template, filterset, context):
    """A 400 naming the bad parameters, in the format asked for."""
    errors = filterset.form.errors.get_json_data()
    if _format(request) == "json":
        return _json({"errors": errors}, status=400)
    if _format(request) == "csv":
        lines = [f"{name}: {e['message']}" for name, errs in errors.items() for e in errs]
        return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")
    return render(request, template, {"filterset": filterset, **context}, status=400)


def _respond(request, template, name, build, filterset=None, **context):
    """The page, or its CSV or JSON twin, of the table ``build(filterset)`` makes."""
    if filterset is not None and not filterset.is_valid():
        return _invalid(request, template, filterset, context)
    table = cached(name, _cache_key(filterset), lambda: build(filterset))
    if _format(request) == "csv":
        return csv_response(table, _csv_name(request, name, context.get("heading")))
    if _format(request) == "json":
        return json_response(table)
    return render(request, template, {"filterset": filterset, "table": table, **context})


def _heat(count, largest):
    """The shade of a cell, 0 (none) to ``HEAT_STEPS``, by its share of the column's largest."""
    return math.ceil(HEAT_STEPS * count / largest) if count and largest else 0


def _tiers(filterset):
    """The tiers a breakdown has columns for: those filtered on, else all (top first)."""
    chosen = filterset.form.cleaned_data.get("tier")
    level = filterset.form.cleaned_data.get("level")
    tiers = list(chosen) if chosen else list(Tier.objects.order_by("position", "code"))
    return [tier for tier in tiers if not level or tier.level == level]


def _as_of_meta(filterset, **more):
    return {"as_of": filterset.on, "source": _("Titles recorded in the registry"), **more}


# --- Home --------------------------------------------------------------------------------------


@require_safe
def home(request):
    return render(request, "champions/home.html", cached("home", {}, _home))


def _home():
    scope = summaries.make_scope()
    rule = summaries.disclosure()
    tiers = summaries.tier_counts(scope)
    for tier in tiers:
        tier["label"] = localized(tier["name"], tier["name_en"])
        tier["url"] = directory_url(tier=[tier["code"]])
        tier["counts"] = counted_as(tier["kind"])
        tier["state"] = summaries.tier_state(tier)
    headlines = summaries.headline_counts(tiers)
    for headline in headlines:
        headline["url"] = directory_url(tier=headline["tiers"])
    funnels = summaries.recommendation_funnels(scope)
    latest_year = funnels[0]["year"] if funnels else None
    comparison = summaries.province_comparison(settings.CHAMPIONS_CITY_CODE)
    city = comparison["city"]
    return {
        "city": localized(city.name, city.name_en) if city else "",
        "as_of": scope.on,
        "tiers": tiers,
        "levels": [
            {"level": level.value, "label": str(level.label), "tiers": members}
            for level in Tier.Level
            if (members := [tier for tier in tiers if tier["level"] == level.value])
        ],
        "authorities": _joined(_authorities(tiers)),
        "headlines": headlines,
        "rate": summaries.new_product_output(scope, rule),
        "funnels": [_funnel(f) for f in funnels if f["year"] == latest_year],
        "ranks": [_rank(g, comparison) for g in comparison["groups"] if g["city_rank"]],
        "targets": [_target(t) for t in summaries.target_progress(rule)],
        "seminars": [_seminar(s) for s in summaries.latest_seminars(LATEST_SEMINARS)],
    }


#: How a tier's authority joins the bodies that publish its lists together.
AUTHORITY_SEPARATORS = re.compile(r"[、，；;]|\s+with\s+(?:the\s+)?")


def _authorities(tiers):
    """Each body publishing the lists of the tiers recorded in the registry, named once, top of
    the echelon first (a tier's authority may name several: 工业和信息化部、财政部)."""
    names = []
    for tier in tiers:
        if not tier["authority"] or not tier.get("recorded", True):
            continue
        for name in AUTHORITY_SEPARATORS.split(localized(tier["authority"], tier["authority_en"])):
            name = name.strip()
            if name and name not in names:
                names.append(name)
    return names


def _funnel(funnel):
    """A batch's funnel for display: the stages it can reach, with counts and public labels."""
    stages = [
        {"code": stage.value, "label": str(PUBLIC_LABELS[stage]), "count": funnel["reached"][stage]}
        for stage in FUNNEL
        if stage.value != "submitted" or funnel["level"] == "national"
    ]
    return {
        **funnel,
        "tier_label": localized(funnel["tier_name"], funnel["tier_name_en"]),
        "stages": stages,
        "success_rate": summaries.success_rate(funnel),
        "approved_url": directory_url(batch=funnel["batch_id"]),
    }


def _rank(group, comparison):
    province = comparison["province"]
    return {
        **group,
        "tier_label": localized(group["tier_name"], group["tier_name_en"]),
        "measure_label": str(ProvinceCount.Measure(group["measure"]).label),
        "province": localized(province.name, province.name_en),
        "cities_count": len(group["cities"]),
    }


def _target(target):
    is_count = target["metric"] == "enterprises_over"
    return {
        **target,
        "name": localized(target["name"], target.get("name_en", "")),
        # Output values are kept in 10k yuan; targets are spoken of in 100 million yuan (亿元).
        "unit": _("firms") if is_count else _("100 million yuan"),
        "places": 0 if is_count else 1,
        "shown_goal": target["goal"] if is_count else target["goal"] / 10000,
        "shown_value": (
            None if target["value"] is None else target["value"] / (1 if is_count else 10000)
        ),
        "percent": None if target["share"] is None else round(100 * target["share"], 1),
    }


def _seminar(seminar):
    return {
        "title": seminar.title,
        "held_on": seminar.held_on,
        "place": seminar.place,
        "theme": seminar.theme,
        "sponsors": [localized(o.name, o.name_en) for o in seminar.sponsors.all()],
        "source": seminar.source,
    }


# --- Directory and firm pages ------------------------------------------------------------------


def _directory_columns():
    return [
        Column("name", _("Enterprise")),
        Column("region", _("Region")),
        Column("industry", _("Industry")),
        Column("main_product", _("Main product")),
        Column("titles", _("Titles")),
    ]


class CountedPaginator(Paginator):
    """A paginator given its count, which the view has from its own aggregate query already."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self):
        return self._known_count


def _shown_titles(filterset):
    """The titles shown beside a listed firm: all its public ones on the directory's date."""
    condition = summaries.public_q(filterset.on)
    if filterset.as_of_year:
        condition &= Q(year__lte=filterset.as_of_year)
    return Designation.objects.filter(condition)


def _title_label(title):
    """ "制造业单项冠军企业（2021年第6批）", with the product and a publicity-list mark."""
    names = {
        "tier": localized(title["tier__name"], title["tier__name_en"]),
        "year": title["year"],
        "number": title["batch__number"],
    }
    if title["batch__number"]:
        label = _("%(tier)s (%(year)s, batch %(number)s)") % names
    else:
        label = _("%(tier)s (%(year)s)") % names
    if title["product"]:
        label += f" · {title['product']}"
    if title["status"] == Designation.Status.PUBLICIZED:
        label += " · " + _("on a publicity list")
    return label


TITLE_FIELDS = (
    "enterprise_id",
    "tier__name",
    "tier__name_en",
    "year",
    "batch__number",
    "product",
    "status",
)


def _firm_row(firm, titles):
    """A directory row; ``firm`` holds the enterprise's fields as read by ``values()``."""
    labels = [_title_label(title) for title in titles]
    return {
        "id": firm["id"],
        "url": reverse("champions:enterprise", args=[firm["id"]]),
        "name": firm["name"],
        "region": localized(firm["region__name"], firm["region__name_en"]),
        "industry": localized(firm["industry__name"] or "", firm["industry__name_en"] or ""),
        "main_product": firm["main_product"],
        "titles": _joined(labels),
        "title_list": labels,
    }


FIRM_FIELDS = (
    "id",
    "name",
    "region__name",
    "region__name_en",
    "industry__name",
    "industry__name_en",
    "main_product",
)


def _directory_page(filterset, page_number):
    """One page of the directory: counts, the firms on the page and their titles. Four
    queries, whatever the number of firms."""
    totals = filterset.qs.aggregate(
        enterprises=Count("enterprise_id", distinct=True), titles=Count("id")
    )
    paginator = CountedPaginator(filterset.enterprises(), PAGE_SIZE, totals["enterprises"])
    page = paginator.get_page(page_number)
    firms = list(page.object_list.values(*FIRM_FIELDS))
    titles = (
        _shown_titles(filterset)
        .filter(enterprise_id__in=[firm["id"] for firm in firms])
        .order_by("enterprise_id", "tier__position", "-year")
        .values(*TITLE_FIELDS)
    )
    by_firm = {key: list(group) for key, group in groupby(titles, itemgetter("enterprise_id"))}
    table = Table(
        _directory_columns(),
        [_firm_row(firm, by_firm.get(firm["id"], [])) for firm in firms],
        _as_of_meta(filterset),
    )
    return {
        "table": table,
        "count": totals["enterprises"],
        "titles": totals["titles"],
        "page": page.number,
        "pages": paginator.num_pages,
        "first_row": page.start_index(),
        "last_row": page.end_index(),
    }


def _directory_csv_rows(filterset):
    """Every listed firm with its titles, read in one pass over one query however many."""
    firm_fields = [f"enterprise__{field}" for field in FIRM_FIELDS]
    titles = _shown_titles(filterset).filter(enterprise_id__in=filterset.qs.values("enterprise_id"))
    titles = filterset.ordered(titles, "enterprise__", then=("tier__position", "-year"))
    titles = titles.values(*firm_fields, *TITLE_FIELDS)
    for _id, group in groupby(titles.iterator(chunk_size=2000), itemgetter("enterprise_id")):
        group = list(group)
        firm = {field: group[0][f"enterprise__{field}"] for field in FIRM_FIELDS}
        yield _firm_row(firm, group)


@reads(DirectoryFilterSet, "page", "format")
@require_safe
def enterprise_list(request):
    """``/enterprises/``: firms holding public titles, filtered, sorted and paginated. Its CSV
    twin has every matching firm; its JSON twin, like the page, one page of them."""
    filterset = DirectoryFilterSet(request.GET)
    context = {"heading": _("Directory of title holders")}
    if not filterset.is_valid():
        return _invalid(request, "champions/enterprise_list.html", filterset, context)
    if _format(request) == "csv":
        rows = _directory_csv_rows(filterset)
        name = _csv_name(request, "enterprises", context["heading"])
        return streaming_csv_response(_directory_columns(), rows, name)
    page = cached(
        "enterprises",
        _cache_key(filterset, page_number(request.GET)),
        lambda: _directory_page(filterset, request.GET.get("page")),
    )
    if _format(request) == "json":
        extra = {k: page[k] for k in ("count", "titles", "page", "pages")}
        return json_response(page["table"], **extra)
    context.update(filterset=filterset, **page)
    return render(request, "champions/enterprise_list.html", context)


@require_safe
def enterprise_detail(request, pk):
    """A firm's public page: who it is and its public titles. 404 for a firm with none, so that
    a firm known only from a pending recommendation cannot be found."""
    today = timezone.localdate()
    titles = list(
        Designation.objects.filter(summaries.public_q(today), enterprise_id=pk)
        .select_related("tier", "batch")
        .order_by("tier__position", "-year")
    )
    if not titles:
        raise Http404(_("No such enterprise among the holders of a title."))
    enterprise = get_object_or_404(
        Enterprise.objects.select_related("region", "industry").prefetch_related("former_names"),
        pk=pk,
    )
    return render(
        request,
        "champions/enterprise_detail.html",
        {"enterprise": enterprise, "titles": titles, "as_of": today},
    )


# --- Breakdowns --------------------------------------------------------------------------------


def _count_cells(tiers, counts, key, filters):
    """The cells of one breakdown row, one per tier, each linking to the matching firms."""
    return [
        {
            "count": counts.get((key, tier.code), 0),
            "url": directory_url(tier=[tier.code], **filters),
            "tier": tier.code,
            "counts": counted_as(tier.kind),
        }
        for tier in tiers
    ]


def _shade(rows, tiers):
    """Give each cell of the rows that are not totals its heat step within its column."""
    for index in range(len(tiers)):
        largest = max((row["cells"][index]["count"] for row in rows), default=0)
        for row in rows:
            row["cells"][index]["heat"] = _heat(row["cells"][index]["count"], largest)


def _row_types():
    """The labels the CSV writes for the breakdowns' row types (the JSON keeps the codes)."""
    return {
        "region": _("Region"),
        "industry": _("Industry"),
        "group": _("Industry group"),
        "total": _("Total"),
    }


def _breakdown_columns(first, tiers):
    row_types = {code: str(label) for code, label in _row_types().items()}
    return [
        Column("row", _("Row"), shown=row_types),
        Column("code", _("Code")),
        Column("name", first),
        *[
            Column(tier.code, localized(tier.name, tier.name_en), group=tier.level)
            for tier in tiers
        ],
        Column("enterprises", _("Firms holding any of these titles")),
    ]


def _breakdown_row(kind, code, name, cells, enterprises, url):
    row = {"row": kind, "code": code, "name": name, "cells": cells, "enterprises": enterprises}
    row.update({cell["tier"]: cell["count"] for cell in cells})
    row["url"] = url
    return row


def _filters_of(filterset):
    """The filters of a breakdown, to carry over into the directory links of its cells."""
    data = filterset.form.cleaned_data
    return {
        "year": data.get("year"),
        "industry": data["industry"].code if data.get("industry") else None,
        "group": data.get("group") or None,
        "region": data["region"].code if data.get("region") else None,
    }


def _region_table(filterset):
    """County × tier for the chosen region (else the city): its counties and itself (firms
    recorded with the city only). Five queries."""
    scope = filterset.form.cleaned_data.get("region") or Region.objects.get(
        code=settings.CHAMPIONS_CITY_CODE
    )
    parents = dict(Region.objects.values_list("code", "parent_id"))
    row_regions = list(Region.objects.filter(Q(parent=scope)).order_by("code")) + [scope]
    row_codes = {region.code for region in row_regions}

    def row_of(code):
        while code is not None and code not in row_codes:
            code = parents.get(code)
        return code

    codes = summaries.subtree_codes(scope)
    designations = filterset.qs.filter(enterprise__region_id__in=codes)
    tiers = _tiers(filterset)
    counts, firms = {}, {}
    for (code, tier), count in summaries.tier_counts_by(designations, "region").items():
        key = (row_of(code), tier)
        counts[key] = counts.get(key, 0) + count
    for code, count in summaries.enterprises_by(designations, "region").items():
        firms[row_of(code)] = firms.get(row_of(code), 0) + count
    filters = _filters_of(filterset)
    rows = []
    for region in row_regions:
        name = localized(region.name, region.name_en)
        if region == scope:
            name = _("%(region)s, county not recorded") % {"region": name}
        region_filters = {**filters, "region": region.code}
        cells = _count_cells(tiers, counts, region.code, region_filters)
        row = _breakdown_row(
            "region",
            region.code,
            name,
            cells,
            firms.get(region.code, 0),
            directory_url(**region_filters),
        )
        if region == scope:
            if not row["enterprises"]:
                continue  # every firm's county is known: no row for "county not recorded"
            _unlink(row)
        rows.append(row)
    _shade(rows, tiers)
    rows.append(_total_row(scope.code, tiers, rows, {**filters, "region": scope.code}))
    name = localized(scope.name, scope.name_en)
    return Table(
        _breakdown_columns(_("Region"), tiers),
        rows,
        _as_of_meta(filterset, region={"code": scope.code, "name": name}),
    )


def _unlink(row):
    """Drop the links of a row the directory cannot list exactly (firms recorded with the city
    only, or with no industry): its filters would also match firms of the other rows."""
    row["url"] = ""
    for cell in row["cells"]:
        cell["url"] = ""


def _total_row(code, tiers, rows, filters):
    """The total of ``rows``: each firm has one region and one industry, so they add up."""
    cells = [
        {
            "count": sum(row["cells"][i]["count"] for row in rows),
            "url": directory_url(tier=[tier.code], **filters),
            "tier": tier.code,
            "counts": counted_as(tier.kind),
            "heat": 0,
        }
        for i, tier in enumerate(tiers)
    ]
    enterprises = sum(row["enterprises"] for row in rows)
    return _breakdown_row("total", code, _("Total"), cells, enterprises, directory_url(**filters))


@reads(TitleFilterSet, "format")
@require_safe
def by_region(request):
    return _respond(
        request,
        "champions/breakdown.html",
        "by-region",
        _region_table,
        TitleFilterSet(request.GET),
        heading=_("Title holders by region"),
        caption=_("Counties and districts × titles"),
    )


def _industry_table(filterset):
    """Industry × tier, industries grouped into traditional and emerging, with group totals.
    Three queries."""
    designations = filterset.qs
    tiers = _tiers(filterset)
    counts = summaries.tier_counts_by(designations, "industry")
    firms = summaries.enterprises_by(designations, "industry")
    filters = _filters_of(filterset)
    industries = list(Industry.objects.order_by("position", "code"))
    chosen = filterset.form.cleaned_data.get("industry")
    chosen_group = filterset.form.cleaned_data.get("group")
    rows, all_rows = [], []
    for group, group_label in Industry.Group.choices:
        if chosen_group and group != chosen_group:
            continue
        members = [i for i in industries if i.group == group and (not chosen or i == chosen)]
        if not members:
            continue
        group_rows = [
            _breakdown_row(
                "industry",
                industry.code,
                localized(industry.name, industry.name_en),
                _count_cells(tiers, counts, industry.code, {**filters, "industry": industry.code}),
                firms.get(industry.code, 0),
                directory_url(**{**filters, "industry": industry.code}),
            )
            for industry in members
        ]
        _shade(group_rows, tiers)
        all_rows.extend(group_rows)
        # The group's row links to the firms of its industries (``?group=``), not to them all.
        subtotal = _total_row(group, tiers, group_rows, {**filters, "group": group})
        subtotal.update(row="group", name=_("%(group)s, total") % {"group": group_label})
        rows.extend([*group_rows, subtotal])
    unclassified = firms.get(None, 0)
    if unclassified and not chosen and not chosen_group:
        cells = _count_cells(tiers, counts, None, filters)
        row = _breakdown_row("industry", "", _("Industry not recorded"), cells, unclassified, "")
        _unlink(row)
        _shade([row], tiers)
        all_rows.append(row)
        rows.append(row)
    rows.append(_total_row("", tiers, all_rows, filters))
    return Table(_breakdown_columns(_("Industry"), tiers), rows, _as_of_meta(filterset))


@reads(TitleFilterSet, "format")
@require_safe
def by_industry(request):
    return _respond(
        request,
        "champions/breakdown.html",
        "by-industry",
        _industry_table,
        TitleFilterSet(request.GET),
        heading=_("Title holders by industry"),
        caption=_("Industries × titles, in the traditional and emerging groups"),
    )


def _batch_table(filterset):
    """Each batch's funnel and success rate. One query; counts only, never names."""
    stage_columns = [Column(stage.value, str(PUBLIC_LABELS[stage])) for stage in FUNNEL]
    columns = [
        Column("tier", _("Title")),
        Column("batch", _("Batch")),
        Column("year", _("Year")),
        *stage_columns,
        Column("under_way", _("Still under way")),
        Column("success_rate", _("Success rate"), shown=RATE),
        Column("announced_on", _("Announced on")),
        Column("document", _("Document number")),
    ]
    columns[-2:-2] = [
        Column("titles_in_force", _("Titles of the batch in force")),
        Column("firms_in_force", _("Firms holding them")),
    ]
    rows = []
    funnels = summaries.funnels(filterset.qs)
    held = summaries.batch_titles([funnel["batch_id"] for funnel in funnels])
    for funnel in funnels:
        row = _funnel(funnel)
        row.update(funnel["reached"])
        row["tier"] = row["tier_label"]
        # The funnel counts the city's recommendations; the batch's titles in force are all
        # those the registry holds, also of firms it has no recommendation record of.
        titles, firms = held.get(funnel["batch_id"], (0, 0))
        row.update(titles_in_force=titles, firms_in_force=firms)
        rows.append(row)
    meta = {"source": _("The city's recommendation records"), "as_of": timezone.localdate()}
    return Table(columns, rows, meta)


@reads(FunnelFilterSet, "format")
@require_safe
def by_batch(request):
    return _respond(
        request,
        "champions/by_batch.html",
        "by-batch",
        _batch_table,
        FunnelFilterSet(request.GET),
        heading=_("Recommendations by batch"),
    )


def _province_table(filterset):
    """The province's published counts per city, ranked, per tier and measure. Two queries."""
    comparison = summaries.province_comparison(settings.CHAMPIONS_CITY_CODE, filterset.qs)
    columns = [
        Column("tier", _("Title")),
        Column("measure", _("Measure")),
        Column("year", _("Year")),
        Column("rank", _("Rank")),
        Column("city", _("City")),
        Column("count", _("Count")),
        Column("source", _("Source")),
    ]
    rows, groups = [], []
    for group in comparison["groups"]:
        shown = _rank(group, comparison)
        groups.append(shown)
        largest = max(city["count"] for city in group["cities"])
        for city in group["cities"]:
            rows.append(
                {
                    "tier": shown["tier_label"],
                    "measure": shown["measure_label"],
                    "year": group["year"],
                    "rank": city["rank"],
                    "city": localized(city["name"], city["name_en"]),
                    "count": city["count"],
                    "source": _joined(group["sources"]),
                    "is_city": city["is_city"],
                    "share": city["count"] / largest if largest else 0,
                }
            )
        shown["rows"] = rows[len(rows) - len(group["cities"]) :]
    city = comparison["city"]
    meta = {
        "city": {"code": city.code, "name": localized(city.name, city.name_en)} if city else None,
        "source": _("Counts published by the province"),
    }
    return Table(columns, rows, meta, page={"groups": groups})


@reads(ProvinceCountFilterSet, "format")
@require_safe
def province(request):
    filterset = ProvinceCountFilterSet(request.GET)
    return _respond(
        request,
        "champions/province.html",
        "province",
        _province_table,
        filterset,
        heading=_("The city among the province's cities"),
    )


def _targets_table(filterset):
    columns = [
        Column("name", _("Target")),
        Column("goal", _("Goal")),
        Column("value", _("Reached")),
        Column("unit", _("Unit")),
        Column("percent", _("Per cent of the goal"), shown=PER_CENT),
        Column("deadline_year", _("Deadline")),
        Column("year", _("Figures of the year")),
        Column("note", _("Note")),
    ]
    rows = []
    rule = summaries.disclosure()
    progress = summaries.target_progress(rule)
    for target in progress:
        row = _target(target)
        row.update(goal=row["shown_goal"], value=row["shown_value"])
        rows.append(row)
    year = progress[0]["year"] if progress else None
    meta = {
        "source": _("Yearly figures reported by the firms"),
        "as_of": timezone.localdate(),
        "disclosure": rule.rules_text(year),
    }
    return Table(columns, rows, meta)


@reads(None, "format")
@require_safe
def targets(request):
    return _respond(
        request,
        "champions/targets.html",
        "targets",
        _targets_table,
        heading=_("Progress toward the targets"),
    )


def _seminar_table(filterset):
    """Published seminars with sponsors, experts and participants. Four queries."""
    public_titles = Designation.objects.filter(
        summaries.public_q(timezone.localdate()), enterprise_id=OuterRef("pk")
    )
    participants = Enterprise.objects.annotate(has_page=Exists(public_titles)).order_by(
        *NAME_ORDER, "id"
    )
    seminars = filterset.qs.prefetch_related(
        "sponsors", "experts", Prefetch("participants", queryset=participants)
    ).order_by("-held_on", "title")
    columns = [
        Column("held_on", _("Date")),
        Column("title", pgettext("seminar", "Title")),
        Column("place", _("Place")),
        Column("theme", _("Theme")),
        Column("sponsors", _("Sponsors")),
        Column("experts", _("Experts who spoke")),
        Column("participants", _("Participating firms")),
        Column("other_participants", _("Other participating firms (counted, not named)")),
        Column("summary", _("Summary")),
        Column("source", _("Source")),
    ]
    rows = []
    for seminar in seminars:
        # Only firms holding a public title are named (as on their own pages); the others,
        # a pending nominee or a revoked firm say, are only counted.
        participants = list(seminar.participants.all())
        firms = [
            {"name": firm.name, "url": reverse("champions:enterprise", args=[firm.pk])}
            for firm in participants
            if firm.has_page
        ]
        shown = _seminar(seminar)
        rows.append(
            {
                **shown,
                "summary": seminar.summary,
                "sponsors": _joined(shown["sponsors"]),
                "sponsor_list": shown["sponsors"],
                "experts": _joined(str(expert) for expert in seminar.experts.all()),
                "participants": _joined(firm["name"] for firm in firms),
                "participant_list": firms,
                "other_participants": len(participants) - len(firms),
            }
        )
    return Table(columns, rows, {"source": _("Seminars published by the bureau")})


@reads(SeminarFilterSet, "format")
@require_safe
def seminars(request):
    return _respond(
        request,
        "champions/seminar_list.html",
        "seminars",
        _seminar_table,
        SeminarFilterSet(request.GET),
        heading=_("Seminars"),
    )
