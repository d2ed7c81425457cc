"""Pieces every area's admin shares: history with the import run, stamps, name-key search."""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Min, Q
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..models import enterprise_matches
from .concurrency import EDIT_TOKEN, is_guarded, with_edit_guard, with_inline_edit_guard
from .exports import ChangelistExport
from .paginator import EstimatedCountPaginator

#: Stamps of ``TimeStampedModel``: shown, never edited.
STAMPS = ("created_at", "updated_at")

#: Search fields shown for the lists whose rows belong to an enterprise; the search itself is
#: ``enterprise_matches`` (see ``RegistryAdmin.enterprise_path``).
ENTERPRISE_SEARCH_FIELDS = (
    "enterprise__name",
    "enterprise__former_names__name",
    "enterprise__credit_code",
)
#: Filters of those lists. Plain related filters list the (small) region and industry tables;
#: Django's "related only" filter would scan the large table for the values in use.
ENTERPRISE_FILTERS = ("enterprise__region", "enterprise__industry")


class YearListFilter(admin.SimpleListFilter):
    """Years from the first to the last one present, read from the ends of the year index.

    Django's default filter of an integer field lists its distinct values: a scan of the whole
    table on every page view of a list with millions of rows.
    """

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        span = model_admin.get_queryset(request).aggregate(first=Min("year"), last=Max("year"))
        if span["first"] is None:
            return []
        return [(year, year) for year in range(span["last"], span["first"] - 1, -1)]

    def queryset(self, request, queryset):
        return queryset.filter(year=self.value()) if self.value() else queryset


#: How many rows an inline shows at most; the rest are one click away on the filtered list.
INLINE_ROWS = 20


def stamps_of(model):
    """The stamp fields ``model`` has (none for the reference tables)."""
    names = {field.name for field in model._meta.get_fields()}
    return tuple(stamp for stamp in STAMPS if stamp in names)


class EditGuarded:
    """The guard against two staff overwriting each other (``concurrency``), on a ModelAdmin's
    change form or on an inline's rows: wherever they can be changed, and the model has a history
    to say who changed them.

    The token is a hidden form field; the admin renders only the fields of the fieldsets, so it is
    added to them when they do not list it (``fields`` or ``fieldsets`` declared).
    """

    def edit_guarded(self, request, obj):
        """Whether the forms of the page of ``obj`` (an inline's parent record) carry tokens."""
        return (
            obj is not None and is_guarded(self.model) and self.has_change_permission(request, obj)
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.edit_guarded(request, obj) or EDIT_TOKEN in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *others = fieldsets
        return [(name, {**options, "fields": (*options["fields"], EDIT_TOKEN)}), *others]


class ImportRunFilter(admin.SimpleListFilter):
    """The records an import run wrote (``?import_run=ID``), linked from the run's page: those
    whose history it stamped, and for titles and recommendations also those it recorded an
    event or a stage move on. Shown in the sidebar only while it is applied."""

    title = _("import run")
    parameter_name = "import_run"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, f"#{value}")] if value and value.isdigit() else []

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(written_by_run(queryset.model, int(value)))


def written_by_run(model, run_id):
    """``Q`` of the rows of ``model`` import run ``run_id`` created or changed."""
    from ..models import Designation, DesignationEvent, Recommendation, StageMove

    written = Q(pk__in=model.history.filter(import_run_id=run_id).values("id"))
    if model is Designation:
        events = DesignationEvent.objects.filter(import_run_id=run_id)
        written |= Q(pk__in=events.values("designation_id"))
    if model is Recommendation:
        moves = StageMove.objects.filter(import_run_id=run_id)
        written |= Q(pk__in=moves.values("recommendation_id"))
    return written


class RegistryAdmin(ChangelistExport, EditGuarded, admin.ModelAdmin):
    """Base of every ModelAdmin here: stamps read-only, the enterprise search, estimated counts
    on very long lists, the edit guard (``EditGuarded``), and the CSV and Excel export of every
    list (``ChangelistExport``).

    ``enterprise_path`` is the path from the model to its enterprise ("" for ``Enterprise``). Its
    lists are searched with ``enterprise_matches``: the term's matching key against current and
    former names, so 温州某某（集团） finds a firm stored as 温州某某(集团), and the credit code.
    ``search_fields`` then only says what the search box covers; they are not searched as text,
    which on millions of rows would scan the table.
    """

    enterprise_path = None
    paginator = EstimatedCountPaginator
    # The unfiltered total would be a second full count on every filtered or searched list.
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *stamps_of(self.model))

    def get_list_filter(self, request):
        """The model's filters, and for a model with history the import run that wrote it."""
        filters = super().get_list_filter(request)
        if hasattr(self.model, "history"):
            return (*filters, ImportRunFilter)
        return filters

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self.edit_guarded(request, obj):
            kwargs["form"] = with_edit_guard(kwargs.get("form", self.form))
        return super().get_form(request, obj, change, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        if self.enterprise_path is None or not search_term.strip():
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(enterprise_matches(search_term, self.enterprise_path)), False


class HistoryAdmin(RegistryAdmin, SimpleHistoryAdmin):
    """For models with ``history``: who changed what, old and new values, and the import run.

    simple-history 3.13 lists each change's fields with their old and new values; our history
    list adds the import run (``HistoryImportRun``), so a file's change is told from a person's.
    Its "revert" form saves a whole old version, so it is refused without change permission
    (simple-history only hides the button) and wherever ``revert_disabled`` says so.
    """

    object_history_list_template = "admin/champions/object_history_list.html"

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        return (
            super()
            .get_history_queryset(request, history_manager, pk_name, object_id)
            .select_related("import_run")
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if not self.has_change_permission(request, obj) or self.revert_disabled(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class NoWrites:
    """Whatever the user's permissions, offers no add, change or delete: rows are only shown."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(NoWrites, RegistryAdmin):
    """For records only services write (stage moves, import runs): anyone may look, none edit."""


class RecentRowsFormSet(BaseInlineFormSet):
    """An inline formset showing only the first ``INLINE_ROWS`` rows of the inline's ordering.

    An enterprise can collect many designations and years of figures; the page stays short and
    costs a bounded number of queries, and ``related_list_links`` leads to all of them.
    """

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            self._queryset = super().get_queryset()[:INLINE_ROWS]
        return self._queryset


class RegistryInline(EditGuarded, admin.TabularInline):
    """Base of every inline here: its rows, when they can be changed, carry the edit guard, checked
    for all the rows of the inline at once."""

    def get_formset(self, request, obj=None, **kwargs):
        if self.edit_guarded(request, obj):
            kwargs["form"], kwargs["formset"] = with_inline_edit_guard(
                kwargs.get("form", self.form), kwargs.get("formset", self.formset)
            )
        return super().get_formset(request, obj, **kwargs)


class ReadOnlyInline(NoWrites, RegistryInline):
    """An inline that lists rows without offering to add, change or delete any."""

    extra = 0
    can_delete = False
    show_change_link = True


def changelist_url(model, **filters):
    """The admin list of ``model``, filtered by ``filters`` given as query-string lookups."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def related_list_links(related):
    """Links "designations: 12" to filtered lists, for ``(model, lookup, value, count)`` rows."""
    return format_html_join(
        " · ",
        '<a href="{}">{}: {}</a>',
        (
            (changelist_url(model, **{lookup: value}), model._meta.verbose_name_plural, count)
            for model, lookup, value, count in related
        ),
    )
