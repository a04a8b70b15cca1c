"""Released figures are kept per process between releases, so a dashboard's cost does not
grow with the number of bodies; a new release is seen at once."""

import pytest

from benchmarks.figures import released_figures
from organisations.models import Organisation
from tests.factories import OrganisationFactory, make_version, release, submit

pytestmark = pytest.mark.django_db


def unitaries(fv, levels):
    for level in levels:
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), fv, [level] * 2)


def median(fv):
    return released_figures(framework_version_id=fv.pk, scale_values=[1, 2, 3, 4, 5]).summary(
        "all", "overall"
    )


def test_between_releases_the_figures_are_read_once(django_assert_num_queries):
    fv = make_version(slug="kept", dimensions=2, questions=1)
    unitaries(fv, [1, 2, 3, 4, 5, 3])
    release(fv)
    first = released_figures(framework_version_id=fv.pk, scale_values=[1, 2, 3, 4, 5])
    with django_assert_num_queries(1):  # which releases there are, not every body's values
        again = released_figures(framework_version_id=fv.pk, scale_values=[1, 2, 3, 4, 5])
    assert again is first


def test_a_new_release_is_seen_at_once():
    fv = make_version(slug="kept", dimensions=2, questions=1)
    unitaries(fv, [1, 1, 1, 1, 1, 1])
    release(fv)
    assert median(fv).median == 1
    unitaries(fv, [5] * 8)
    release(fv)
    assert median(fv).median == 5
