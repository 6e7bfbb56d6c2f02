from django.urls import path

from consultations import views

app_name = "consultations"

urlpatterns = [
    path("consultation/", views.consultation_request, name="request"),
    path("consultation/thanks/", views.thanks, name="thanks"),
    path("consultation/manage/<str:token>/", views.manage, name="manage"),
]
