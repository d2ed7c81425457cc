"""Recording designations and the events of their lives.

Every event goes through ``record_event``, and every stored status, term and ban is written by
``refresh`` from the designation's events with the rules of ``champions.lifecycle``, in the same
transaction: staff in the admin, an approved recommendation, the importer and the sample data
all come here, so a title's standing is never typed by hand and never disagrees with its events.
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from .. import lifecycle
from ..models import Designation, DesignationEvent, EventKind, Notice, Tier
from ..models.designations import product_key
from ..sql import day_before, make_date, years_after

#: The stored fields ``refresh`` derives.
DERIVED_FIELDS = ("status", "held_from", "valid_until", "banned_until", "document", "source")

#: Designations refreshed per query when many are (after an import).
REFRESH_CHUNK = 2000


def record_designation(*, enterprise, tier, batch=None, year, product="", **fields):
    """The designation for this enterprise, tier, batch and product, created if missing, as
    ``(designation, created)``; ``fields`` (``product_class``) are set on it.

    Approval of a recommendation and staff entries both come here, so a title entered by hand
    before the recommendation was approved is completed, not duplicated.
    """
    key = {"enterprise": enterprise, "tier": tier, "product_key": product_key(product)}
    if batch is not None:
        key["batch"] = batch
    else:
        key.update(batch=None, year=year)
    with transaction.atomic():
        designation = Designation.objects.select_for_update().filter(**key).first()
        if designation is None:
            designation = Designation(
                enterprise=enterprise, tier=tier, batch=batch, year=year, product=product, **fields
            )
            designation.full_clean(validate_unique=False, validate_constraints=False)
            designation.save()
            return designation, True
        changed = [name for name, value in fields.items() if getattr(designation, name) != value]
        for name in changed:
            setattr(designation, name, fields[name])
        if changed:
            designation.save(update_fields=[*changed, "updated_at"])
    return designation, False


def record_event(designation, kind, **facts):
    """Record an event of ``kind`` (``EventKind``) on ``designation`` and derive its standing
    again; return the event. ``facts`` are the event's fields: ``happened_on``, ``notice``,
    ``outcome``, ``valid_until``, ``banned_until``, ``name_on_list``, ``note``, ``recorded_by``,
    ``import_run``.

    Raises ``ValidationError`` (and records nothing) for an event the rules refuse: an outcome
    only on a review result and always there, a ban only on a revocation, the same event twice.
    """
    with transaction.atomic():
        locked = Designation.objects.select_for_update().get(pk=designation.pk)
        event = DesignationEvent(designation=locked, kind=kind, **facts)
        _check(event)
        event.full_clean(exclude=["designation"])
        event.save()
        refresh([locked.pk])
    designation.refresh_from_db(fields=[*DERIVED_FIELDS, "updated_at"])
    return event


def _check(event):
    """The rules of an event that its form and the database both hold, in the words of the
    first; checked here so that every way in gives the same message."""
    if event.kind == EventKind.REVIEW_RESULT and not event.outcome:
        raise ValidationError(
            {"outcome": _("A review result needs its outcome.")}, code="outcome_missing"
        )
    if event.kind != EventKind.REVIEW_RESULT and event.outcome:
        raise ValidationError(
            {"outcome": _("Only a review result has an outcome.")}, code="outcome_not_review"
        )
    if event.banned_until and event.kind != EventKind.REVOCATION:
        raise ValidationError(
            {"banned_until": _("Only a revocation bans applying again.")}, code="ban_not_revoked"
        )
    if event.valid_until and event.kind not in (EventKind.AWARD, EventKind.REVIEW_RESULT):
        raise ValidationError(
            {"valid_until": _("Only an award or a review result states the end of a term.")},
            code="term_not_awarded",
        )
    same = DesignationEvent.objects.filter(
        designation=event.designation,
        kind=event.kind,
        happened_on=event.happened_on,
        outcome=event.outcome,
    )
    if same.exists():
        raise ValidationError(
            _("This event is already recorded on the title."), code="event_recorded"
        )


def refresh(designation_ids):
    """Derive and store the standing of the designations ``designation_ids`` from their events:
    two queries and one bulk update per ``REFRESH_CHUNK`` designations."""
    ids = sorted(set(designation_ids))
    for start in range(0, len(ids), REFRESH_CHUNK):
        chunk = ids[start : start + REFRESH_CHUNK]
        designations = list(
            Designation.objects.filter(pk__in=chunk)
            .select_related("tier")
            .only("id", "year", "tier__validity_years", *DERIVED_FIELDS)
        )
        events = {}
        for event in (
            DesignationEvent.objects.filter(designation_id__in=chunk)
            .select_related("notice")
            .order_by("happened_on", "id")
        ):
            events.setdefault(event.designation_id, []).append(event)
        changed = [d for d in designations if derive_onto(d, events.get(d.pk, []))]
        if changed:
            Designation.objects.bulk_update(changed, DERIVED_FIELDS)


def refresh_where(ids_sql, params=()):
    """``refresh`` of the designations whose ids ``ids_sql`` selects, for an import's hundreds
    of thousands: set-based for the titles whose events are an award (dated or not, at most
    one) and publicity lists, by the SQL twin of ``champions.lifecycle.derive`` for those
    events; ``refresh`` for the others (reviews, revocations, lists published twice), fewer by
    far. ``tests/test_lifecycle_sql.py`` holds the two to the same results."""
    d_table, e_table = _table(Designation), _table(DesignationEvent)
    n_table, t_table = _table(Notice), _table(Tier)
    # What each title's events are, counted once: awards, reviews or revocations, any other
    # than a publicity list. A title with one award and no review or revocation, or with
    # publicity lists only, is derived here; every other goes through ``refresh``.
    counts = (
        f"SELECT designation_id, "
        f"SUM(CASE WHEN kind = '{EventKind.AWARD}' THEN 1 ELSE 0 END) AS awards, "
        f"SUM(CASE WHEN kind IN ('{EventKind.REVIEW_RESULT}', '{EventKind.REVOCATION}') "
        "THEN 1 ELSE 0 END) AS ended, "
        f"SUM(CASE WHEN kind <> '{EventKind.PUBLICITY}' THEN 1 ELSE 0 END) AS listed_only "
        f"FROM {e_table} WHERE designation_id IN ({ids_sql}) GROUP BY designation_id"
    )
    validity = "t.validity_years"
    computed = (
        f"CASE WHEN {validity} IS NULL THEN NULL "
        f"WHEN a.happened_on IS NULL THEN {make_date(f'd.year + {validity} - 1', 12, 31)} "
        f"ELSE {years_after(day_before('a.happened_on'), validity)} END"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {d_table} AS d SET status = %s, "
            f"held_from = COALESCE(a.happened_on, {make_date('d.year', 1, 1)}), "
            f"valid_until = COALESCE(a.valid_until, {computed}), banned_until = NULL, "
            "document = COALESCE(n.document, d.document), source = COALESCE(n.source, d.source) "
            f"FROM ({counts}) AS c JOIN {e_table} AS a ON a.designation_id = c.designation_id "
            f"LEFT JOIN {n_table} AS n ON n.id = a.notice_id, {t_table} AS t "
            "WHERE d.id = c.designation_id AND c.awards = 1 AND c.ended = 0 AND a.kind = %s "
            "AND t.code = d.tier_id",
            [lifecycle.FINAL, *params, EventKind.AWARD],
        )
        cursor.execute(
            f"UPDATE {d_table} AS d SET status = %s, held_from = NULL, valid_until = NULL, "
            f"banned_until = NULL FROM ({counts}) AS c "
            "WHERE d.id = c.designation_id AND c.listed_only = 0",
            [lifecycle.PUBLICIZED, *params],
        )
        cursor.execute(
            f"SELECT designation_id FROM ({counts}) AS c "
            "WHERE NOT (c.awards = 1 AND c.ended = 0) AND c.listed_only > 0",
            list(params),
        )
        others = [pk for (pk,) in cursor.fetchall()]
    refresh(others)


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def derive_onto(designation, events):
    """Set ``designation``'s derived fields from ``events`` (its tier loaded), without saving;
    return whether any changed. ``refresh`` saves what it derives; the sample data derives its
    titles before inserting them."""
    derived = lifecycle.derive(
        [event.facts() for event in events],
        validity_years=designation.tier.validity_years,
        year=designation.year,
    )
    notice = _latest_notice(events)
    values = {
        "status": derived.status,
        "held_from": derived.held_from,
        "valid_until": derived.valid_until,
        "banned_until": derived.banned_until,
        "document": notice.document if notice else designation.document,
        "source": notice.source if notice else designation.source,
    }
    changed = any(getattr(designation, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(designation, name, value)
    return changed


#: Events whose notice a title's document number and address are shown from: the lists that
#: start its term.
_TERM_EVENTS = (EventKind.AWARD, EventKind.REVIEW_RESULT)


def _latest_notice(events):
    """The notice of the latest award or review result that has one: the list the title's
    current term comes from (its document number and address are shown with the title)."""
    listed = [e for e in events if e.notice_id and e.kind in _TERM_EVENTS]
    return listed[-1].notice if listed else None


def award(enterprise, tier, *, batch=None, year, product="", happened_on=None, **facts):
    """A designation of ``tier`` with its award recorded (a staff entry unless ``facts`` give
    the notice): the way titles are entered by hand, by approval and in the sample data."""
    with transaction.atomic():
        designation, _created = record_designation(
            enterprise=enterprise, tier=tier, batch=batch, year=year, product=product
        )
        if not designation.events.filter(kind=EventKind.AWARD).exists():
            record_event(designation, EventKind.AWARD, happened_on=happened_on, **facts)
        designation.refresh_from_db()
    return designation


def bans_on(enterprise, tier, on):
    """The revocation bans of ``enterprise`` for ``tier`` still running on ``on``: the days
    they end, latest first."""
    return list(
        Designation.objects.filter(enterprise=enterprise, tier=tier, banned_until__gte=on)
        .order_by("-banned_until")
        .values_list("banned_until", flat=True)
    )
