"""Permission checks for the editing views, made on the server for every request.

Strangers are sent to the login page; a logged-in user without the role gets 403.
The checks look at the role (``claims.roles``), never at anything the form sent.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from claims import roles


def _require(check: Callable, message: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                if getattr(request, "htmx", False):
                    # A fragment swap would put the login page inside a card; go to it instead.
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = redirect_to_login(request.htmx.current_url_abs_path or "/")["Location"]
                    return response
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


require_reader = _require(roles.is_reader, "Your account has no reader role.")
require_editor = _require(roles.can_edit, "Only editors can change the record.")
require_senior = _require(roles.can_delete, "Only senior editors can do this.")
require_publisher = _require(roles.can_publish, "Only senior editors publish and unpublish.")
require_settler = _require(roles.can_settle, "Only senior editors set verdicts.")
