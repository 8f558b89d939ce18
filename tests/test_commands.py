import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from claims import roles

pytestmark = pytest.mark.django_db


def test_create_editor_prints_a_working_login(capsys):
    call_command("create_editor", "newsdesk", "--role", "editor")
    out = capsys.readouterr().out
    password = out.split("password:")[1].split()[0]
    user = get_user_model().objects.get(username="newsdesk")
    assert user.check_password(password)
    assert user.groups.filter(name=roles.EDITORS).exists()
    assert user.has_perm("claims.change_claim")
    assert not user.has_perm("claims.publish_dispute")


def test_senior_role_can_publish_and_settle(capsys):
    call_command("create_editor", "chief", "--role", "senior", "--staff")
    user = get_user_model().objects.get(username="chief")
    assert user.is_staff
    assert user.has_perm("claims.publish_dispute") and user.has_perm("claims.settle_dispute")
    assert user.has_perm("claims.delete_claim")


def test_existing_account_keeps_its_password_unless_reset(capsys):
    call_command("create_editor", "desk", "--password", "first-Pass-123")
    call_command("create_editor", "desk")
    user = get_user_model().objects.get(username="desk")
    assert user.check_password("first-Pass-123")
    assert "password unchanged" in capsys.readouterr().out


def test_empty_username_is_refused():
    with pytest.raises(CommandError, match="cannot be empty"):
        call_command("create_editor", "  ")
