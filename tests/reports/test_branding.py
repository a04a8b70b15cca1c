"""Consultant branding: a name and a logo (PNG or JPEG, judged by content) on their exports."""

import io
import random
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image, ImageFile

from maturity.accounts.branding import branding_save, checked_logo
from maturity.accounts.models import ConsultantBranding
from maturity.pdf import read_own_file
from tests.conftest import CsrfClient
from tests.factories import (
    ConsultantGrantFactory,
    OrganisationFactory,
    UserFactory,
    make_version,
    submit,
)
from tests.pdf import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


def image_bytes(fmt: str, size=(240, 80), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (29, 112, 184)).save(out, fmt, **save)
    return out.getvalue()


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def test_a_png_and_a_jpeg_are_kept_reencoded_without_metadata():
    png = checked_logo(upload(image_bytes("PNG"), "firm.png"))
    assert png.name == "logo.png" and png.read().startswith(b"\x89PNG")
    exif = Image.Exif()
    exif[0x010E] = "GPS and camera details that should not travel"  # ImageDescription
    jpeg = checked_logo(upload(image_bytes("JPEG", exif=exif.tobytes()), "photo.jpeg"))
    data = jpeg.read()
    assert jpeg.name == "logo.jpg" and data.startswith(b"\xff\xd8\xff")
    assert b"should not travel" not in data


def test_a_big_logo_is_scaled_down_to_fit_a_report_cover():
    logo = checked_logo(upload(image_bytes("PNG", size=(3000, 900)), "big.png"))
    assert Image.open(logo).size == (1200, 360)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.png", "neither, whatever its name"),
        (b"GIF89a" + b"\0" * 40, "logo.jpg", "neither, whatever its name"),
        (b"MZ\x90\0 an executable", "logo.png", "neither, whatever its name"),
        (b"\x89PNG\r\n\x1a\n" + b"truncated garbage", "logo.png", "could not be read"),
        (b"\xff\xd8\xff" + b"\0" * 64, "logo.jpg", "could not be read"),
        (image_bytes("PNG") + b"\0" * (500 * 1024), "padded.png", "smaller than 500 KB"),
        (image_bytes("PNG", size=(6000, 5000)), "huge.png", "25 megapixels"),
    ],
)
def test_anything_else_is_refused_with_a_reason(data, name, message):
    with pytest.raises(ValidationError) as problem:
        checked_logo(upload(data, name))
    assert message in problem.value.messages[0]


def truncated(fmt: str) -> bytes:
    """A noisy image (so its pixel data is long) cut off at 60 %: header intact, pixels missing."""
    noise = Image.frombytes("RGB", (200, 120), random.Random(12).randbytes(200 * 120 * 3))
    out = io.BytesIO()
    noise.save(out, fmt)
    whole = out.getvalue()
    return whole[: len(whole) * 6 // 10]


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "cut.png"), ("JPEG", "cut.jpg")])
def test_a_truncated_logo_is_refused_even_after_weasyprint_relaxed_pillow(monkeypatch, fmt, name):
    # WeasyPrint sets this for the whole process when a PDF is first rendered.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    Image.open(io.BytesIO(truncated(fmt))).load()  # Pillow itself now pads the missing pixels
    with pytest.raises(ValidationError) as problem:
        checked_logo(upload(truncated(fmt), name))
    assert "could not be read as an image" in problem.value.messages[0]
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # and the check left WeasyPrint's choice alone


def consultant_client(user) -> CsrfClient:
    """Signed in as `user`, made a consultant (branding is for consultants only)."""
    if not user.consultant_grants.filter(revoked_at__isnull=True).exists():
        ConsultantGrantFactory(consultant=user)
    client = CsrfClient()
    client.force_login(user)
    return client


def test_the_branding_page_saves_a_name_and_logo_and_shows_the_logo_only_to_its_owner():
    consultant = UserFactory()
    client = consultant_client(consultant)
    url = reverse("reports:branding")
    page = client.get(url).content.decode()
    assert "Name to show on your exports" in page and 'enctype="multipart/form-data"' in page
    response = client.submit(
        url,
        {"display_name": "Acme Advisory", "logo": upload(image_bytes("PNG"), "acme.png")},
    )
    assert response.status_code == 302
    branding = ConsultantBranding.objects.get(consultant=consultant)
    assert branding.display_name == "Acme Advisory"
    assert branding.logo.name.startswith("logos/") and branding.logo.name.endswith(".png")
    page = client.get(url).content.decode()
    assert "Prepared by Acme Advisory" in page and "Remove my current logo" in page
    logo = client.get(reverse("reports:branding_logo"))
    assert logo["Content-Type"] == "image/png"
    assert b"".join(logo.streaming_content).startswith(b"\x89PNG")
    # Someone else has no logo of their own, and cannot reach this one.
    assert consultant_client(UserFactory()).get(reverse("reports:branding_logo")).status_code == 404


def test_a_bad_upload_changes_nothing_and_says_what_is_wrong():
    consultant = UserFactory()
    branding_save(
        consultant=consultant,
        display_name="Acme Advisory",
        logo=checked_logo(upload(image_bytes("PNG"), "a.png")),
        remove_logo=False,
    )
    before = ConsultantBranding.objects.get(consultant=consultant)
    response = consultant_client(consultant).submit(
        reverse("reports:branding"),
        {"display_name": "Renamed Ltd", "logo": upload(b"%PDF-1.7 not an image", "logo.png")},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "neither, whatever its name says" in page
    after = ConsultantBranding.objects.get(consultant=consultant)
    assert (after.display_name, after.logo.name) == (before.display_name, before.logo.name)
    assert default_storage.exists(before.logo.name)


def test_the_branding_page_refuses_a_truncated_logo_after_a_pdf_was_rendered(monkeypatch):
    consultant = UserFactory()
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # as WeasyPrint leaves it
    response = consultant_client(consultant).submit(
        reverse("reports:branding"),
        {"display_name": "Acme Advisory", "logo": upload(truncated("PNG"), "cut.png")},
    )
    assert response.status_code == 200
    assert "The logo could not be read as an image" in response.content.decode()
    assert not ConsultantBranding.objects.filter(consultant=consultant).exists()


def test_replacing_or_removing_a_logo_deletes_the_old_file(django_capture_on_commit_callbacks):
    consultant = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = branding_save(
            consultant=consultant,
            display_name="Acme",
            logo=checked_logo(upload(image_bytes("PNG"), "a.png")),
            remove_logo=False,
        ).logo.name
    with django_capture_on_commit_callbacks(execute=True):
        second = branding_save(
            consultant=consultant,
            display_name="Acme",
            logo=checked_logo(upload(image_bytes("JPEG"), "b.jpg")),
            remove_logo=False,
        ).logo.name
    assert second.endswith(".jpg") and not default_storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        branding = branding_save(
            consultant=consultant, display_name="Acme", logo=None, remove_logo=True
        )
    assert not branding.logo and not default_storage.exists(second)


def test_a_consultants_report_and_xlsx_carry_their_branding_and_the_clients_own_do_not(tmp_path):
    fv = make_version(dimensions=1, questions=1)
    org = OrganisationFactory(name="Kappa District Council")
    assessment, lead = submit(org, fv, [3])
    consultant = UserFactory()
    ConsultantGrantFactory(consultant=consultant, organisation=org)
    branding_save(
        consultant=consultant,
        display_name="Acme Advisory",
        logo=checked_logo(upload(image_bytes("PNG"), "a.png")),
        remove_logo=False,
    )
    kwargs = {"pk": org.pk, "apk": assessment.pk}
    theirs = consultant_client(consultant).get(reverse("reports:report_pdf", kwargs=kwargs))
    own = consultant_client(lead).get(reverse("reports:report_pdf", kwargs=kwargs))
    assert "Prepared by Acme Advisory" in pdf_text(theirs.content, tmp_path)
    assert "Prepared by" not in pdf_text(own.content, tmp_path)
    # The logo is embedded in the consultant's report (the radar is vector, so it is the image).
    path = tmp_path / "theirs.pdf"
    path.write_bytes(theirs.content)
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(images) == 1 and " 240 " in images[0]

    xlsx = consultant_client(consultant).get(reverse("reports:export_xlsx", kwargs=kwargs))
    about = {row[0]: row[1] for row in load_workbook(io.BytesIO(xlsx.content))["About"].values}
    assert about["Prepared by"] == "Acme Advisory"
    lead_xlsx = consultant_client(lead).get(reverse("reports:export_xlsx", kwargs=kwargs))
    assert "Prepared by" not in {
        row[0] for row in load_workbook(io.BytesIO(lead_xlsx.content))["About"].values
    }


def test_pdfs_load_our_static_files_and_logos_and_nothing_else():
    logo = branding_save(
        consultant=UserFactory(),
        display_name="Acme",
        logo=checked_logo(upload(image_bytes("PNG"), "a.png")),
        remove_logo=False,
    ).logo
    body, content_type = read_own_file(f"http://report.invalid{logo.url}")
    assert content_type == "image/png" and body.startswith(b"\x89PNG")
    css, content_type = read_own_file("http://report.invalid/static/css/plotly-rules.css")
    assert content_type == "text/css" and css
    default_storage.save("exports/secret.zip", io.BytesIO(b"PK"))
    for url in [
        "file:///etc/passwd",
        "http://example.com/static/css/plotly-rules.css",
        "http://report.invalid/media/exports/secret.zip",
        "http://report.invalid/media/logos/../exports/secret.zip",
        "http://report.invalid/media/logos/0123456789abcdef0123456789abcdef.png",  # no such file
        "http://report.invalid/static/../maturity/settings.py",
    ]:
        with pytest.raises(ValueError, match="only this service's own files"):
            read_own_file(url)
