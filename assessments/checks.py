"""A check that the operator's virus scanner can be found (`manage.py check`), so a mistyped
EVIDENCE_SCANNER stops the service at start-up rather than failing every upload."""

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string


@register()
def evidence_scanner_importable(app_configs, **kwargs):
    if not settings.EVIDENCE_SCANNER:
        return []
    try:
        scanner = import_string(settings.EVIDENCE_SCANNER)
    except ImportError as exc:
        problem = f"cannot be imported ({exc})"
    else:
        if callable(scanner):
            return []
        problem = "is not a function"
    return [
        Error(
            f"EVIDENCE_SCANNER {settings.EVIDENCE_SCANNER!r} {problem}.",
            hint="Give the dotted path of a function taking the uploaded file and returning "
            "None (clean) or the reason it is refused, or leave EVIDENCE_SCANNER empty.",
            id="assessments.E001",
        )
    ]
