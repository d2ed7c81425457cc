"""CSV export of every kind ``import_csv`` reads, in the same columns, so a file goes both ways.

Files are UTF-8 with a byte-order mark (Excel opens them), carry natural keys only (credit codes,
names, region and tier codes, batches as 2021年第6批), never database ids, and list rows in an
order that depends on the data alone: exporting, importing into an empty database and exporting
again gives the same bytes. Cells a spreadsheet would run as a formula are prefixed with ``'``,
which the import removes again.
"""

import csv
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Collate

from .importing.cells import escape_formula
from .importing.errors import ErrorLog
from .importing.kinds import KINDS
from .importing.kinds.enterprises import NAME_SEPARATOR
from .importing.kinds.seminars import LIST_SEPARATOR, expert_label, participant_label
from .importing.kinds.titles import EXPORTED_STATUS
from .importing.references import References
from .models import (
    Designation,
    DesignationEvent,
    Enterprise,
    FormerName,
    ProvinceCount,
    Recommendation,
    Seminar,
    StageMove,
    YearlyFigures,
)
from .models.figures import ELIGIBILITY_FIGURES, REPORTED_FIGURES

#: Rows fetched from the database at a time.
CHUNK_SIZE = 2000


def text_order(field):
    """Order by ``field`` the same way on every database: by code point, not by locale."""
    collation = "C" if connection.vendor == "postgresql" else "BINARY"
    return Collate(F(field), collation).asc(nulls_first=True)


def batch_label(batch):
    return f"{batch.year}年第{batch.number}批" if batch else ""


def cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value, "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return escape_formula(str(value))


@dataclass(frozen=True)
class Export:
    """The columns of one kind's file, the model whose rows it lists, and how to get its rows,
    in order.

    ``rows(queryset=None)`` yields one tuple of values per row; ``queryset`` (of ``model``)
    restricts the file to those records, as the admin's export of a filtered list does. The
    file's order and cells stay the file's own: the queryset's ordering is replaced.
    """

    columns: tuple
    rows: object
    model: type


def _all(model, queryset):
    return model._default_manager.all() if queryset is None else queryset


def _enterprises(queryset=None):
    firms = (
        _all(Enterprise, queryset)
        .order_by(text_order("name"), text_order("credit_code"))
        .values_list(
            "pk", "credit_code", "name", "region_id", "industry_id", "main_product", "founded"
        )
    )
    for chunk in _chunks(firms.iterator(chunk_size=CHUNK_SIZE)):
        # One query per chunk for the former names, instead of a queryset per firm.
        former = {}
        for enterprise_id, name in (
            FormerName.objects.filter(enterprise_id__in=[row[0] for row in chunk])
            .order_by(text_order("name"))
            .values_list("enterprise_id", "name")
        ):
            former.setdefault(enterprise_id, []).append(name)
        for pk, code, name, region, industry, product, founded in chunk:
            yield (
                code,
                name,
                NAME_SEPARATOR.join(former.get(pk, ())),
                region,
                industry,
                product,
                founded,
            )


def _chunks(rows):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK_SIZE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _enterprise_order(prefix="enterprise__"):
    return (text_order(f"{prefix}name"), text_order(f"{prefix}credit_code"))


def _designations(queryset=None):
    """One row per event of every title (of the titles of ``queryset``), in the order of their
    lives: imported into an empty registry, the rows give back the same titles, events and
    standing."""
    events = DesignationEvent.objects.all()
    if queryset is not None:
        events = events.filter(designation__in=queryset)
    queryset = (
        events.select_related("designation__enterprise", "designation__batch", "notice")
        .order_by(
            text_order("designation__tier_id"),
            "designation__year",
            F("designation__batch__year").asc(nulls_first=True),
            F("designation__batch__number").asc(nulls_first=True),
            *_enterprise_order("designation__enterprise__"),
            text_order("designation__product"),
            F("happened_on").asc(nulls_first=True),
            "kind",
            "outcome",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for event in queryset:
        title, notice = event.designation, event.notice
        yield (
            title.enterprise.credit_code,
            title.enterprise.name,
            title.tier_id,
            batch_label(title.batch),
            title.year,
            title.product,
            title.product_class,
            EXPORTED_STATUS[event.kind],
            event.outcome,
            event.happened_on,
            event.valid_until,
            notice.document if notice else "",
            notice.source if notice else "",
        )


def _recommendations(queryset=None):
    last_move = StageMove.objects.filter(recommendation=OuterRef("pk")).order_by("-moved_at", "-id")
    queryset = (
        _all(Recommendation, queryset)
        .select_related("enterprise", "batch")
        .annotate(last_moved_on=Subquery(last_move.values("happened_on")[:1]))
        .order_by(
            text_order("batch__tier_id"),
            "batch__year",
            "batch__number",
            *_enterprise_order(),
            text_order("product"),
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for nomination in queryset:
        yield (
            nomination.enterprise.credit_code,
            nomination.enterprise.name,
            nomination.batch.tier_id,
            batch_label(nomination.batch),
            nomination.product,
            nomination.stage,
            nomination.ended_at_stage,
            nomination.last_moved_on,
            nomination.note,
        )


FIGURES = REPORTED_FIGURES


def _figures(queryset=None):
    queryset = (
        _all(YearlyFigures, queryset)
        .select_related("enterprise")
        .order_by("year", *_enterprise_order())
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for figures in queryset:
        yield (
            figures.enterprise.credit_code,
            figures.enterprise.name,
            figures.year,
            *(getattr(figures, name) for name in FIGURES),
            figures.size_class,
            *(getattr(figures, name) for name in ELIGIBILITY_FIGURES),
        )


def _seminars(queryset=None):
    queryset = (
        _all(Seminar, queryset)
        .prefetch_related("sponsors", "experts", "participants")
        .order_by("held_on", text_order("title"))
    )
    for seminar in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield (
            seminar.title,
            seminar.held_on,
            seminar.place,
            seminar.theme,
            _joined(sponsor.name for sponsor in seminar.sponsors.all()),
            _joined(expert_label(expert) for expert in seminar.experts.all()),
            _joined(participant_label(firm) for firm in seminar.participants.all()),
            seminar.summary,
            seminar.source,
            seminar.is_published,
        )


def _joined(labels):
    """A list cell in code-point order, like every other ordering of the export."""
    return LIST_SEPARATOR.join(sorted(labels))


def _province(queryset=None):
    queryset = _all(ProvinceCount, queryset).order_by(
        text_order("tier_id"), "year", text_order("measure"), text_order("region_id")
    )
    for count in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield (count.region_id, count.tier_id, count.year, count.measure, count.count, count.source)


EXPORTS = {
    "enterprises": Export(
        (
            "credit_code",
            "name",
            "former_names",
            "region",
            "industry",
            "main_product",
            "founded",
        ),
        _enterprises,
        Enterprise,
    ),
    "designations": Export(
        (
            "credit_code",
            "name",
            "tier",
            "batch",
            "year",
            "product",
            "product_class",
            "status",
            "review_result",
            "announced",
            "valid_until",
            "document",
            "source",
        ),
        _designations,
        Designation,
    ),
    "recommendations": Export(
        (
            "credit_code",
            "name",
            "tier",
            "batch",
            "product",
            "stage",
            "ended_at_stage",
            "date",
            "note",
        ),
        _recommendations,
        Recommendation,
    ),
    "figures": Export(
        ("credit_code", "name", "year", *FIGURES, "size_class", *ELIGIBILITY_FIGURES),
        _figures,
        YearlyFigures,
    ),
    "seminars": Export(
        (
            "title",
            "held_on",
            "place",
            "theme",
            "sponsors",
            "experts",
            "participants",
            "summary",
            "source",
            "is_published",
        ),
        _seminars,
        Seminar,
    ),
    "province": Export(
        ("region", "tier", "year", "measure", "count", "source"), _province, ProvinceCount
    ),
}

#: The order in which a full set of exports imports back: firms before what refers to them,
#: recommendations before designations (an approval creates a designation the designations
#: file then completes).
IMPORT_ORDER = ("enterprises", "recommendations", "designations", "figures", "seminars", "province")


def headers(kind, chinese=False):
    """The header row: the English column names (with the unit of amounts), or the official
    Chinese labels; the import's columns say which."""
    columns = {column.name: column for column in _import_columns(kind)}
    return [
        columns[name].labels[0] if chinese else columns[name].english or name
        for name in EXPORTS[kind].columns
    ]


def _import_columns(kind):
    return KINDS[kind](References(), ErrorLog()).columns()


#: What every file starts with: the byte-order mark, so that Excel reads it as UTF-8.
BOM = "\ufeff"


class _Returned:
    """A "file" whose ``write`` returns what it is given: ``csv.writer.writerow`` then returns
    the line it wrote, so lines can be streamed instead of written."""

    def write(self, text):
        return text


def csv_lines(header, rows, cell=cell):
    """The text of a CSV file, one line at a time: the byte-order mark and ``header``, then
    each of ``rows`` with its values written by ``cell``."""
    writer = csv.writer(_Returned(), lineterminator="\r\n")
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def kind_lines(kind, queryset=None, *, chinese_headers=False):
    """The lines of the file of ``kind`` (of the records of ``queryset``, when given)."""
    return csv_lines(headers(kind, chinese_headers), EXPORTS[kind].rows(queryset))


def export_csv(kind, stream, *, chinese_headers=False, queryset=None):
    """Write ``kind`` as CSV to the text ``stream`` (opened with ``newline=""``); return the
    number of rows. ``queryset`` (of the kind's ``model``) exports only those records."""
    lines = kind_lines(kind, queryset, chinese_headers=chinese_headers)
    stream.write(next(lines))
    count = 0
    for line in lines:
        stream.write(line)
        count += 1
    return count
