"""The built-in frameworks shipped as files in frameworks/library/<slug>/<version>.yaml."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from frameworks.fileformat import FrameworkSpec, parse_framework, version_key
from frameworks.models import FrameworkVersion
from frameworks.selectors import framework_version_spec
from frameworks.services import framework_version_import, framework_version_publish

LIBRARY_DIR = Path(__file__).resolve().parent / "library"


def library_files() -> list[Path]:
    """Every version file, `<framework slug>/<version>.yaml`, each framework's versions oldest
    first (a later version's crosswalk names the earlier one, which must be loaded first)."""
    return sorted(
        LIBRARY_DIR.glob("*/*.yaml"), key=lambda path: (path.parent.name, version_key(path.stem))
    )


def library_spec(path: Path) -> FrameworkSpec:
    return parse_framework(
        path.read_bytes(), filename=path.name, max_bytes=settings.FRAMEWORK_FILE_MAX_BYTES
    )


@dataclass
class LoadResult:
    path: Path
    spec: FrameworkSpec
    # "loaded", "unchanged", "published", "differs" (not loaded: the database has this version
    # number with other content) or "superseded" (not loaded: it has a higher version).
    outcome: str


@transaction.atomic
def library_load() -> list[LoadResult]:
    """Load and publish every built-in framework. Running it again changes nothing."""
    results = []
    for path in library_files():
        spec = library_spec(path)
        versions = list(FrameworkVersion.objects.filter(framework__slug=spec.slug))
        existing = next((v for v in versions if v.version == spec.version), None)
        if existing is None:
            if any(version_key(v.version) >= version_key(spec.version) for v in versions):
                # The database has a higher number, or this one written another way ("1.0"
                # for "1.0.0"): an editor has moved the framework on, and the import would be
                # refused. Their version stays the current one.
                outcome = "superseded"
            else:
                framework_version_import(spec=spec, publish=True)
                outcome = "loaded"
        elif framework_version_spec(framework_version=existing) != spec:
            outcome = "differs"
        elif existing.is_draft:
            framework_version_publish(framework_version=existing)
            outcome = "published"
        else:
            outcome = "unchanged"
        results.append(LoadResult(path=path, spec=spec, outcome=outcome))
    return results
