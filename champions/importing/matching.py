"""Finding the enterprise a row means: by credit code, else by the key of a current or former
name. One implementation for every kind of file, run as SQL against the staging table so that it
costs a few statements whether the file has ten rows or a million.
"""

from django.utils.translation import gettext as _

from ..models import Enterprise, FormerName, Region
from .staging import quote

ENTERPRISE = quote(Enterprise._meta.db_table)
FORMER_NAME = quote(FormerName._meta.db_table)
REGION = quote(Region._meta.db_table)


def match_enterprises(staging, into, errors, labels, *, by_code=True, keep_current_names=False):
    """Fill ``staging.into`` with the id of the enterprise each row means, where there is one.

    The staging table has ``credit_code`` and ``name_key`` columns (either may be missing or
    NULL) and optionally ``region_id``, which only breaks ties between firms sharing a name.
    Rows whose name fits several firms, or whose credit code contradicts the firm their name
    found, are reported in ``errors`` and removed. ``labels`` maps a column to its header.

    With ``keep_current_names``, rows found by a former name get no name: a list of that time
    does not rename the firm back. ``by_code=False`` leaves out the search by credit code, for a
    caller that has done it already.
    """
    target = quote(into)
    if by_code and "credit_code" in staging:
        staging.execute(
            f"UPDATE {{stg}} SET {target} = e.id FROM {ENTERPRISE} AS e "
            f"WHERE {{stg}}.{target} IS NULL AND e.credit_code = {{stg}}.credit_code"
        )
    if "name_key" not in staging or not staging.fetch(
        f"SELECT 1 FROM {{stg}} WHERE {target} IS NULL AND name_key IS NOT NULL LIMIT 1"
    ):
        return
    region = "s.region_id" if "region_id" in staging else "NULL"
    candidates = quote(f"{staging.name}_candidates")
    staging.execute(f"DROP TABLE IF EXISTS {candidates}")
    staging.execute(
        f"CREATE TEMPORARY TABLE {candidates} AS "
        f"SELECT DISTINCT s.line AS line, k.enterprise_id AS enterprise_id, "
        f"CASE WHEN e.region_id = {region} OR r.parent_id = {region} THEN 1 ELSE 0 END "
        "AS in_region "
        f"FROM {{stg}} AS s JOIN (SELECT id AS enterprise_id, name_key FROM {ENTERPRISE} "
        f"UNION SELECT enterprise_id, name_key FROM {FORMER_NAME}) AS k "
        f"ON k.name_key = s.name_key JOIN {ENTERPRISE} AS e ON e.id = k.enterprise_id "
        f"JOIN {REGION} AS r ON r.code = e.region_id WHERE s.{target} IS NULL"
    )
    # One firm has the name; or several do, and exactly one of them is in the row's region.
    staging.execute(
        f"UPDATE {{stg}} SET {target} = m.enterprise_id FROM ("
        f"SELECT line, MIN(enterprise_id) AS enterprise_id FROM {candidates} "
        "GROUP BY line HAVING COUNT(*) = 1 "
        f"UNION ALL SELECT line, MIN(enterprise_id) FROM {candidates} WHERE in_region = 1 "
        f"AND line IN (SELECT line FROM {candidates} GROUP BY line HAVING COUNT(*) > 1) "
        "GROUP BY line HAVING COUNT(*) = 1"
        f") AS m WHERE {{stg}}.line = m.line"
    )
    ambiguous = staging.fetch(
        f"SELECT c.line, e.name, e.credit_code FROM {candidates} AS c "
        f"JOIN {ENTERPRISE} AS e ON e.id = c.enterprise_id JOIN {{stg}} AS s ON s.line = c.line "
        f"WHERE s.{target} IS NULL ORDER BY c.line, e.name, e.id"
    )
    firms_by_line = {}
    for line, name, code in ambiguous:
        firms_by_line.setdefault(line, []).append(f"{name} {code or ''}".strip())
    for line, firms in firms_by_line.items():
        errors.add(
            line,
            labels("name"),
            _("the name fits several enterprises: %(firms)s; give the credit code")
            % {"firms": "; ".join(firms)},
        )
    staging.remove(firms_by_line)
    # Only rows found by name can contradict their firm's code, or carry an old name.
    found_by_name = f"{{stg}}.line IN (SELECT line FROM {candidates})"
    if "credit_code" in staging:
        conflicts = staging.fetch(
            f"SELECT {{stg}}.line, {{stg}}.credit_code, e.name, e.credit_code FROM {{stg}} "
            f"JOIN {ENTERPRISE} AS e ON e.id = {{stg}}.{target} WHERE {found_by_name} "
            "AND {stg}.credit_code IS NOT NULL AND e.credit_code IS NOT NULL "
            "AND e.credit_code <> {stg}.credit_code"
        )
        for line, code, name, stored in conflicts:
            errors.add(
                line,
                labels("credit_code"),
                _("the name is that of %(name)s, whose credit code is %(stored)s")
                % {"name": name, "stored": stored},
                code,
            )
        staging.remove([line for line, *_rest in conflicts])
    if keep_current_names:
        staging.execute(
            f"UPDATE {{stg}} SET name = NULL, name_key = NULL FROM {ENTERPRISE} AS e "
            f"WHERE e.id = {{stg}}.{target} AND {found_by_name} "
            "AND {stg}.name_key <> e.name_key"
        )
    staging.execute(f"DROP TABLE {candidates}")
