"""Headers every response carries: who may keep a copy, and what the browser may switch on.

Everything made for a signed-in person (every page and every download: PDF, XLSX, CSV, zip,
logo) is `no-store`, so a shared computer's browser or a proxy keeps no copy of it. Open data
stays publicly cacheable. Walks the same URL lists as the isolation guard.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from maturity.accounts.branding import branding_save
from tests import test_isolation
from tests.factories import UserFactory
from tests.test_isolation import EDITOR_ONLY, OWN_DATA, POST_ONLY, PUBLIC, TENANT, signed_in

# Tasks run as queued, so the board report link serves its PDF in the request under test.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]

world = test_isolation.world

# Public pages and downloads the same for everybody, so anyone's cache may keep them.
OPEN_DATA = {
    "frameworks:catalogue": lambda w: {},
    "frameworks:framework": lambda w: {"slug": w.framework_version.framework.slug},
    "frameworks:version": lambda w: test_isolation._fv_kwargs(w),
    "frameworks:download_yaml": lambda w: test_isolation._fv_kwargs(w),
    "frameworks:download_json": lambda w: test_isolation._fv_kwargs(w),
    "frameworks:download_xlsx": lambda w: test_isolation._fv_kwargs(w),
    "frameworks:questionnaire_pdf": lambda w: test_isolation._fv_kwargs(w),
    "benchmarks:national_index": lambda w: {},
    "benchmarks:national": lambda w: {"framework": w.framework_version.framework.slug},
    "benchmarks:national_csv": lambda w: {"framework": w.framework_version.framework.slug},
    "benchmarks:national_json": lambda w: {"framework": w.framework_version.framework.slug},
}


def read(response) -> int:
    """The status, after reading a streamed download through (so its file is closed)."""
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def assert_not_stored(response, name):
    assert "no-store" in response.get("Cache-Control", ""), (name, response.get("Cache-Control"))
    assert "public" not in response["Cache-Control"], name
    assert "Cookie" in response.get("Vary", ""), name


def with_logo(user):
    image = io.BytesIO()
    Image.new("RGB", (240, 80), (29, 112, 184)).save(image, "PNG")
    logo = SimpleUploadedFile("firm.png", image.getvalue(), content_type="image/png")
    branding_save(consultant=user, display_name="Acme Advisory", logo=logo, remove_logo=False)
    return user


@pytest.mark.parametrize("name", sorted(set(TENANT) - POST_ONLY))
def test_every_signed_in_page_and_download_is_never_stored(world, name):
    response = signed_in(world.people["a_lead"]).get(reverse(name, kwargs=TENANT[name][1](world)))
    assert read(response) == 200, name
    assert_not_stored(response, name)


@pytest.mark.parametrize("name", sorted(OWN_DATA))
def test_every_personal_page_and_download_is_never_stored(world, name):
    kwargs = OWN_DATA[name](world)
    response = signed_in(with_logo(world.people["a_consultant"])).get(reverse(name, kwargs=kwargs))
    assert read(response) == 200, name
    assert_not_stored(response, name)


@pytest.mark.parametrize("name", sorted(set(EDITOR_ONLY) - POST_ONLY))
def test_every_editor_page_is_never_stored(world, name):
    editor = UserFactory(editor=True)
    response = signed_in(editor).get(reverse(name, kwargs=EDITOR_ONLY[name](world)))
    assert read(response) in (200, 302), name  # publishing a published version redirects
    assert_not_stored(response, name)


@pytest.mark.parametrize("name", sorted(OPEN_DATA))
def test_public_pages_are_not_stored_once_signed_in(world, name):
    """The header names the person signed in, and a consultant's questionnaire is branded."""
    response = signed_in(world.people["a_consultant"]).get(
        reverse(name, kwargs=OPEN_DATA[name](world))
    )
    assert read(response) == 200, name
    assert_not_stored(response, name)


@pytest.mark.parametrize("name", sorted(OPEN_DATA))
def test_open_data_stays_publicly_cacheable(world, name):
    assert set(OPEN_DATA) <= PUBLIC
    response = test_isolation.CsrfClient().get(reverse(name, kwargs=OPEN_DATA[name](world)))
    assert read(response) == 200, name
    assert "no-store" not in response.get("Cache-Control", ""), name
    assert "private" not in response.get("Cache-Control", ""), name


def test_a_page_that_sets_its_own_caching_keeps_it(world):
    response = signed_in(world.people["a_lead"]).get(reverse("healthz"))
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


@pytest.mark.parametrize("signed_in_as", [None, "a_lead"])
def test_permissions_policy_denies_features_the_service_never_uses(world, signed_in_as):
    client = signed_in(world.people[signed_in_as]) if signed_in_as else test_isolation.CsrfClient()
    policy = client.get("/")["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in policy.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert features[feature] == "()", feature
