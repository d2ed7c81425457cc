from django.urls import path

from . import views

app_name = "champions"

urlpatterns = [
    path("api/summary.json", views.summary_json, name="summary-json"),
]
