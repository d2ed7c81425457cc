from django.urls import path

from . import views

app_name = "champions"

urlpatterns = [
    path("", views.home, name="home"),
    path("enterprises/", views.enterprise_list, name="enterprises"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise"),
    path("breakdowns/regions/", views.by_region, name="by-region"),
    path("breakdowns/industries/", views.by_industry, name="by-industry"),
    path("breakdowns/batches/", views.by_batch, name="by-batch"),
    path("breakdowns/province/", views.province, name="province"),
    path("breakdowns/targets/", views.targets, name="targets"),
    path("seminars/", views.seminars, name="seminars"),
    path("api/summary.json", views.summary_json, name="summary-json"),
]
