"""Recording designations."""

from ..models import Designation


def record_designation(*, enterprise, tier, batch=None, year, product="", **fields):
    """Create the designation for this enterprise, tier, batch and product, or update the one
    that exists, and return ``(designation, created)``.

    Approval of a recommendation and the importer both come here, so a title entered by hand
    before the recommendation was approved is completed, not duplicated.
    """
    key = {"enterprise": enterprise, "tier": tier, "product": product}
    if batch is not None:
        key["batch"] = batch
    else:
        key.update(batch=None, year=year)
    designation = Designation.objects.select_for_update().filter(**key).first()
    if designation is None:
        designation = Designation(**key, year=year, **fields)
        designation.batch = batch
        designation.full_clean(validate_unique=False, validate_constraints=False)
        designation.save()
        return designation, True
    changed = [name for name, value in fields.items() if getattr(designation, name) != value]
    for name in changed:
        setattr(designation, name, fields[name])
    if changed:
        designation.save(update_fields=[*changed, "updated_at"])
    return designation, False
