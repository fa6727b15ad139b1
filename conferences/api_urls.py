"""Conference routes of API v1, included under /api/v1/ by the project's API wiring."""

from django.urls import path

from . import api

urlpatterns = [
    path("conferences/", api.ConferenceListApi.as_view(), name="api-conference-list"),
    path("conferences/<int:pk>/", api.ConferenceDetailApi.as_view(), name="api-conference-detail"),
]
