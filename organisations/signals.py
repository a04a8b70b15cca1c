"""What the organisations app announces, for higher apps to act on without being imported here.

`peer_groups_changed`: the organisations in named peer groups changed.
`organisations_reclassified`: `organisation_ids` moved to another kind, region or size band
(`CLASSIFYING_FIELDS`), so they belong to other fixed peer groups now.

Both are sent inside the transaction that made the change, so a receiver that fails undoes it.
"""

from django.dispatch import Signal

peer_groups_changed = Signal()
organisations_reclassified = Signal()
