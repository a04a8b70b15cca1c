"""Check a built-in framework's versions as load_frameworks would load them, in a throwaway
database: every version of each named framework imported and published in order, with every
problem printed and each later version's crosswalk counted.

    .venv/bin/python scripts/check_library.py [framework-slug ...]   (default: all of them)
"""

import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def main(slugs: list[str]) -> int:
    database = Path(tempfile.mkdtemp()) / "check.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from frameworks.builtin import library_files, library_spec
    from frameworks.fileformat import FrameworkFileError
    from frameworks.services import framework_version_import

    call_command("migrate", verbosity=0)
    failed = False
    for path in library_files():
        if slugs and path.parent.name not in slugs:
            continue
        name = path.relative_to(BASE_DIR)
        try:
            spec = library_spec(path)
            framework_version_import(spec=spec, publish=True)
        except FrameworkFileError as exc:
            failed = True
            print(f"{name}: REFUSED")
            for problem in exc.problems:
                print(f"  {problem}")
            continue
        relations = Counter(
            "not stated"
            if q.derived_from is None
            else (q.derived_from[0].relation if q.derived_from else "new")
            for d in spec.dimensions
            for q in d.questions
        )
        print(
            f"{name}: published, {spec.question_count} questions; crosswalk "
            + ", ".join(f"{k} {v}" for k, v in sorted(relations.items()))
            + f"; dropped {len(spec.dropped)}; flags "
            + (", ".join(f.code for f in spec.flags) or "none")
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
