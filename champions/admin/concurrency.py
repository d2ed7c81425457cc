"""Two staff editing the same record: the second to save is told, not silently overwritten.

The change form carries the record's ``updated_at`` as it was when the form was opened. On save
the row is re-read under a lock (the admin saves inside a transaction), and if it has changed
meanwhile the form is refused with who changed it and when. The lock makes two simultaneous
saves queue, so the later one always sees the earlier one's stamp.
"""

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _


def edit_token(updated_at):
    return updated_at.isoformat() if updated_at else ""


class UnchangedSinceOpenedForm(forms.Form):
    """Mixed into the admin's ModelForm of every model with an ``updated_at`` stamp."""

    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["edit_token"] = edit_token(self.instance.updated_at)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            self._refuse_if_changed_since_opened(cleaned.get("edit_token", ""))
        return cleaned

    def _refuse_if_changed_since_opened(self, token):
        model = type(self.instance)
        current = (
            model._default_manager.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("updated_at", flat=True)
            .first()
        )
        if current is None or edit_token(current) == token:
            return
        latest = model.history.filter(id=self.instance.pk).select_related("history_user").first()
        who = latest.history_user if latest and latest.history_user else _("an import or a script")
        raise forms.ValidationError(
            _(
                "This record was changed by %(who)s at %(when)s, after you opened it. "
                "Nothing was saved: open it again to see the changes, then make yours."
            ),
            code="changed_since_opened",
            params={"who": who, "when": formats.localize(current.astimezone())},
        )


def with_edit_guard(form_class):
    """``form_class`` with the guard mixed in."""
    return type(form_class.__name__, (UnchangedSinceOpenedForm, form_class), {})
