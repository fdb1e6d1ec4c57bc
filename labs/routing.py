from django.urls import re_path

from labs.classroom.routing import websocket_urlpatterns as classroom_patterns
from labs.consumers import LabConsumer

websocket_urlpatterns = [
    re_path(r"^ws/labs/(?P<slug>[a-z0-9-]+)/$", LabConsumer.as_asgi()),
    *classroom_patterns,
]
