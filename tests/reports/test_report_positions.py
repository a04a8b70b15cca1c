"""The PDF names a position as the pages do: a quarter counted from a named end."""

import re

import pytest

from organisations.models import Organisation
from reports.report import render_pdf
from tests.benchmarks.test_dashboard import other_kinds
from tests.factories import OrganisationFactory, make_version, release, submit
from tests.pdf import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


def test_the_report_names_positions_from_a_named_end(tmp_path):
    fv = make_version(dimensions=2, questions=2)
    me = OrganisationFactory(kind=Organisation.Kind.UNITARY)
    assessment, _ = submit(me, fv, [2, 2, 5, 5])
    for level in (1, 1, 2, 2, 3, 3, 3, 4, 4, 4, 5):
        submit(OrganisationFactory(kind=Organisation.Kind.UNITARY), fv, [level] * 4)
    other_kinds(fv)
    release(fv)
    text = " ".join(pdf_text(render_pdf(assessment=assessment), tmp_path).split())
    # Dimension 1 at 2.0 (lower quartile 2.0, median 3.0), dimension 2 at 5.0 (upper 4.0).
    assert re.search(r"Position: second lowest quarter of 12 organisations of the same kind", text)
    assert re.search(r"Position: highest quarter of 12 organisations of the same kind", text)
    assert "quartile of" not in text
