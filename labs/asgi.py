"""ASGI entry point: Django for HTTP, the lab consumer for websockets."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labs.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from labs.routing import websocket_urlpatterns  # noqa: E402
from labs.runtime import warm_up  # noqa: E402

warm_up()
# Everything loaded so far lives as long as the process: keep it out of the cyclic
# garbage collector's full passes, which otherwise stall every socket now and then.
gc.freeze()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
