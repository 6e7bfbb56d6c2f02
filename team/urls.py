from django.urls import path

from team import views

app_name = "team"

urlpatterns = [
    path("", views.ClinicianListView.as_view(), name="clinician_list"),
    path("<slug:slug>/", views.ClinicianDetailView.as_view(), name="clinician_detail"),
]
