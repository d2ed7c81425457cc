"""The tiers the real programmes have, from ``champions/reference/tiers.csv``.

The CSV is the one source: this migration reads it (as 0002 does) and brings the tier table to
it. New tiers are created; existing ones get the CSV's names, level, kind, validity, authorities
and position, and their aliases become the CSV's followed by any other spelling the table already
had (a former official name among them) that no other tier of the CSV claims. The titles of a
tier whose validity changes get their standing derived again from their events, by the rules of
``champions.lifecycle``. A tier's batch numbering is taken from the CSV only while it has no
batches: the keys of the batches it has were made with it. Running it twice changes nothing.
"""

from django.db import migrations

from champions import lifecycle

FIELDS = (
    "name",
    "name_en",
    "level",
    "kind",
    "validity_years",
    "authority",
    "authority_en",
    "position",
    "aliases",
)
DERIVED = ("status", "held_from", "valid_until", "banned_until")
CHUNK = 2000


def values_of(row, position):
    """The tier's fields as the CSV row gives them. The CSV's ``authority`` column is the English
    name (0004 moved it to ``authority_en`` and wrote the Chinese one in ``authority``)."""
    return {
        "name": row["name_zh"],
        "name_en": row["name_en"],
        "level": row["level"],
        "kind": row["kind"],
        "authority": row["authority_zh"],
        "authority_en": row["authority"],
        "position": position,
        "validity_years": int(row["validity_years"]) if row["validity_years"] else None,
        "batch_numbering": row["batch_numbering"],
    }


def csv_aliases(row):
    return [alias for alias in row["aliases"].split("|") if alias]


def merged_aliases(tier, row, values, claimed, match_key):
    """The CSV's aliases, then the tier's other spellings (its former name included) that are
    neither spellings of this row already nor claimed by another row of the CSV."""
    aliases = csv_aliases(row)
    own = {match_key(s) for s in (row["code"], values["name"], values["name_en"], *aliases)}
    former = [tier.name] if tier is not None else []
    if tier is not None:
        former += [line.strip() for line in tier.aliases.splitlines() if line.strip()]
    for spelling in former:
        key = match_key(spelling)
        if key and key not in own and claimed.get(key, row["code"]) == row["code"]:
            aliases.append(spelling)
            own.add(key)
    return "\n".join(aliases)


def seed_tiers(apps, schema_editor=None):
    from champions.importing.cells import match_key
    from champions.reference import read_reference

    Tier = apps.get_model("champions", "Tier")
    Batch = apps.get_model("champions", "Batch")
    rows = read_reference("tiers")
    claimed = {}
    for row in rows:
        for spelling in (row["code"], row["name_zh"], row["name_en"], *csv_aliases(row)):
            claimed.setdefault(match_key(spelling), row["code"])
    existing = {tier.code: tier for tier in Tier.objects.all()}
    with_batches = set(Batch.objects.order_by().values_list("tier_id", flat=True).distinct())
    validity_changed = {}
    for position, row in enumerate(rows, start=1):
        tier = existing.get(row["code"])
        values = values_of(row, position)
        values["aliases"] = merged_aliases(tier, row, values, claimed, match_key)
        if tier is None:
            Tier.objects.create(code=row["code"], **values)
            continue
        fields = [*FIELDS] if tier.code in with_batches else [*FIELDS, "batch_numbering"]
        changed = [name for name in fields if getattr(tier, name) != values[name]]
        for name in changed:
            setattr(tier, name, values[name])
        if changed:
            tier.save(update_fields=changed)
        if "validity_years" in changed:
            validity_changed[tier.code] = tier.validity_years
    derive_again(apps, validity_changed)


def derive_again(apps, validity):
    """Derive the standing of the titles of the tiers in ``validity`` (code: validity in years)
    from their events again, as ``champions.services.designations.refresh`` does."""
    Designation = apps.get_model("champions", "Designation")
    Event = apps.get_model("champions", "DesignationEvent")
    designations = Designation.objects.filter(tier_id__in=list(validity)).order_by("pk")
    last = 0
    while validity and (chunk := list(designations.filter(pk__gt=last)[:CHUNK])):
        last = chunk[-1].pk
        events = {}
        chunk_events = Event.objects.filter(designation_id__in=[d.pk for d in chunk])
        for event in chunk_events.order_by("happened_on", "id"):
            events.setdefault(event.designation_id, []).append(
                lifecycle.Event(
                    event.kind,
                    event.happened_on,
                    event.outcome,
                    event.valid_until,
                    event.banned_until,
                )
            )
        for designation in chunk:
            derived = lifecycle.derive(
                events.get(designation.pk, []),
                validity_years=validity[designation.tier_id],
                year=designation.year,
            )
            for name in DERIVED:
                setattr(designation, name, getattr(derived, name))
        Designation.objects.bulk_update(chunk, DERIVED)


class Migration(migrations.Migration):
    dependencies = [("champions", "0006_title_lifecycle")]

    operations = [migrations.RunPython(seed_tiers, migrations.RunPython.noop)]
