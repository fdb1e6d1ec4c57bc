from django.urls import re_path

from labs.classroom.consumers import FollowConsumer, TeachConsumer

websocket_urlpatterns = [
    re_path(r"^ws/classroom/(?P<code>[A-Za-z0-9]{1,16})/teach/$", TeachConsumer.as_asgi()),
    re_path(r"^ws/classroom/(?P<code>[A-Za-z0-9]{1,16})/follow/$", FollowConsumer.as_asgi()),
]
