from django.urls import URLPattern, URLResolver, include, path

from labs.teaching import course_views, gradebook_views, quiz_views, views

app_name = "teaching"

urlpatterns: list[URLPattern | URLResolver] = [
    path("exercises/", views.exercise_list, name="exercises"),
    path("exercises/<slug:exercise_id>/", views.exercise_page, name="exercise"),
    path("quizzes/", quiz_views.quiz_list, name="quizzes"),
    path("quizzes/<slug:slug>/", quiz_views.quiz_page, name="quiz"),
    path("quizzes/<slug:slug>/gradebook/", gradebook_views.gradebook, name="gradebook"),
    path("quizzes/<slug:slug>/gradebook.csv", gradebook_views.gradebook_csv, name="gradebook-csv"),
    path("quizzes/<slug:slug>/regrade/", gradebook_views.regrade, name="regrade"),
    path("quizzes/<slug:slug>/statistics/", course_views.quiz_statistics, name="statistics"),
    path("attempts/<int:pk>/", quiz_views.attempt_page, name="attempt"),
    path("quizzes/<slug:slug>/grades/retry/", course_views.retry_grades, name="retry-grades"),
    path("lti/", include("labs.lti.urls")),
    path("courses/", course_views.course_list, name="courses"),
    path("courses/<slug:slug>/", course_views.course_page, name="course"),
    path("courses/<slug:slug>/enrol/", course_views.course_enrol, name="course-enrol"),
    path(
        "courses/<slug:slug>/members/<int:pk>/remove/",
        course_views.course_remove,
        name="course-remove",
    ),
    path("courses/<slug:slug>/join-link/", course_views.course_join_link, name="course-join-link"),
    path("courses/<slug:slug>/join/<str:token>/", course_views.course_join, name="course-join"),
]
