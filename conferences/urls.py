from django.urls import path

from . import views

app_name = "conferences"

urlpatterns = [
    path("", views.conference_list, name="conference-list"),
    path("kien-nghi/", views.recommendation_list, name="recommendation-list"),
    path("<int:pk>/", views.conference_detail, name="conference-detail"),
]
