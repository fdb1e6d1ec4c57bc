from django.urls import URLPattern, URLResolver, path

from labs.lti import views

app_name = "lti"

urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.oidc_login, name="login"),
    path("launch/", views.launch, name="launch"),
    path("deep-link/", views.deep_link_return, name="deep-link"),
    path("jwks.json", views.jwks, name="jwks"),
    path("socket-token/", views.socket_token, name="socket-token"),
]
