import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from claims import roles

ROLE_GROUPS = {
    "reader": [roles.READERS],
    "editor": [roles.EDITORS],
    "senior": [roles.EDITORS, roles.SENIOR_EDITORS],
}


class Command(BaseCommand):
    help = (
        "Create a newsroom account in a role (reader, editor or senior editor) and print its login. "
        "Without --password a strong one is generated. An existing account keeps its password "
        "unless --reset-password is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLE_GROUPS), default="editor")
        parser.add_argument("--password", help="Password to set (default: generate one).")
        parser.add_argument("--email", default="")
        parser.add_argument("--staff", action="store_true", help="Also let the account into the admin.")
        parser.add_argument("--reset-password", action="store_true", help="Set a new password on an existing account.")

    def handle(
        self,
        *args,
        username: str,
        role: str,
        password: str | None,
        email: str,
        staff: bool,
        reset_password: bool,
        **options,
    ) -> None:
        roles.ensure_roles()
        username = username.strip()
        if not username:
            raise CommandError("The user name cannot be empty.")
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        shown_password = None
        if created or reset_password or password:
            shown_password = password or secrets.token_urlsafe(12)
            user.set_password(shown_password)
        if staff:
            user.is_staff = True
        user.save()
        user.groups.add(*Group.objects.filter(name__in=ROLE_GROUPS[role]))
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {role} account “{username}”."))
        if shown_password:
            self.stdout.write(f"  user name: {username}\n  password:  {shown_password}")
        else:
            self.stdout.write("  (password unchanged; use --reset-password to set a new one)")
