from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from labs import views

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("labs/<slug:slug>/", views.lab_page, name="lab"),
    path("replays/", views.replay_list, name="replays"),
    path("replays/import/", views.replay_import, name="replay-import"),
    path("replays/<str:replay_id>/", views.replay_page, name="replay"),
    path("replays/<str:replay_id>/export.json", views.replay_export, name="replay-export"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("labs.teaching.urls")),
    path("", include("labs.classroom.urls")),
    path("admin/", admin.site.urls),
]
