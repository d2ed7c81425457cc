"""The public pages. Each is served through ``cache.cached_response``, keyed by the parameters its
view declares it reads (``cache.reads``)."""

from django.urls import path, register_converter

from . import views
from .cache import cached_response

app_name = "champions"


class IdConverter:
    """A database id: at most 18 digits, so a longer number is a 404, not an overflow."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")

urlpatterns = [
    path("", cached_response(views.home), name="home"),
    path("enterprises/", cached_response(views.enterprise_list), name="enterprises"),
    path("enterprises/<id:pk>/", cached_response(views.enterprise_detail), name="enterprise"),
    path("breakdowns/regions/", cached_response(views.by_region), name="by-region"),
    path("breakdowns/industries/", cached_response(views.by_industry), name="by-industry"),
    path("breakdowns/batches/", cached_response(views.by_batch), name="by-batch"),
    path("breakdowns/province/", cached_response(views.province), name="province"),
    path("breakdowns/targets/", cached_response(views.targets), name="targets"),
    path("seminars/", cached_response(views.seminars), name="seminars"),
    path("api/summary.json", cached_response(views.summary_json), name="summary-json"),
]
