"""Response headers for the whole site that Django does not set itself."""

from django.utils.cache import patch_vary_headers

# Browser features this service never uses, switched off so that no page, nor anything that
# got into one, can ask for them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class SiteHeadersMiddleware:
    """A Permissions-Policy on every response, and no stored copy of anything made for a
    signed-in person: every page and download (a report, a spreadsheet, a logo) is `no-store`,
    so neither a shared computer's browser nor a proxy keeps it. A view that says how it may be
    cached keeps its own header; anonymous pages (open data) stay publicly cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if "Cache-Control" not in response and request.user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
            patch_vary_headers(response, ["Cookie"])
        return response
