"""The staff groups and what each may do, declared once.

- **Data entry** keeps the records: view, add and change everything, delete nothing; may import.
- **Reviewer** decides on recommendations: views everything, moves recommendations between stages.
- **Viewer** reads everything and changes nothing.

``ensure_groups`` runs after every ``migrate`` and sets each group's permissions to exactly
these, so a changed definition reaches existing databases too.
"""

from django.apps import apps as global_apps

DATA_ENTRY = "Data entry"
REVIEWER = "Reviewer"
VIEWER = "Viewer"

#: Models whose rows are written only by services, never through a form.
_SERVICE_WRITTEN = {"stagemove", "importrun", "designationevent"}


def _registry_models(app_config):
    return [
        model
        for model in app_config.get_models()
        if not model._meta.model_name.startswith("historical")
    ]


def group_permissions(app_config):
    """Map each group name to the set of ``(app_label, codename)`` it should hold."""
    label = app_config.label
    models = _registry_models(app_config)
    view = {(label, f"view_{m._meta.model_name}") for m in models}
    data_entry = set(view)
    for model in models:
        name = model._meta.model_name
        if name not in _SERVICE_WRITTEN:
            data_entry |= {(label, f"add_{name}"), (label, f"change_{name}")}
    data_entry.add((label, "run_import"))
    reviewer = view | {(label, "change_recommendation"), (label, "move_recommendation")}
    return {DATA_ENTRY: data_entry, REVIEWER: reviewer, VIEWER: view}


def ensure_groups(app_config=None, using="default", apps=global_apps, **kwargs):
    """Create the three groups (post_migrate handler; safe to call again at any time)."""
    app_config = app_config or global_apps.get_app_config("champions")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = group_permissions(global_apps.get_app_config(app_config.label))
    by_key = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.using(using)
        .filter(content_type__app_label=app_config.label)
        .select_related("content_type")
    }
    for name, keys in wanted.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set([by_key[key] for key in sorted(keys) if key in by_key])
