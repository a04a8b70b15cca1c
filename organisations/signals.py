"""What the organisations app announces, for higher apps to act on without being imported here.

`peer_groups_changed`: the organisations in named peer groups changed.
`organisations_reclassified`: `organisation_ids` moved to another kind, region or size band
(`CLASSIFYING_FIELDS`), so they belong to other fixed peer groups now.

`membership_role_set`: `membership` was created (`previous_role` None) or given another role,
by `by`; `base_url` (or None) is where links in any email it sets off point.

All are sent inside the transaction that made the change, so a receiver that fails undoes it.
"""

from django.dispatch import Signal

peer_groups_changed = Signal()
organisations_reclassified = Signal()
membership_role_set = Signal()
