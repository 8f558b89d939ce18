"""Signing in, and what a signed-in request costs: the user and their permissions in one query.

Django's ``ModelBackend`` reads the user by id, then, at the first role check of the
request, their own permissions and their groups' permissions: three queries (and three
ORM compilations) before a signed-in page does any work of its own, which was most of
the difference between an editor's home page and a visitor's (docs/performance.md).
``RoleBackend.get_user`` reads the user with the names of all their permissions beside
the row (SQL written out: building the same query with the ORM cost more than running
it) and fills ``ModelBackend``'s own per-request cache (``_perm_cache``), so every
``has_perm`` of the request (``claims.roles``) answers from it. Nothing outlives the
request: a role taken away counts from the next request, as before.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router

# Permission names never contain it (``app_label.codename``: identifiers).
_SEPARATOR = " "


@cache
def _user_with_permissions_sql(vendor: str) -> str:
    User = get_user_model()
    aggregate = "string_agg" if vendor == "postgresql" else "group_concat"
    groups = User.groups.through._meta.db_table  # type: ignore[attr-defined]
    own = User.user_permissions.through._meta.db_table  # type: ignore[attr-defined]
    group_permissions = Permission.group_set.through._meta.db_table  # type: ignore[attr-defined]
    # Each permission once (UNION), so the aggregate needs no DISTINCT (SQLite has none with a separator).
    return (
        f"SELECT u.*, (SELECT {aggregate}(ct.app_label || '.' || p.codename, '{_SEPARATOR}')"  # noqa: S608 — model tables
        f" FROM {Permission._meta.db_table} p JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id"
        f" WHERE p.id IN (SELECT permission_id FROM {own} WHERE user_id = u.id"
        f" UNION SELECT gp.permission_id FROM {group_permissions} gp"
        f" JOIN {groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = u.id)) AS permission_names"
        f" FROM {User._meta.db_table} u WHERE u.{User._meta.pk.column} = %s"  # type: ignore[union-attr]
    )


class RoleBackend(ModelBackend):
    def get_user(self, user_id):
        UserModel = get_user_model()
        try:
            pk = UserModel._meta.pk.to_python(user_id)  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 — a session with a malformed id is no user, as in ModelBackend
            return None
        vendor = connections[router.db_for_read(UserModel)].vendor
        found = list(UserModel._default_manager.raw(_user_with_permissions_sql(vendor), [pk]))
        if not found:
            return None
        user = found[0]
        if not self.user_can_authenticate(user):
            return None
        # What ModelBackend.get_all_permissions would read; superusers have every permission
        # (User.has_perm answers them before asking any backend), so theirs stays lazy.
        if user.is_active and not user.is_superuser:
            user._perm_cache = set(filter(None, (user.permission_names or "").split(_SEPARATOR)))
        return user
