"""What the organisations app announces, for higher apps to act on without being imported here.

`peer_groups_changed`: the organisations in named peer groups changed (sent inside the
transaction that changed them), so anything built from group membership must follow.
"""

from django.dispatch import Signal

peer_groups_changed = Signal()
