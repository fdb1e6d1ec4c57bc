from django.urls import URLPattern, URLResolver, path

from labs.teaching import views

app_name = "teaching"

urlpatterns: list[URLPattern | URLResolver] = [
    path("exercises/", views.exercise_list, name="exercises"),
    path("exercises/<slug:exercise_id>/", views.exercise_page, name="exercise"),
    path("quizzes/", views.quiz_list, name="quizzes"),
    path("quizzes/<slug:slug>/", views.quiz_page, name="quiz"),
    path("quizzes/<slug:slug>/gradebook/", views.gradebook, name="gradebook"),
    path("quizzes/<slug:slug>/gradebook.csv", views.gradebook_csv, name="gradebook-csv"),
    path("quizzes/<slug:slug>/regrade/", views.regrade, name="regrade"),
    path("attempts/<int:pk>/", views.attempt_page, name="attempt"),
]
