"""The signal receivers that stay, all here; everything else a write sets off is called by ``claims.services``.

- ``post_migrate`` → ``roles.ensure_roles``: the groups need the permissions, which exist only
  after migrate.
- ``post_save``/``post_delete`` of Dispute, Claim, Evidence and Party → ``public_parties.forget``:
  a cache must be dropped on every write whatever path made it (admin, shell, a fixture), so it
  listens rather than trusting each caller.
- django-simple-history's own receivers write the history rows (``HistoricalRecords`` on the models).
"""

from django.db.models.signals import post_delete, post_migrate, post_save


def connect(app_config) -> None:
    from . import public_parties
    from .models import Claim, Dispute, Evidence, Party
    from .roles import ensure_roles

    post_migrate.connect(ensure_roles, sender=app_config)
    for model in (Dispute, Claim, Evidence, Party):
        post_save.connect(public_parties.forget, sender=model, dispatch_uid=f"public-parties-save-{model.__name__}")
        post_delete.connect(public_parties.forget, sender=model, dispatch_uid=f"public-parties-delete-{model.__name__}")
