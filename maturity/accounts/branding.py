"""Consultants' branding: the display name and logo on the reports and files they export."""

import io
import threading
import warnings
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageFile

from maturity.accounts.models import ConsultantBranding


def branding_for(user) -> ConsultantBranding | None:
    """The person's branding, or None (anonymous, or never set)."""
    if not user.is_authenticated:
        return None
    return ConsultantBranding.objects.filter(consultant=user).first()


LOGO_MAX_BYTES = 500 * 1024
LOGO_MAX_PIXELS = 25_000_000
# Kept no larger than this: about 70 mm wide on a report cover at print resolution.
LOGO_BOX = (1200, 600)
SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


_PILLOW_FLAG = threading.Lock()


@contextmanager
def _truncated_images_refused():
    """Pillow refuses a truncated image here, whatever the process-wide flag says.

    WeasyPrint turns `ImageFile.LOAD_TRUNCATED_IMAGES` on for the whole process when it is
    imported, after which Pillow pads missing pixels instead of raising; a logo check must not
    depend on whether a PDF was rendered first. The lock keeps two checks from restoring each
    other's value; a PDF drawn in another thread meanwhile meets only whole images (logos
    re-encoded here, our own static files), so the brief switch cannot change it.
    """
    with _PILLOW_FLAG:
        relaxed = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = relaxed


def checked_logo(upload) -> ContentFile:
    """A PNG or JPEG judged by its content, re-encoded (no metadata, nothing appended).

    Raises ValidationError with a message that says what is wrong with the file.
    """
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(
            f"The logo must be smaller than 500 KB; this file is {filesizeformat(upload.size)}"
        )
    data = upload.read()
    kind = next((k for sig, k in SIGNATURES.items() if data.startswith(sig)), None)
    if kind is None:
        raise ValidationError(
            "The logo must be a PNG or JPEG image; this file is neither, whatever its name says"
        )
    try:
        with warnings.catch_warnings(), _truncated_images_refused():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format != kind or image.width * image.height > LOGO_MAX_PIXELS:
                raise ValidationError(
                    "The logo must be at most 25 megapixels; make it smaller and upload it again"
                    if image.format == kind
                    else "The logo's content does not match its type; save it again as PNG or JPEG"
                )
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as problem:
        raise ValidationError(
            "The logo could not be read as an image; save it again as PNG or JPEG and upload that"
        ) from problem
    image.thumbnail(LOGO_BOX)
    out = io.BytesIO()
    if kind == "PNG":
        image.save(out, "PNG", optimize=True)
        return ContentFile(out.getvalue(), name="logo.png")
    image.convert("RGB").save(out, "JPEG", quality=90)
    return ContentFile(out.getvalue(), name="logo.jpg")


@transaction.atomic
def branding_save(*, consultant, display_name: str, logo: ContentFile | None, remove_logo: bool):
    """Set the name, and replace or remove the logo; an old logo file is deleted after commit."""
    branding, _ = ConsultantBranding.objects.select_for_update().get_or_create(
        consultant=consultant, defaults={"display_name": display_name}
    )
    old = branding.logo.name if branding.logo else ""
    branding.display_name = display_name
    if logo is not None:
        branding.logo.save(logo.name, logo, save=False)
    elif remove_logo:
        branding.logo = ""
    branding.save()
    if old and old != branding.logo.name:
        storage = branding.logo.storage
        transaction.on_commit(lambda: storage.delete(old))
    return branding
