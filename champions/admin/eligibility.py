"""The eligibility criteria: rule versions with their conditions, edited by staff with history.

The conditions' parameters are checked by ``Condition.clean`` (the evaluator's own check), so a
form refuses what ``champions.eligibility`` could not read. The candidates pages come later; the
``candidates`` command lists them meanwhile.
"""

from django.contrib import admin

from ..models import Condition, RuleVersion
from .common import HistoryAdmin, RegistryInline


class ConditionInline(RegistryInline):
    model = Condition
    fields = ("position", "code", "label", "label_en", "form", "spec", "waivable")
    extra = 0
    show_change_link = True


@admin.register(RuleVersion)
class RuleVersionAdmin(HistoryAdmin):
    list_display = ("tier", "kind", "name", "document", "applies_from", "applies_to")
    list_select_related = ("tier",)
    list_filter = ("tier", "kind")
    search_fields = ("name", "document", "source")
    ordering = ("tier__position", "kind", "-applies_from")
    inlines = (ConditionInline,)


@admin.register(Condition)
class ConditionAdmin(HistoryAdmin):
    list_display = ("label", "code", "form", "waivable", "rule_version")
    list_select_related = ("rule_version__tier",)
    list_filter = ("form", "rule_version__tier", "rule_version__kind")
    search_fields = ("code", "label", "label_en")
