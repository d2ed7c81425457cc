"""The reference lists the registry starts with (GB/T 2260 regions, industries, tiers).

Read by the data migrations that seed a fresh database and bring an existing one to them, and by
tests. The ``aliases`` columns hold the other spellings lists use, separated by ``|``.
"""

import csv
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent


def read_reference(name):
    """Rows of ``<name>.csv`` as dicts, in file order."""
    with open(REFERENCE_DIR / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def aliases_of(row):
    """The other spellings of a CSV row, as the model's ``aliases`` field keeps them."""
    return "\n".join(alias for alias in row["aliases"].split("|") if alias)


def seed_reference_data(apps):
    """Create the regions, industries and tiers that do not exist yet; never overwrite edits.

    It runs in migration 0002, on the models of that day: regions had no aliases yet, and
    ``seed_region_aliases`` (migration 0009) gives them theirs, in a new database as in an old.
    """
    Industry = apps.get_model("champions", "Industry")
    Tier = apps.get_model("champions", "Tier")
    seed_regions(apps)
    for position, row in enumerate(read_reference("industries"), start=1):
        Industry.objects.get_or_create(
            code=row["code"],
            defaults={
                "name": row["name_zh"],
                "name_en": row["name_en"],
                "group": row["group"],
                "position": position,
            },
        )
    for position, row in enumerate(read_reference("tiers"), start=1):
        Tier.objects.get_or_create(
            code=row["code"],
            defaults={
                "name": row["name_zh"],
                "name_en": row["name_en"],
                "level": row["level"],
                "kind": row["kind"],
                "validity_years": int(row["validity_years"]) if row["validity_years"] else None,
                "authority": row["authority"],
                "aliases": aliases_of(row),
                "position": position,
            },
        )


def seed_regions(apps):
    """Create the regions of ``regions.csv`` that do not exist yet (0002, and 0009 for the
    provinces added later: a national list names firms of every province)."""
    Region = apps.get_model("champions", "Region")
    for row in read_reference("regions"):
        Region.objects.get_or_create(
            code=row["code"],
            defaults={
                "name": row["name_zh"],
                "name_en": row["name_en"],
                "level": row["level"],
                "parent_id": row["parent_code"] or None,
            },
        )


def seed_region_aliases(apps):
    """Give each region without other spellings those of ``regions.csv``; staff's are kept."""
    Region = apps.get_model("champions", "Region")
    for row in read_reference("regions"):
        if aliases := aliases_of(row):
            Region.objects.filter(code=row["code"], aliases="").update(aliases=aliases)


def read_criteria():
    """The eligibility criteria of ``criteria.json``: ``{"versions": [...]}``, each version with
    its tier, name, document, source, the kinds and days it applies on (``applies``) and its
    conditions (``kinds`` limits a condition to some of them)."""
    import json

    with open(REFERENCE_DIR / "criteria.json", encoding="utf-8") as handle:
        return json.load(handle)


def criteria_rows(version, kind):
    """The conditions of a version of ``criteria.json`` for ``kind``, as ``Condition`` fields,
    with their positions."""
    return [
        {
            "position": position,
            "code": condition["code"],
            "label": condition["label"],
            "label_en": condition.get("label_en", ""),
            "form": condition["form"],
            "spec": condition["spec"],
            "waivable": condition.get("waivable", False),
        }
        for position, condition in enumerate(
            (c for c in version["conditions"] if kind in c.get("kinds", (kind,))), start=1
        )
    ]


def seed_criteria(apps):
    """Create the rule versions of ``criteria.json`` that do not exist yet (by tier, kind and
    first day), with their conditions; a version already there, staff's edits included, is left
    as it is. Tiers the table no longer has are skipped."""
    import datetime

    Tier = apps.get_model("champions", "Tier")
    RuleVersion = apps.get_model("champions", "RuleVersion")
    Condition = apps.get_model("champions", "Condition")
    tiers = set(Tier.objects.values_list("code", flat=True))
    for version in read_criteria()["versions"]:
        if version["tier"] not in tiers:
            continue
        for applies in version["applies"]:
            rule_version, created = RuleVersion.objects.get_or_create(
                tier_id=version["tier"],
                kind=applies["kind"],
                applies_from=datetime.date.fromisoformat(applies["from"]),
                defaults={
                    "name": version["name"],
                    "document": version["document"],
                    "source": version["source"],
                    "applies_to": applies["to"] and datetime.date.fromisoformat(applies["to"]),
                },
            )
            if created:
                Condition.objects.bulk_create(
                    Condition(rule_version=rule_version, **row)
                    for row in criteria_rows(version, applies["kind"])
                )
