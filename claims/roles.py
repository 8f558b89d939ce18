"""The newsroom's roles as Django groups, and the checks views make against them.

Readers read; Editors create and edit; Senior editors also set verdicts, delete,
and publish or unpublish. Staff reach the admin (``is_staff``).
"""

from django.contrib.auth.models import Group, Permission

READERS = "Readers"
EDITORS = "Editors"
SENIOR_EDITORS = "Senior editors"

EDITED_MODELS = ["dispute", "claim", "evidence", "evidencelink", "articlelink", "source", "party", "speaker"]
VIEWED_MODELS = EDITED_MODELS + ["sourcecheck", "quotecheck", "checkjob"]


def _perms(actions: list[str], models: list[str]) -> list[str]:
    return [f"{action}_{model}" for action in actions for model in models]


ROLE_PERMISSIONS = {
    READERS: _perms(["view"], VIEWED_MODELS),
    EDITORS: _perms(["view"], VIEWED_MODELS) + _perms(["add", "change"], EDITED_MODELS),
    SENIOR_EDITORS: _perms(["view"], VIEWED_MODELS)
    + _perms(["add", "change", "delete"], EDITED_MODELS)
    + ["publish_dispute", "settle_dispute", "change_checkjob"],
}


def ensure_roles(**kwargs) -> None:
    """Create the groups and give them exactly their permissions (safe to run again)."""
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
        group.permissions.set(perms)


def can_edit(user) -> bool:
    return user.is_authenticated and user.has_perm("claims.change_claim")


def can_publish(user) -> bool:
    return user.is_authenticated and user.has_perm("claims.publish_dispute")


def can_settle(user) -> bool:
    return user.is_authenticated and user.has_perm("claims.settle_dispute")


def can_delete(user) -> bool:
    return user.is_authenticated and user.has_perm("claims.delete_claim")
