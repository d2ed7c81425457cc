"""Kinds whose rows name an enterprise: designations, recommendations, yearly figures."""

from django.utils.translation import gettext as _

from ...models import Enterprise
from ..matching import match_enterprises
from ..staging import Staging
from ..upsert import Upsert
from .base import Kind
from .enterprises import add_name_key, enterprise_reference_columns


class ReferencingKind(Kind):
    """A kind with the enterprise columns (credit code and/or name, optional region).

    The enterprise is found like in an enterprises file; a firm the registry does not know is an
    error, or with ``--create-missing`` is created from the row's name, code and region.
    """

    def enterprise_columns(self):
        return enterprise_reference_columns(self.area.region_parser(self.references.region))

    def derived_columns(self):
        return [
            ("credit_code", "varchar(18)"),
            ("name", "varchar(200)"),
            ("name_key", "varchar(200)"),
            ("region_id", "varchar(6)"),
            ("enterprise_id", "bigint"),
        ]

    def complete(self, row, line):
        add_name_key(row)
        return True

    def resolve(self, staging, upsert, import_run, user):
        self.skip_outside(staging)
        match_enterprises(staging, "enterprise_id", self.errors, self.header.label)
        if self.create_missing:
            created = create_missing_enterprises(
                staging, self.errors, self.header.label, import_run, user
            )
            self.created_firms += created
            self.created_elsewhere += len(created)
            match_enterprises(staging, "enterprise_id", self.errors, self.header.label)
        unknown = staging.fetch(
            "SELECT line, credit_code, name FROM {stg} WHERE enterprise_id IS NULL ORDER BY line"
        )
        for line, code, name in unknown:
            if self.known_only:
                self.not_found.append((line, name or code, self.area.possibly_ours(name or "")))
                continue
            column = "credit_code" if code and not name else "name"
            self.errors.add(
                line,
                self.header.label(column),
                _(
                    "unknown enterprise; import it first, or use --create-missing (or "
                    "--known-only to read the list against the registry)"
                ),
                name or code,
            )
        staging.remove([line for line, *_rest in unknown])


def create_missing_enterprises(staging, errors, label, import_run, user):
    """Create the firms named by rows that found none, one per name; return ``[(line,
    name)]`` of those created.

    A new firm needs a name and a region the row gives (or ``--region``): the registry never
    places a firm in the city by default, since a list's firms may be anywhere.
    """
    nameless = staging.fetch(
        "SELECT line, credit_code FROM {stg} WHERE enterprise_id IS NULL AND name_key IS NULL"
    )
    for line, code in nameless:
        errors.add(
            line,
            label("credit_code"),
            _("unknown credit code; a new enterprise needs a name"),
            code,
        )
    placeless = staging.fetch(
        "SELECT line, name FROM {stg} WHERE enterprise_id IS NULL AND name_key IS NOT NULL "
        "AND region_id IS NULL"
    )
    for line, name in placeless:
        errors.add(
            line,
            label("region"),
            _(
                "a new enterprise needs its region, and this row gives none; add a region "
                "column (所属区县) or give --region"
            ),
            name,
        )
    staging.remove([line for line, _code in nameless + placeless])
    columns = ["credit_code", "name", "name_key", "region_id"]
    # A list's 主营产品 is the firm's: the firms it creates get it.
    columns += ["main_product"] if "main_product" in staging else []
    firms = Staging(
        f"{staging.name}_new_firms",
        [(column, "varchar(200)") for column in columns],
    ).create()
    listed = ", ".join(columns)
    selected = listed.replace("main_product", "COALESCE(main_product, '')")
    firms.execute(
        f"INSERT INTO {{stg}} (line, {listed}) SELECT line, {selected} FROM {staging.table} "
        f"WHERE line IN (SELECT MIN(line) FROM {staging.table} WHERE enterprise_id IS NULL "
        "GROUP BY name_key)"
    )
    upsert = Upsert(Enterprise, firms, columns)
    upsert.write(import_run, user)
    created = firms.fetch("SELECT line, name FROM {stg} WHERE created = 1 ORDER BY line")
    firms.drop()
    return created
