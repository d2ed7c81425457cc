"""The reference lists the registry starts with (GB/T 2260 regions, industries, tiers).

Read by the data migration that seeds a fresh database, and by tests.
"""

import csv
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent


def read_reference(name):
    """Rows of ``<name>.csv`` as dicts, in file order."""
    with open(REFERENCE_DIR / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def seed_reference_data(apps):
    """Create the regions, industries and tiers that do not exist yet; never overwrite edits."""
    Region = apps.get_model("champions", "Region")
    Industry = apps.get_model("champions", "Industry")
    Tier = apps.get_model("champions", "Tier")
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
                "aliases": "\n".join(a for a in row["aliases"].split("|") if a),
                "position": position,
            },
        )
