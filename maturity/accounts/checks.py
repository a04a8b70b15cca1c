"""Deploy checks for sign-in protection (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def client_address_header_behind_a_proxy(app_configs, **kwargs):
    """Behind a proxy every request arrives from the proxy's address, so without the header
    carrying the real one, 50 failed sign-ins from anybody refuse everybody."""
    if settings.BEHIND_PROXY and not settings.CLIENT_IP_HEADER:
        return [
            Error(
                "CLIENT_IP_HEADER is not set, but BEHIND_PROXY is on: every request would seem "
                "to come from the proxy, and a few failed sign-ins would refuse everyone.",
                hint="Set CLIENT_IP_HEADER=HTTP_X_FORWARDED_FOR (the proxy must append the "
                "client's address to X-Forwarded-For), or BEHIND_PROXY=false if the service "
                "is reached directly.",
                id="maturity.E010",
            )
        ]
    return []
