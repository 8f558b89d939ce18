from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("Claim ledger")

    def ready(self) -> None:
        from . import receivers

        # The few receivers that stay (roles after migrate, a cache dropped on writes): claims/receivers.py.
        # Feed items and source checks are called by the services, not from signals.
        receivers.connect(self)

        from . import admin_widgets

        # Admin forms sent back with a malformed id show their error instead of a 500.
        admin_widgets.install()

        from . import labels

        # Models and fields named in the reader's language, in the admin too (claims/labels.py).
        labels.translate_model_names()
