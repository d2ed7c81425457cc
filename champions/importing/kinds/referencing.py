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
        return enterprise_reference_columns(self.references)

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
        match_enterprises(staging, "enterprise_id", self.errors, self.header.label)
        if self.create_missing:
            self.created_elsewhere += create_missing_enterprises(
                staging,
                self.errors,
                self.header.label,
                self.references.city_code,
                import_run,
                user,
            )
            match_enterprises(staging, "enterprise_id", self.errors, self.header.label)
        unknown = staging.fetch(
            "SELECT line, credit_code, name FROM {stg} WHERE enterprise_id IS NULL ORDER BY line"
        )
        for line, code, name in unknown:
            column = "credit_code" if code and not name else "name"
            self.errors.add(
                line,
                self.header.label(column),
                _("unknown enterprise; import it first or use --create-missing"),
                name or code,
            )
        staging.remove([line for line, *_rest in unknown])


def create_missing_enterprises(staging, errors, label, city_code, import_run, user):
    """Create the firms named by rows that found none, one per name; return how many.

    A row that gives only a credit code cannot create a firm (a firm needs a name).
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
    staging.remove([line for line, _code in nameless])
    firms = Staging(
        f"{staging.name}_new_firms",
        [
            ("credit_code", "varchar(18)"),
            ("name", "varchar(200)"),
            ("name_key", "varchar(200)"),
            ("region_id", "varchar(6)"),
        ],
    ).create()
    firms.execute(
        "INSERT INTO {stg} (line, credit_code, name, name_key, region_id) "
        f"SELECT line, credit_code, name, name_key, COALESCE(region_id, %s) FROM {staging.table} "
        f"WHERE line IN (SELECT MIN(line) FROM {staging.table} WHERE enterprise_id IS NULL "
        "GROUP BY name_key)",
        [city_code],
    )
    upsert = Upsert(Enterprise, firms, ["credit_code", "name", "name_key", "region_id"])
    upsert.write(import_run, user)
    created, _updated, _unchanged = upsert.counts()
    firms.drop()
    return created
