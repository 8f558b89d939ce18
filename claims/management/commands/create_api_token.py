from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from claims.models import ApiToken


class Command(BaseCommand):
    help = (
        "Make a token for the read-only JSON API (/api/) and print it once; only its hash is kept. "
        "The token reads what its user may read. Revoke tokens in the admin or with --revoke PREFIX."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="The user the token acts as.")
        parser.add_argument("--name", default="API client", help="What the token is for (shown in lists).")
        parser.add_argument("--revoke", metavar="PREFIX", help="Revoke this user's token starting with PREFIX instead.")

    def handle(self, *args, username: str, name: str, revoke: str | None, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        if revoke:
            tokens = ApiToken.objects.active().filter(user=user, prefix__startswith=revoke[:8])
            if not tokens.exists():
                raise CommandError(f"{username} has no active token starting with {revoke!r}.")
            for token in tokens:
                token.revoke()
            self.stdout.write(f"Revoked {len(tokens)} token(s).")
            return
        _, raw = ApiToken.issue(user, name)
        self.stdout.write(raw)
