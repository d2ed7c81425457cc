"""Who signs in: staff accounts, the staff groups under their translated names, and the Chinese
of django-axes' login records.

**Staff groups.** A group's ``name`` is data: ``champions.groups`` finds its three groups by
their English names after every migrate, so the names stay as they are and the admin shows
them through ``GROUP_LABELS`` (one translated label per group the registry defines; a group an
administrator adds is shown by its own name). The groups list, the group choices of a user's
page and the users list's group filter all use it.

**django-axes** ships no Simplified Chinese. Its admin labels are listed in ``AXES_MESSAGES``
with its own msgids, so ``makemessages`` puts them in the project's catalogue, which Django
merges with every app's: django-axes' models, fields and filters then read in Chinese wherever
they appear (the index, their lists, their pages), with nothing of django-axes overridden.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from ..groups import DATA_ENTRY, REVIEWER, VIEWER

#: How the admin names the staff groups of ``champions.groups``.
GROUP_LABELS = {
    DATA_ENTRY: _("Data entry"),
    REVIEWER: _("Reviewer"),
    VIEWER: _("Viewer"),
}

#: django-axes' admin labels (django-axes 8), exactly as it spells them, for the catalogue.
AXES_MESSAGES = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Logout Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Expires At"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
)


def group_label(group):
    """The name ``group`` is shown by: its translation for the registry's staff groups."""
    return GROUP_LABELS.get(group.name, group.name)


class GroupChoiceField(forms.ModelMultipleChoiceField):
    """A user's groups, each offered under its shown name."""

    def label_from_instance(self, obj):
        return group_label(obj)


class GroupListFilter(admin.RelatedFieldListFilter):
    """The users list's group filter, under the groups' shown names."""

    def field_choices(self, field, request, model_admin):
        return [(group.pk, group_label(group)) for group in Group.objects.order_by("name")]


admin.site.unregister(Group)
admin.site.unregister(User)


@admin.register(Group)
class GroupAdmin(auth_admin.GroupAdmin):
    list_display = ("shown_as",)

    @admin.display(description=_("name"), ordering="name")
    def shown_as(self, group):
        return group_label(group)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    list_filter = tuple(
        ("groups", GroupListFilter) if name == "groups" else name
        for name in auth_admin.UserAdmin.list_filter
    )

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "groups":
            kwargs["form_class"] = GroupChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)
