from django.urls import path

from . import views
from .cache import cached_response

app_name = "champions"

urlpatterns = [
    path("", cached_response(views.home), name="home"),
    path("enterprises/", cached_response(views.enterprise_list), name="enterprises"),
    path("enterprises/<int:pk>/", cached_response(views.enterprise_detail), name="enterprise"),
    path("breakdowns/regions/", cached_response(views.by_region), name="by-region"),
    path("breakdowns/industries/", cached_response(views.by_industry), name="by-industry"),
    path("breakdowns/batches/", cached_response(views.by_batch), name="by-batch"),
    path("breakdowns/province/", cached_response(views.province), name="province"),
    path("breakdowns/targets/", cached_response(views.targets), name="targets"),
    path("seminars/", cached_response(views.seminars), name="seminars"),
    path("api/summary.json", cached_response(views.summary_json), name="summary-json"),
]
