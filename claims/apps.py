from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claim ledger"

    def ready(self) -> None:
        from .roles import ensure_roles

        # Groups need the permissions, which exist only after migrate: hence post_migrate.
        post_migrate.connect(ensure_roles, sender=self)

        from . import activity

        # Feed items: a development is recorded when a claim, evidence, article, verdict or check arrives.
        activity.connect()

        from .checking import hooks

        # A new source, or a source whose URL changed, gets a background check at once.
        hooks.connect()

        from . import admin_widgets

        # Admin forms sent back with a malformed id show their error instead of a 500.
        admin_widgets.install()
