"""Two staff editing the same records: the second to save is told, not silently overwritten.

A change form carries a token of its record as it was when the page was opened, and so does each
row of its editable inlines: the row's ``updated_at`` stamp, or for a model without one a hash of
all its columns. On save the rows are re-read under a lock (the admin saves inside a
transaction), one query per model however many rows the page shows, and if any of them has
changed or gone meanwhile the page is refused, naming each such row with who changed it and when.
The admin saves nothing of a page unless its form and every inline formset are valid, so a
refused row keeps the whole page from overwriting anything. The lock makes two simultaneous
saves queue, so the later one always sees the earlier one's change.

Only models with a history are guarded: without one the refusal could not say who.
"""

import hashlib

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

#: The hidden form field carrying the token.
EDIT_TOKEN = "edit_token"
STAMP = "updated_at"

#: The refusal of a record's own change form.
RECORD_CHANGED = _(
    "This record was changed by %(who)s at %(when)s, after you opened it. "
    "Nothing was saved: open it again to see the changes, then make yours."
)
ROW_CHANGED = _("%(what)s “%(row)s”: changed by %(who)s at %(when)s, after you opened this page.")
ROW_DELETED = _("%(what)s “%(row)s”: deleted by %(who)s at %(when)s, after you opened this page.")
#: Closes the list of rows changed or deleted.
NOTHING_SAVED = _(
    "Nothing on this page was saved: open it again to see the changes, then make yours."
)


def is_guarded(model):
    """Whether the records of ``model`` are guarded: whether they keep a history."""
    return hasattr(model, "history")


def edit_token(updated_at):
    """The token of a stamped row: its stamp, which every save moves on."""
    return updated_at.isoformat() if updated_at else ""


def _stamped(model):
    return any(field.attname == STAMP for field in model._meta.concrete_fields)


def _version_fields(model):
    """The columns a row's token is made of: its stamp, or without one all of them."""
    return [STAMP] if _stamped(model) else [field.attname for field in model._meta.concrete_fields]


def _token(model, values):
    """The token of a row of ``model`` whose ``_version_fields`` hold ``values``."""
    if _stamped(model):
        return edit_token(*values)
    return hashlib.sha256(repr(tuple(values)).encode()).hexdigest()


def token_of(obj):
    """The token of ``obj`` as loaded: what its form carries when it is opened."""
    model = type(obj)
    return _token(model, [getattr(obj, name) for name in _version_fields(model)])


def _latest_versions(model, pks):
    """The newest historical record of each row of ``pks`` that has one, in one query."""
    pk = model._meta.pk.attname
    newest = (
        model.history.filter(**{f"{pk}__in": pks})
        .values(pk)
        .annotate(newest=Max("history_id"))
        .values("newest")
    )
    versions = model.history.filter(history_id__in=newest).select_related("history_user")
    return {getattr(version, pk): version for version in versions}


def changed_since_opened(model, opened, changed_message=ROW_CHANGED):
    """Errors naming each row of ``model`` changed or deleted since its page was opened.

    ``opened`` maps each row's primary key to the token the page carried and to the instance
    its form holds (``None`` once the row is gone), whose ``str`` names the row. The rows still
    there stay locked until the save's transaction ends. A row that neither its form nor its
    history can name is one the formset will not save: a key of no row, which the form's own key
    check refuses, or a row no longer among those an inline shows, which the formset skips.
    """
    if not opened:
        return []
    current = {
        pk: values
        # Unordered: a model's ordering may join other tables, whose rows would be locked too.
        for pk, *values in model._default_manager.select_for_update()
        .filter(pk__in=opened)
        .order_by()
        .values_list("pk", *_version_fields(model))
    }
    changed = [
        pk
        for pk, (token, _row) in opened.items()
        if pk not in current or _token(model, current[pk]) != token
    ]
    latest = _latest_versions(model, changed) if changed else {}
    errors = []
    for pk in changed:
        version = latest.get(pk)
        row = opened[pk][1] or (version.instance if version else None)
        if row is None:
            continue
        if pk in current:
            stamp = current[pk][0] if _stamped(model) else None
            errors.append(_refusal(changed_message, model, row, version, stamp))
        else:
            errors.append(_refusal(ROW_DELETED, model, row, version))
    return errors


def _refusal(message, model, row, version, stamp=None):
    """The error about ``row``, whose latest history is ``version`` (``None`` if it has none).

    Who comes from that history, when from the row's stamp, or without one from the history
    too; a change that left no history (a script's ``update``) is an import's or a script's, and
    is dated, if the row has no stamp either, by the moment it was found.
    """
    who = version.history_user if version else None
    when = stamp or (version.history_date if version else timezone.now())
    return ValidationError(
        message,
        code="changed_since_opened",
        params={
            "what": capfirst(model._meta.verbose_name),
            # Named now: the message is rendered after the form has put the posted values in.
            "row": str(row),
            "who": who or _("an import or a script"),
            "when": formats.localize(timezone.localtime(when)),
        },
    )


class EditTokenField(forms.CharField):
    """The hidden token. It is no data of the row: posting it back never makes a row changed,
    which would have the admin save every row of every inline on each save of the page."""

    widget = forms.HiddenInput

    def __init__(self):
        super().__init__(label=_("edit token"), required=False)

    def has_changed(self, initial, data):
        return False


class EditTokenForm(forms.Form):
    """Mixed into the ModelForm of an inline's rows: carries the row's token as opened.

    The rows are checked together, by ``UnchangedSinceOpenedFormSet``.
    """

    edit_token = EditTokenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial[EDIT_TOKEN] = token_of(self.instance)

    @property
    def opened_token(self):
        """The token posted back: the row's as the page was opened."""
        return self[EDIT_TOKEN].data or ""


class UnchangedSinceOpenedForm(EditTokenForm):
    """Mixed into the ModelForm of a guarded record's change form; checks the record itself."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            opened = {self.instance.pk: (self.opened_token, self.instance)}
            errors = changed_since_opened(type(self.instance), opened, RECORD_CHANGED)
            if errors:
                raise ValidationError(errors)
        return cleaned


class UnchangedSinceOpenedFormSet(forms.BaseFormSet):
    """Mixed into an inline's formset: checks all its rows as opened, in one query."""

    def full_clean(self):
        # Before the forms are cleaned, which puts the posted values into their instances: the
        # rows are named by their values as they are now, not as posted.
        self._changed_since_opened = (
            changed_since_opened(self.model, self._opened()) if self.is_bound else []
        )
        super().full_clean()

    def clean(self):
        super().clean()
        if self._changed_since_opened:
            raise ValidationError([*self._changed_since_opened, NOTHING_SAVED])

    def _opened(self):
        """``{pk: (token, instance or None)}`` of the rows the page was opened on."""
        opened = {}
        for form in self.initial_forms:
            pk = self._opened_pk(form)
            if pk is not None:
                opened[pk] = (form.opened_token, form.instance if form.instance.pk == pk else None)
        return opened

    def _opened_pk(self, form):
        """The key of the row ``form`` was opened on, as posted back; ``None`` if unreadable.

        The form's instance cannot tell: a row deleted since leaves it a new, empty one.
        """
        pk_field = self.model._meta.pk
        try:
            return pk_field.to_python(form[pk_field.name].data)
        except ValidationError:
            return None


def _mixed(mixin, cls):
    return type(cls.__name__, (mixin, cls), {})


def with_edit_guard(form_class):
    """``form_class`` of a record's change form, with the guard mixed in."""
    return _mixed(UnchangedSinceOpenedForm, form_class)


def with_inline_edit_guard(form_class, formset_class):
    """The form and the formset class of an inline, with the guard of its rows mixed in."""
    return _mixed(EditTokenForm, form_class), _mixed(UnchangedSinceOpenedFormSet, formset_class)
