"""What the assessments app announces, for higher apps to act on without being imported here.

`submissions_changed`: an assessment was submitted or reopened, so the organisation's latest
submission on `framework_version_id` may have changed. Sent inside the submit or reopen
transaction, after `is_latest_submission` is up to date: a receiver that fails undoes the
submission, so peer figures can never disagree with what is stored.
"""

from django.dispatch import Signal

submissions_changed = Signal()
