from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("ma-truy-cap/", views.token_list, name="tokens"),
    path("ma-truy-cap/<str:digest>/thu-hoi/", views.token_revoke, name="token-revoke"),
]
