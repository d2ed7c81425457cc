"""Renaming enterprises: the old name is kept as a former name, with the date of the change.

Official lists name a firm as it was called when they were published, so a renamed firm keeps
its old name for matching (``enterprise_matches``, the importer's ``match_enterprises``). Staff
in the admin rename one firm with ``rename``; the importer renames thousands at once with
``rename_many``. Both apply the same rule (``_plan``):

* the old name becomes a former name dated ``on``, the day of the change (``None``: not known);
* unless the firm already lists a former name with the same matching key: that one is kept, and
  only gets the date if it had none (a date learned later fills the gap, it never replaces a
  known one);
* a change the matching key does not see (brackets, spaces, full-width letters) records nothing.
"""

import contextlib
import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..history import recording_import_run
from ..models import Enterprise, FormerName
from ..text import name_key

#: Rows written, and enterprise ids looked up, per statement by ``rename_many``.
BATCH_SIZE = 5_000


@dataclass(frozen=True)
class Rename:
    """The enterprise ``enterprise_id`` was called ``old_name`` until ``on`` (``None``: the date
    is not known), and ``new_name`` from then on."""

    enterprise_id: int
    old_name: str
    new_name: str
    on: datetime.date | None = None


def rename(enterprise, new_name, *, on=None, user=None, import_run=None):
    """Rename ``enterprise`` to ``new_name`` on the day ``on``; return the ``FormerName``
    recorded or dated, or ``None`` when the rule records nothing.

    The old name is the stored one, read under a row lock, so the instance may already carry the
    new name (a change form's). The enterprise is saved as a whole: other changes made to the
    instance beforehand are saved with the name, in one history record. ``user`` and
    ``import_run`` are stamped on the history records.
    """
    new_name = new_name.strip()
    stamped = recording_import_run(import_run) if import_run else contextlib.nullcontext()
    with transaction.atomic(), stamped:
        stored = (
            Enterprise.objects.select_for_update()
            .filter(pk=enterprise.pk)
            .values_list("name", flat=True)
            .get()
        )
        listed = {enterprise.pk: _by_key(FormerName.objects.filter(enterprise_id=enterprise.pk))}
        created, dated = _plan([Rename(enterprise.pk, stored, new_name, on)], listed)
        for former in (*created, *dated):
            if user is not None:
                former._history_user = user
            former.save()
        enterprise.name = new_name
        if user is not None:
            enterprise._history_user = user
        enterprise.save()
    return next(iter((*created, *dated)), None)


def rename_many(renames, *, user=None, import_run=None, write_names=True):
    """Apply ``renames`` (``Rename``) in a few statements however many there are; return the ids
    of the enterprises whose former names were added or dated.

    Renames of one firm are applied in the order given (a firm renamed twice lists both old
    names); its name becomes the new name of the last one. With ``write_names=False`` only the
    former names are written: the importer's upsert writes the names, with the other columns of
    the file, in the same history record.
    """
    renames = list(renames)
    ids = list(dict.fromkeys(rename.enterprise_id for rename in renames))
    listed = {}
    for chunk in _chunks(ids):
        for firm_id, names in _grouped(FormerName.objects.filter(enterprise_id__in=chunk)).items():
            listed[firm_id] = names
    created, dated = _plan(renames, listed)
    history = {
        "default_user": user,
        "custom_historical_attrs": {"import_run_id": import_run.pk} if import_run else None,
    }
    bulk_create_with_history(created, FormerName, batch_size=BATCH_SIZE, **history)
    if dated:
        bulk_update_with_history(dated, FormerName, ["until"], batch_size=BATCH_SIZE, **history)
    if write_names:
        _write_names(renames, history)
    return {former.enterprise_id for former in (*created, *dated)}


def _plan(renames, listed):
    """The rule, for ``renames`` given the former names the firms list now (``{enterprise id:
    {name key: FormerName}}``, completed as it goes): ``(former names to create, listed former
    names to date)``."""
    created, dated = [], {}
    for rename in renames:
        old_name = rename.old_name.strip()
        key = name_key(old_name)
        if not key or key == name_key(rename.new_name):
            continue
        names = listed.setdefault(rename.enterprise_id, {})
        former = names.get(key)
        if former is None:
            former = FormerName(
                enterprise_id=rename.enterprise_id, name=old_name, name_key=key, until=rename.on
            )
            names[key] = former
            created.append(former)
        elif former.until is None and rename.on is not None:
            former.until = rename.on
            if former.pk is not None:
                dated[former.pk] = former
    return created, list(dated.values())


def _write_names(renames, history):
    new_names = {rename.enterprise_id: rename.new_name.strip() for rename in renames}
    now = timezone.now()
    for chunk in _chunks(list(new_names)):
        firms = list(Enterprise.objects.filter(pk__in=chunk).order_by("pk"))
        for firm in firms:
            firm.name = new_names[firm.pk]
            firm.name_key = name_key(firm.name)
            firm.updated_at = now
        bulk_update_with_history(
            firms,
            Enterprise,
            ["name", "name_key", "updated_at"],
            batch_size=BATCH_SIZE,
            **history,
        )


def _by_key(former_names):
    return {former.name_key: former for former in former_names}


def _grouped(former_names):
    grouped = {}
    for former in former_names:
        grouped.setdefault(former.enterprise_id, {})[former.name_key] = former
    return grouped


def _chunks(items):
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]
