from django.conf import settings

from . import roles


def site(request) -> dict:
    user = request.user
    return {
        "SITE_NAME": settings.SITE_NAME,
        "can_edit": roles.can_edit(user),
        "can_publish": roles.can_publish(user),
        "can_settle": roles.can_settle(user),
        "can_delete": roles.can_delete(user),
    }
