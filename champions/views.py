"""Public views. They show only aggregates and published data; see ``champions.summary``."""

from django.http import JsonResponse
from django.views.decorators.http import require_safe

from . import summary as summaries
from .forms import SummaryScopeForm


def _json(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@require_safe
def summary_json(request):
    """``/api/summary.json[?region=CODE&year=YYYY]``: counts in force, funnels, new-product rate."""
    form = SummaryScopeForm(request.GET)
    if not form.is_valid():
        return _json({"errors": form.errors.get_json_data()}, status=400)
    scope = summaries.make_scope(form.cleaned_data["region"], form.cleaned_data["year"])
    return _json(summaries.summary(scope))
