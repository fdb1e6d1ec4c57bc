from django.urls import URLPattern, path

from labs.classroom import views

urlpatterns: list[URLPattern] = [
    path("classroom/", views.home, name="classroom"),
    path("classroom/start/", views.start, name="classroom-start"),
    path("classroom/join/", views.join, name="classroom-join"),
    path("classroom/<str:code>/", views.follow, name="classroom-follow"),
    path("classroom/<str:code>/teach/", views.teach, name="classroom-teach"),
    path("classroom/<str:code>/results/", views.results, name="classroom-results"),
    path("classroom/<str:code>/results.csv", views.results_csv, name="classroom-csv"),
]
