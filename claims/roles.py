"""The newsroom's roles as Django groups, and the checks views make against them.

Readers read; Editors create and edit; Senior editors also set verdicts, delete,
and publish or unpublish. Staff reach the admin (``is_staff``).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# Whom a read or a write is for: a signed-in user, a stranger, or nobody (``None``: a feed
# built for everyone, a command). The type of every ``user`` the services and selectors take.
type AnyUser = AbstractBaseUser | AnonymousUser | None

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
    # Imported here so the models can use the predicates below without an import cycle.
    from django.contrib.auth.models import Group, Permission

    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
        group.permissions.set(perms)


# --- The role predicates: the one place that says who may do what --------------------------
# Each takes any user object (or None for a request nobody made, such as a feed build) and
# answers False for strangers and deactivated accounts.


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_reader(user) -> bool:
    """May read the record's internals (history, which names editors): any role, or staff with view rights."""
    return _active(user) and user.has_perm("claims.view_dispute")


def can_see_drafts(user) -> bool:
    """May see unpublished disputes and whatever is known only from them (editors, senior editors, admins).

    Staff who may only view in the admin see drafts there and so here too; staff without
    rights on disputes see what a stranger sees.
    """
    return _active(user) and (
        user.has_perm("claims.change_dispute") or (user.is_staff and user.has_perm("claims.view_dispute"))
    )


def can_edit(user) -> bool:
    """May create and change claims, evidence, articles, sources and disputes (Editors)."""
    return _active(user) and user.has_perm("claims.change_claim")


def can_publish(user) -> bool:
    return _active(user) and user.has_perm("claims.publish_dispute")


def can_settle(user) -> bool:
    return _active(user) and user.has_perm("claims.settle_dispute")


def can_delete(user) -> bool:
    """May delete (Senior editors)."""
    return _active(user) and user.has_perm("claims.delete_claim")
