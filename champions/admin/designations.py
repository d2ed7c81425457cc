"""Batches of each programme, the designations (titles) enterprises hold, and their events.

A title's status, the days it is held and the end of a ban follow from its events
(``champions.services.designations``): the admin shows them and never offers them as fields.
Staff record an event with the "add an event" form of a title's page, which calls
``record_event``; a new title is added with its first event, in one transaction.
"""

import datetime
import operator
import re
from functools import reduce

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import lifecycle
from ..importing.errors import CellError
from ..importing.references import parse_batch
from ..models import Batch, Designation, DesignationEvent, EventKind, Notice
from ..models.designations import TERM_ENDED_LABEL, product_key
from ..services.designations import DERIVED_FIELDS, record_designation, record_event, refresh
from .common import (
    ENTERPRISE_FILTERS,
    ENTERPRISE_SEARCH_FIELDS,
    STAMPS,
    HistoryAdmin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    RecentRowsFormSet,
    RegistryInline,
    YearListFilter,
)


class BatchListFilter(admin.RelatedFieldListFilter):
    """The batch filter, reading the batches with their tiers in one query (``str`` needs both)."""

    def field_choices(self, field, request, model_admin):
        return [(batch.pk, str(batch)) for batch in Batch.objects.select_related("tier")]


class BatchChoicesWithTier:
    """Batch widgets label the chosen batch with its tier: load both in one query."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Batch:
            kwargs.setdefault("queryset", Batch.objects.select_related("tier"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


#: A batch as lists and labels write it within a longer word (2021年第6批制造业单项冠军).
_BATCH_IN_WORD = re.compile(r"(?:\d{4}年度?)?第[0-9零〇一二两三四五六七八九十百]+批次?")
#: What a batch's label (``Batch.__str__``, in either language) puts around its parts.
_LABEL_PUNCTUATION = ",，、()（）"


#: The largest batch number or year a search compares (the columns are small integers): a larger
#: number matches nothing rather than overflowing the database's integer.
_LARGEST = 32767
#: A condition no batch meets, written so that it still compiles to SQL (an empty ``pk__in``
#: does not: the PostgreSQL row estimate of ``EstimatedCountPaginator`` cannot read it).
NOTHING = Q(pk__isnull=True)


def _whole(value, **lookups):
    """``Q(**lookups)``, or nothing for a number past ``_LARGEST``."""
    return Q(**lookups) if value <= _LARGEST else NOTHING


def batch_term(word):
    """What one word of a batch search means: a year (2021, 2021年), a number or a year (6), a
    batch as lists write it (第6批, 第六批, 2021年第6批, also inside a word with the tier's name),
    else a part of the tier's name, code or spellings."""
    year = re.fullmatch(r"(\d{4})年度?", word)
    if year:
        return Q(year=int(year[1]))
    if word.isdecimal():
        value = int(word) if len(word) <= len(str(_LARGEST)) else _LARGEST + 1
        return _whole(value, number=value) | _whole(value, year=value)
    try:
        spelled = parse_batch(word)
    except (CellError, ValueError):
        spelled = None
    if spelled:
        number, year = spelled
        return _whole(number, number=number) & (Q(year=year) if year else Q())
    inside = _BATCH_IN_WORD.search(word)
    if inside and inside[0] == word:
        return NOTHING  # a batch spelling with no such batch (第0批)
    if inside:
        rest = word[: inside.start()] + word[inside.end() :]
        return batch_term(inside[0]) & batch_term(rest)
    fields = ("tier__name", "tier__code", "tier__aliases")
    return reduce(operator.or_, (Q(**{f"{name}__icontains": word}) for name in fields))


def batch_search_words(term):
    """The words of a batch search, without the label's punctuation and its word "batch"."""
    for punctuation in _LABEL_PUNCTUATION:
        term = term.replace(punctuation, " ")
    return [word for word in term.split() if word.casefold() != "batch"]


@admin.register(Batch)
class BatchAdmin(HistoryAdmin):
    list_display = ("__str__", "tier", "number", "year", "recommendation_deadline", "announced_on")
    list_select_related = ("tier",)
    list_filter = ("tier", "year")
    # ``__exact`` on the numbers compares their text, so a word in the search cannot break them.
    search_fields = ("tier__name", "tier__code", "tier__aliases", "year__exact", "number__exact")

    def get_queryset(self, request):
        # The batch autocomplete lists batches by ``str``, which names the tier.
        return super().get_queryset(request).select_related("tier")

    def get_search_results(self, request, queryset, search_term):
        """Batches as their labels read (2021年第6批…): every word holds (``batch_term``)."""
        words = batch_search_words(search_term)
        if not words:
            return queryset, False
        return queryset.filter(*(batch_term(word) for word in words)), False


def check_batch_of_tier(form, cleaned):
    """Refuse, on ``form``'s batch field, a batch of another tier than the form's tier (or, when
    the tier is not a field of the form, its instance's)."""
    batch = cleaned.get("batch")
    tier = cleaned.get("tier")
    if tier is None and "tier" not in form.fields and form.instance.tier_id:
        tier = form.instance.tier
    if batch and tier and batch.tier_id != tier.pk:
        form.add_error(
            "batch",
            _("This batch is a batch of “%(batch_tier)s”, not of “%(tier)s”.")
            % {"batch_tier": batch.tier, "tier": tier},
        )


@admin.display(description=_("status"), ordering="status")
def state(designation):
    """The status as it reads today: "Term ended, review not recorded" for a holding title past
    its term (``Designation.state_label``)."""
    return designation.state_label()


#: What names a title, as its own page and the enterprise's inline show it.
IDENTITY_FIELDS = ("tier", "batch", "year", "product")
#: What its events make of it: shown, never edited.
DERIVED_SHOWN = (state, "held_from", "valid_until", "banned_until", "document", "source")
#: Changes of these derive the standing again (the tier's validity, the year of an undated list).
REDERIVING = {"tier", "year"}


class DesignationForm(forms.ModelForm):
    """A title's identity. The database's uniqueness of a title is over the product's key, which
    is no form field, so the form looks for the same title itself."""

    def clean(self):
        cleaned = super().clean()
        check_batch_of_tier(self, cleaned)
        self._check_not_recorded(cleaned)
        return cleaned

    def _check_not_recorded(self, cleaned):
        if self.instance.pk and not {"enterprise", *IDENTITY_FIELDS} & set(self.changed_data):
            return  # an unchanged row of the enterprise's inline: nothing to look up
        enterprise = cleaned.get("enterprise") or (
            self.instance.enterprise if self.instance.enterprise_id else None
        )
        tier, batch, year = cleaned.get("tier"), cleaned.get("batch"), cleaned.get("year")
        if enterprise is None or tier is None or (batch is None and year is None):
            return  # a field is missing: its own error says so
        key = {"enterprise": enterprise, "tier": tier}
        key.update({"batch": batch} if batch else {"batch": None, "year": year})
        same = Designation.objects.filter(
            product_key=product_key(cleaned.get("product", "")), **key
        )
        if self.instance.pk:
            same = same.exclude(pk=self.instance.pk)
        if same.exists():
            raise ValidationError(
                _("This title is already recorded: %(title)s."),
                code="title_recorded",
                params={"title": same.select_related("enterprise", "tier").first()},
            )


def _event_field(name, **kwargs):
    """The form field of ``DesignationEvent.<name>``, with its label and help text; dates are
    entered with the browser's date picker."""
    field = DesignationEvent._meta.get_field(name)
    if isinstance(field, models.DateField):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    elif isinstance(field, models.TextField):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2, "cols": 60}))
    return field.formfield(**kwargs)


#: The kinds a title can be added with: the lists that start its life.
FIRST_EVENT_KINDS = (EventKind.PUBLICITY, EventKind.AWARD)


class NewDesignationForm(DesignationForm):
    """The add form: a title and its first event (a publicity list or its award)."""

    event_kind = forms.ChoiceField(
        label=_("First event"),
        choices=[(kind.value, kind.label) for kind in FIRST_EVENT_KINDS],
        initial=EventKind.AWARD,
    )
    event_date = _event_field("happened_on")
    event_note = _event_field("note")


class EventForm(forms.Form):
    """An event to record on ``designation``.

    The rules of events (an outcome only on a review result and always there, a ban only on a
    revocation, no event twice) are the service's: its refusals are shown on this form. The
    form itself only keeps the list to the title's tier and to the event's kind.
    """

    kind = _event_field("kind")
    happened_on = _event_field("happened_on")
    notice = forms.ModelChoiceField(queryset=Notice.objects.none())  # set up in ``__init__``
    outcome = _event_field("outcome")
    valid_until = _event_field("valid_until")
    banned_until = _event_field("banned_until")
    note = _event_field("note")

    def __init__(self, designation, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.designation = designation
        notice = DesignationEvent._meta.get_field("notice")
        self.fields["notice"] = notice.formfield(
            queryset=Notice.objects.select_related("tier"),
            widget=AutocompleteSelect(notice, admin_site),
            help_text=_(
                "Optional: the published list. Without a date, the event takes the list's."
            ),
        )

    def clean(self):
        cleaned = super().clean()
        notice, kind = cleaned.get("notice"), cleaned.get("kind")
        if notice is None:
            return cleaned
        if notice.tier_id != self.designation.tier_id:
            self.add_error(
                "notice",
                _("This list is of “%(notice_tier)s”, not of “%(tier)s”.")
                % {"notice_tier": notice.tier, "tier": self.designation.tier},
            )
        elif kind and notice.kind != kind:
            self.add_error(
                "notice",
                _("This list announces “%(announced)s”, not “%(kind)s”.")
                % {"announced": notice.get_kind_display(), "kind": EventKind(kind).label},
            )
        elif not cleaned.get("happened_on"):
            cleaned["happened_on"] = notice.published_on
        return cleaned

    def facts(self):
        """The event's fields for ``record_event``, less its kind and the user."""
        return {name: value for name, value in self.cleaned_data.items() if name != "kind"}

    def show_refusal(self, refusal):
        """Put the service's ``ValidationError`` on the fields it names, the rest above them."""
        if not hasattr(refusal, "error_dict"):
            self.add_error(None, refusal)
            return
        for name, errors in refusal.error_dict.items():
            self.add_error(name if name in self.fields else None, errors)


class DesignationsFormSet(RecentRowsFormSet):
    """The enterprise's titles inline: a changed tier or year derives their standing again."""

    def save(self, commit=True):
        saved = super().save(commit)
        if commit:
            changed = [obj.pk for obj, names in self.changed_objects if REDERIVING & set(names)]
            if changed:
                refresh(changed)
        return saved


class DesignationInline(BatchChoicesWithTier, RegistryInline):
    """An enterprise's latest titles, each with its status and term end; the link above the
    inlines lists all of them. A title is added with its first event on its own add page (the
    link with the titles' timelines below), never as a bare row here."""

    model = Designation
    form = DesignationForm
    formset = DesignationsFormSet
    fields = (*IDENTITY_FIELDS, state, "valid_until")
    readonly_fields = (state, "valid_until")
    autocomplete_fields = ("batch",)
    ordering = ("-year", "tier__position")
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Each row is named by ``str``, which names the enterprise too.
        return super().get_queryset(request).select_related("tier", "enterprise")


#: The order of a timeline: by date, the events whose list gave only its year first.
TIMELINE_ORDER = (F("happened_on").asc(nulls_first=True), "id")


class DesignationEventInline(ReadOnlyInline):
    """A title's timeline: every event, in date order, each from its list or a staff entry."""

    model = DesignationEvent
    fields = (
        "happened_on",
        "kind",
        "outcome",
        "valid_until",
        "banned_until",
        "notice",
        "note",
        "recorded_by",
        "import_run",
    )
    readonly_fields = fields
    ordering = TIMELINE_ORDER
    show_change_link = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("notice__tier", "recorded_by", "import_run")
        )


class TermEndedFilter(admin.SimpleListFilter):
    """Titles whose term is over with no review result recorded: staff work to do."""

    title = _("term")
    parameter_name = "term_ended"

    def lookups(self, request, model_admin):
        return [("1", TERM_ENDED_LABEL)]

    def queryset(self, request, queryset):
        if self.value() != "1":
            return queryset
        return queryset.filter(status__in=lifecycle.HOLDING, valid_until__lt=timezone.localdate())


def timelines(designations):
    """``[(designation, [its events in date order])]`` for ``designations``: one query."""
    designations = list(designations)
    events = {designation.pk: [] for designation in designations}
    if events:
        for event in (
            DesignationEvent.objects.filter(designation_id__in=events)
            .select_related("notice__tier")
            .order_by(*TIMELINE_ORDER)
        ):
            events[event.designation_id].append(event)
    return [(designation, events[designation.pk]) for designation in designations]


class TitleTimelines:
    """Mixed into the enterprise's admin: below the inlines, the events of each title its titles
    inline shows, read in one query, and the link to add a title with its first event."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        shown = next(
            (
                inline.formset
                for inline in context.get("inline_admin_formsets", ())
                if inline.opts.model is Designation
            ),
            None,
        )
        if obj is not None and obj.pk and shown is not None:
            # The inline's own rows (its query, evaluated once), so both list the same titles.
            context["title_timelines"] = timelines(shown.get_queryset())
            designations = self.admin_site._registry.get(Designation)
            if designations is not None and designations.has_add_permission(request):
                context["add_title_url"] = "{}?enterprise={}".format(
                    reverse("admin:champions_designation_add", current_app=self.admin_site.name),
                    obj.pk,
                )
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Designation)
class DesignationAdmin(BatchChoicesWithTier, HistoryAdmin):
    form = DesignationForm
    list_display = (
        "enterprise",
        "tier",
        "batch",
        "year",
        "product",
        state,
        "valid_until",
        "in_force",
    )
    list_select_related = ("enterprise", "tier", "batch__tier")
    list_filter = (
        "tier",
        "status",
        TermEndedFilter,
        YearListFilter,
        ("batch", BatchListFilter),
        *ENTERPRISE_FILTERS,
    )
    search_fields = ENTERPRISE_SEARCH_FIELDS
    enterprise_path = "enterprise"
    # Newest first, by primary key: the model's ordering joins the tier and the enterprise.
    ordering = ("-id",)
    autocomplete_fields = ("enterprise", "batch")
    fieldsets = (
        (None, {"fields": ("enterprise", *IDENTITY_FIELDS, "product_class")}),
        (_("Standing, from the events"), {"fields": (*DERIVED_SHOWN, *STAMPS)}),
    )
    add_fieldsets = (
        (None, {"fields": ("enterprise", *IDENTITY_FIELDS, "product_class")}),
        (_("First event"), {"fields": ("event_kind", "event_date", "event_note")}),
    )
    readonly_fields = DERIVED_SHOWN
    inlines = (DesignationEventInline,)

    @admin.display(boolean=True, description=_("in force"))
    def in_force(self, designation):
        return designation.is_in_force()

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = NewDesignationForm
        return super().get_form(request, obj, change, **kwargs)

    def get_inline_instances(self, request, obj=None):
        # A title being added has no timeline yet.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:  # the title's identity (here, or an old version restored from its history)
            super().save_model(request, obj, form, change)
            refresh([obj.pk])
            obj.refresh_from_db(fields=DERIVED_FIELDS)
            return
        with transaction.atomic():
            designation, _created = record_designation(
                enterprise=obj.enterprise,
                tier=obj.tier,
                batch=obj.batch,
                year=obj.year,
                product=obj.product,
                product_class=obj.product_class,
            )
            record_event(
                designation,
                form.cleaned_data["event_kind"],
                happened_on=form.cleaned_data["event_date"],
                note=form.cleaned_data["event_note"],
                recorded_by=request.user,
            )
        obj.pk = designation.pk
        obj.refresh_from_db()

    # The "add an event" form ---------------------------------------------------------------

    def get_urls(self):
        event_url = path(
            "<path:object_id>/event/",
            self.admin_site.admin_view(self.add_event_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_event",
        )
        return [event_url, *super().get_urls()]

    def event_url(self, designation):
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_event",
            args=[designation.pk],
            current_app=self.admin_site.name,
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            context["add_event_url"] = self.event_url(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def add_event_view(self, request, object_id):
        """A form for one event (a review result, a revocation, a staff award…), recorded with
        ``record_event`` by the user; the service's refusals are shown on the form."""
        designation = self.get_object(request, unquote(object_id))
        if designation is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, designation):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form = EventForm(designation, data, admin_site=self.admin_site)
        if form.is_valid():
            try:
                event = record_event(
                    designation,
                    form.cleaned_data["kind"],
                    recorded_by=request.user,
                    **form.facts(),
                )
            except ValidationError as refusal:
                form.show_refusal(refusal)
            else:
                self.message_user(
                    request,
                    gettext("Recorded “%(event)s”. The title now reads: %(state)s.")
                    % {"event": event, "state": designation.state_label()},
                    messages.SUCCESS,
                )
                return redirect(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_change", designation.pk
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Add an event"),
            "subtitle": str(designation),
            "opts": self.opts,
            "original": designation,
            "form": form,
            "timeline": timelines([designation])[0][1],
            "media": self.media + form.media,
            "change_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[designation.pk],
                current_app=self.admin_site.name,
            ),
        }
        return TemplateResponse(request, "admin/champions/designation/add_event.html", context)


@admin.register(DesignationEvent)
class DesignationEventAdmin(ReadOnlyAdmin):
    """Every title's events, as the service recorded them: read only."""

    list_display = (
        "designation",
        "kind",
        "happened_on",
        "outcome",
        "notice",
        "recorded_at",
        "recorded_by",
        "import_run",
    )
    list_select_related = (
        "designation__enterprise",
        "designation__tier",
        "notice__tier",
        "recorded_by",
        "import_run",
    )
    list_filter = ("kind", "outcome", "designation__tier")
    search_fields = tuple(f"designation__{name}" for name in ENTERPRISE_SEARCH_FIELDS)
    enterprise_path = "designation__enterprise"
    ordering = ("-id",)
    fields = (
        "designation",
        "kind",
        "happened_on",
        "notice",
        "name_on_list",
        "outcome",
        "valid_until",
        "banned_until",
        "note",
        "recorded_at",
        "recorded_by",
        "import_run",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("designation__enterprise", "designation__tier", "notice__tier")
        )


# Filters the admin's dashboard links to (``champions.admin.dashboard``) -------------------------

#: How far ahead the dashboard looks for terms ending and for recommendation deadlines.
TERM_ENDS_WITHIN_MONTHS = 6
DEADLINE_WITHIN_DAYS = 30


def months_later(day, months):
    """The same day ``months`` calendar months after ``day``; the last day of that month when it
    is shorter (31 August + 6 months is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    first_of_next = datetime.date(year + month // 12, month % 12 + 1, 1)
    return datetime.date(year, month, min(day.day, (first_of_next - datetime.timedelta(1)).day))


def term_ends_window(today):
    """The first and last day of "term ends within ``TERM_ENDS_WITHIN_MONTHS`` months"."""
    return today, months_later(today, TERM_ENDS_WITHIN_MONTHS)


def deadline_window(today):
    """The first and last day of "deadline within ``DEADLINE_WITHIN_DAYS`` days"."""
    return today, today + datetime.timedelta(DEADLINE_WITHIN_DAYS)


class TermEndsSoonFilter(admin.SimpleListFilter):
    """Titles held today whose term ends within the next six months, today included: the ones
    whose review is coming up."""

    title = _("term ends")
    parameter_name = "term_ends"
    SOON = "soon"

    def lookups(self, request, model_admin):
        return [(self.SOON, _("Within %(months)d months") % {"months": TERM_ENDS_WITHIN_MONTHS})]

    def queryset(self, request, queryset):
        if self.value() != self.SOON:
            return queryset
        today = timezone.localdate()
        return queryset.in_force(today).filter(valid_until__range=term_ends_window(today))


class DeadlineNearFilter(admin.SimpleListFilter):
    """Batches whose recommendation deadline is today or within the next 30 days."""

    title = _("recommendation deadline")
    parameter_name = "deadline"
    NEAR = "near"

    def lookups(self, request, model_admin):
        return [(self.NEAR, _("In the next %(days)d days") % {"days": DEADLINE_WITHIN_DAYS})]

    def queryset(self, request, queryset):
        if self.value() != self.NEAR:
            return queryset
        return queryset.filter(recommendation_deadline__range=deadline_window(timezone.localdate()))


# Added here rather than in the classes above, so the dashboard's filters stay in one place.
DesignationAdmin.list_filter = (*DesignationAdmin.list_filter, TermEndsSoonFilter)
BatchAdmin.list_filter = (*BatchAdmin.list_filter, DeadlineNearFilter)
