from functools import wraps

from django.contrib.auth.decorators import login_required

from organisations.models import Role
from organisations.selectors import organisation_access


def organisation_view(minimum: str = Role.VIEWER):
    """Resolve the organisation in the URL through the one scoped selector.

    Anonymous: sign in first. Not a member: 404. Member without `minimum`: 403. The view is
    called with the `Access` in place of the organisation's id.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, pk, *args, **kwargs):
            access = organisation_access(user=request.user, pk=pk).require(minimum)
            return view(request, access, *args, **kwargs)

        return wrapped

    return decorator
