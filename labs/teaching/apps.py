from django.apps import AppConfig


class TeachingConfig(AppConfig):
    name = "labs.teaching"
    label = "teaching"
    verbose_name = "paperlabs exercises and quizzes"
