from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claim ledger"

    def ready(self) -> None:
        from .roles import ensure_roles

        # Groups need the permissions, which exist only after migrate: hence post_migrate.
        post_migrate.connect(ensure_roles, sender=self)

        from . import feed_items

        # A feed item is added when a claim, evidence, article, verdict or check arrives.
        feed_items.connect()

        from .checking import hooks

        # A new source, or a source whose URL changed, gets a background check at once.
        hooks.connect()

        from . import public_parties

        # The home filter's cached party list is dropped whenever what it depends on is written.
        public_parties.connect()

        from . import admin_widgets

        # Admin forms sent back with a malformed id show their error instead of a 500.
        admin_widgets.install()
