"""Quizzes, items and attempts in the Django admin, limited to the quizzes one manages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from labs.teaching import content, enrolment, services
from labs.teaching.models import (
    STAFF_ROLES,
    Attempt,
    Course,
    CourseExercise,
    Membership,
    Quiz,
    QuizItem,
)


class QuizItemForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = QuizItem
        fields = ("position", "exercise", "points")

    def clean_exercise(self) -> str:
        value = str(self.cleaned_data["exercise"])
        installed = content.installed()
        if value not in installed.exercises:
            bad = value in installed.invalid_ids
            raise forms.ValidationError(
                f"exercise {value!r} "
                + ("has problems: run manage.py check_exercises" if bad else "does not exist")
                + f" (valid: {', '.join(sorted(installed.exercises)) or 'none'})"
            )
        return value


class QuizForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Quiz
        fields = "__all__"

    def clean_slug(self) -> str:
        value = str(self.cleaned_data["slug"])
        if value in content.RESERVED_QUIZ_IDS:
            raise forms.ValidationError(
                f"{value!r} is reserved (reserved: {', '.join(sorted(content.RESERVED_QUIZ_IDS))})"
            )
        return value


class QuizItemInline(admin.TabularInline):  # type: ignore[type-arg]
    model = QuizItem
    form = QuizItemForm
    extra = 1


def _manageable(request: HttpRequest, qs: QuerySet[Any], field: str = "") -> QuerySet[Any]:
    if request.user.is_superuser:
        return qs
    managed = Quiz.managed_by(request.user).values("pk")
    return qs.filter(**{f"{field}pk__in" if field else "pk__in": managed})


class ManagedQuizFilter(admin.RelatedFieldListFilter):
    """The quiz filter of attempts lists only the quizzes the user manages (by title)."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[Any]:
        quizzes = Quiz.managed_by(request.user).order_by("title", "pk")
        return [(quiz.pk, str(quiz)) for quiz in quizzes]


@admin.action(description="Regrade the finished attempts with the current exercise files")
def regrade_quizzes(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Quiz]) -> None:
    count = services.regrade(Attempt.objects.filter(quiz__in=queryset).select_related("quiz"))
    messages.success(request, f"Regraded {count} attempts.")


@admin.action(description="Regrade the selected attempts")
def regrade_attempts(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Attempt]) -> None:
    count = services.regrade(queryset.select_related("quiz"))
    messages.success(request, f"Regraded {count} attempts.")


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = QuizForm
    list_display = (
        "title",
        "slug",
        "course",
        "opens",
        "closes",
        "max_attempts",
        "time_limit",
        "source",
    )
    list_filter = ("source", "course")
    search_fields = ("title", "slug")
    filter_horizontal = ("instructors", "instructor_groups")
    inlines = [QuizItemInline]
    actions = [regrade_quizzes]
    readonly_fields = (
        "source",
        "source_path",
        "instructor_names",
        "instructor_group_names",
        "created",
        "updated",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quiz]:
        return _manageable(request, super().get_queryset(request))

    def get_urls(self) -> list[URLPattern]:
        extra = [
            path(
                "content/",
                self.admin_site.admin_view(self.content_view),
                name="teaching_quiz_content",
            )
        ]
        return extra + super().get_urls()  # type: ignore[operator]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        loaded = content.installed()
        if loaded.invalid:
            messages.warning(
                request,
                format_html(
                    '{} of {} content files have problems and are not served: <a href="{}">see '
                    "which, and why</a>.",
                    len(loaded.invalid),
                    len(loaded.files),
                    reverse("admin:teaching_quiz_content"),
                ),
            )
        return super().changelist_view(request, extra_context)

    def content_view(self, request: HttpRequest) -> HttpResponse:
        """Every content file: served, or left out with each of its problems."""
        loaded = content.installed()
        problems: dict[str, list[content.Problem]] = {}
        for problem in loaded.problems:
            problems.setdefault(problem.file, []).append(problem)
        rows = [
            {"file": f, "ok": f not in loaded.invalid, "problems": problems.get(f, [])}
            for f in loaded.files
        ]
        rows.sort(key=lambda r: (r["ok"], r["file"]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Content files",
            "opts": self.model._meta,
            "rows": rows,
            "invalid": len(loaded.invalid),
            "folders": [str(d) for d in content.content_dirs()],
            "counts": (len(loaded.exercises), len(loaded.narrations), len(loaded.quizzes)),
        }
        return TemplateResponse(request, "teaching/admin_content.html", context)


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "quiz",
        "user",
        "number",
        "status",
        "score",
        "max_score",
        "started",
        "submitted",
    )
    list_filter = (("quiz", ManagedQuizFilter), "status")
    search_fields = ("user__username", "quiz__slug")
    readonly_fields = (
        "quiz",
        "user",
        "number",
        "status",
        "token",
        "variant",
        "started",
        "deadline",
        "submitted",
        "answers",
        "results",
        "score",
        "max_score",
        "graded",
    )
    actions = [regrade_attempts]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attempt]:
        return _manageable(request, super().get_queryset(request), "quiz__")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# -- courses ------------------------------------------------------------------------------


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)
    readonly_fields = ("created",)


class CourseExerciseInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CourseExercise
    extra = 1


class CourseForm(forms.ModelForm):  # type: ignore[type-arg]
    csv = forms.FileField(
        required=False,
        label="Enrol from a CSV",
        help_text="A header row (username,email,role,first_name,last_name), then one user a "
        "line; one bad line refuses the whole file.",
    )

    class Meta:
        model = Course
        fields = "__all__"


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = CourseForm
    list_display = ("title", "slug", "join_open", "lti_issuer", "lti_context_id")
    search_fields = ("title", "slug", "lti_context_id")
    inlines = [MembershipInline, CourseExerciseInline]
    readonly_fields = ("created",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Course]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(
            memberships__user_id=request.user.pk, memberships__role__in=STAFF_ROLES
        ).distinct()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        upload = form.cleaned_data.get("csv")
        if upload is None:
            return
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            messages.error(request, "The CSV must be UTF-8 text; nothing was enrolled.")
            return
        result = enrolment.enrol_csv(text, form.instance, request.user)
        if result.ok:
            messages.success(
                request,
                f"Enrolled {result.added}, changed {result.changed} roles, created "
                f"{result.created_accounts} accounts.",
            )
        else:
            messages.error(request, "Nothing was enrolled: " + "; ".join(result.problems[:20]))


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("course", "user", "role", "source", "created")
    list_filter = ("role", "source", "course")
    search_fields = ("user__username", "user__email", "course__slug")
    autocomplete_fields = ("user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        staffed = Membership.objects.filter(user_id=request.user.pk, role__in=STAFF_ROLES).values(
            "course_id"
        )
        return qs.filter(course_id__in=staffed)
