"""Watching (issue 12, "Follow"): the Watch button on disputes, parties and sources, the
Watching page with one-click unwatch, editors watching what they create, drafts kept from
those who may not see them, and the account page's notification settings."""

import datetime

import pytest
from django.urls import reverse

from claims import following, services
from claims.models import EmailMode, NotificationSettings, Stance, Watch

from .factories import ClaimFactory, DisputeFactory, PartyFactory, SourceFactory, UserFactory
from .helpers import HTMX

pytestmark = pytest.mark.django_db


def _targets():
    claim = ClaimFactory(dispute__is_published=True)
    return {"dispute": claim.dispute, "party": claim.party, "source": claim.source}


def _watch_url(kind, target):
    return reverse("claims:watch", args=[kind, target.pk])


@pytest.mark.parametrize("kind", ["dispute", "party", "source"])
def test_a_reader_watches_and_unwatches_each_kind(client, reader, kind):
    target = _targets()[kind]
    client.force_login(reader)
    response = client.post(_watch_url(kind, target), {"action": "watch"}, **HTMX)
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode() and ">Watching<" in response.content.decode()
    assert following.is_watching(reader, target)
    # Pressing Watch again (a double click) keeps one watch.
    client.post(_watch_url(kind, target), {"action": "watch"}, **HTMX)
    assert Watch.objects.filter(user=reader).count() == 1

    response = client.post(_watch_url(kind, target), {"action": "unwatch"}, **HTMX)
    assert 'aria-pressed="false"' in response.content.decode()
    assert not following.is_watching(reader, target)


def test_without_javascript_the_button_is_a_page_and_a_post_returns_to_the_object(client, reader):
    dispute = _targets()["dispute"]
    client.force_login(reader)
    page = client.get(_watch_url("dispute", dispute))
    assert page.status_code == 200 and 'value="watch"' in page.content.decode()
    response = client.post(_watch_url("dispute", dispute), {"action": "watch"})
    assert response.status_code == 302 and response["Location"] == dispute.get_absolute_url()
    assert following.is_watching(reader, dispute)


def test_a_stranger_is_asked_to_log_in_and_nothing_is_watched(client):
    dispute = _targets()["dispute"]
    response = client.post(_watch_url("dispute", dispute), {"action": "watch"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Watch.objects.exists()


def test_a_bad_action_or_method_is_refused_and_changes_nothing(client, reader):
    dispute = _targets()["dispute"]
    client.force_login(reader)
    assert client.post(_watch_url("dispute", dispute), {"action": "subscribe"}).status_code == 400
    assert client.put(_watch_url("dispute", dispute)).status_code == 405
    assert client.post(reverse("claims:watch", args=["claim", dispute.pk]), {"action": "watch"}).status_code == 404
    assert not Watch.objects.exists()


def test_drafts_cannot_be_watched_by_those_who_may_not_see_them(client, reader, editor):
    claim = ClaimFactory(dispute__is_published=False)  # its party and source are known only from the draft
    client.force_login(reader)
    for kind, target in (("dispute", claim.dispute), ("party", claim.party), ("source", claim.source)):
        assert client.post(_watch_url(kind, target), {"action": "watch"}).status_code == 404, kind
        assert client.get(_watch_url(kind, target)).status_code == 404, kind
    assert not Watch.objects.exists()
    client.force_login(editor)
    assert client.post(_watch_url("dispute", claim.dispute), {"action": "watch"}).status_code == 302
    assert following.is_watching(editor, claim.dispute)


def test_the_watching_page_lists_what_one_watches_with_one_click_unwatch(client, reader):
    targets = _targets()
    for target in targets.values():
        following.watch_add(user=reader, target=target)
    client.force_login(reader)
    page = client.get(reverse("claims:watching")).content.decode()
    assert targets["dispute"].proposition in page and targets["party"].name in page and targets["source"].title in page
    assert page.count('value="unwatch"') == 3

    row = client.post(_watch_url("party", targets["party"]), {"action": "unwatch", "from": "list"}, **HTMX)
    html = row.content.decode()
    assert html.strip().startswith("<li") and "No longer watched" in html and 'value="watch"' in html
    assert not following.is_watching(reader, targets["party"])
    assert targets["party"].name not in client.get(reverse("claims:watching")).content.decode()


def test_the_watching_page_of_another_user_shows_nothing_of_yours(client, reader, editor):
    following.watch_add(user=editor, target=_targets()["dispute"])
    client.force_login(reader)
    assert "You are not watching anything yet" in client.get(reverse("claims:watching")).content.decode()


def test_a_dispute_unpublished_since_drops_off_a_readers_watching_page(client, reader, senior):
    dispute = _targets()["dispute"]
    following.watch_add(user=reader, target=dispute)
    services.dispute_publish(dispute=dispute, user=senior, publish=False)
    client.force_login(reader)
    assert dispute.proposition not in client.get(reverse("claims:watching")).content.decode()


@pytest.mark.parametrize("size", [2, 20])
def test_the_watching_page_costs_the_same_whatever_one_watches(client, reader, size, django_assert_max_num_queries):
    for _ in range(size):
        targets = _targets()
        for target in targets.values():
            following.watch_add(user=reader, target=target)
    client.force_login(reader)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("claims:watching"))
    assert response.content.decode().count('value="unwatch"') == 3 * size


@pytest.mark.parametrize("kind", ["dispute", "party", "source"])
def test_pages_carry_the_watch_button_for_logged_in_users_only(client, reader, kind):
    target = _targets()[kind]
    url = _watch_url(kind, target)
    assert url not in client.get(target.get_absolute_url()).content.decode()
    client.force_login(reader)
    page = client.get(target.get_absolute_url()).content.decode()
    assert f'hx-get="{url}"' in page and 'hx-trigger="load"' in page


def test_editors_watch_what_they_create_or_add_to(editor, senior):
    dispute = services.dispute_create(user=editor, proposition="The convoy crossed the border on 3 May.")
    assert following.is_watching(editor, dispute)
    other = DisputeFactory()
    services.claim_create(dispute=other, user=senior, party=PartyFactory(), stance=Stance.AFFIRMS, quote="It did.")
    assert following.is_watching(senior, other)
    third = DisputeFactory()
    services.evidence_create(
        dispute=third, user=editor, kind="footage", title="Drone footage", released_on=datetime.date(2023, 3, 16)
    )
    assert following.is_watching(editor, third)
    fourth = DisputeFactory()
    services.article_create(dispute=fourth, user=editor, url="https://news.example.org/later", relation="reports")
    assert following.is_watching(editor, fourth)


def test_an_editor_who_turned_it_off_does_not_watch_what_they_create(editor):
    following.notification_settings_update(user=editor, email_mode=EmailMode.IMMEDIATE, watch_what_i_create=False)
    dispute = services.dispute_create(user=editor, proposition="The bridge was struck twice.")
    assert not following.is_watching(editor, dispute)


def test_the_account_page_saves_the_email_rhythm(client, reader):
    client.force_login(reader)
    page = client.get(reverse("claims:account")).content.decode()
    assert "As it happens" in page and "Once a day, in a digest" in page and reader.email in page
    response = client.post(reverse("claims:account"), {"email_mode": "daily", "watch_what_i_create": "on"})
    assert response.status_code == 302
    prefs = NotificationSettings.objects.get(user=reader)
    assert (prefs.email_mode, prefs.watch_what_i_create) == ("daily", True)


def test_the_account_page_refuses_a_bad_choice_and_keeps_the_old_one(client, reader):
    client.force_login(reader)
    response = client.post(reverse("claims:account"), {"email_mode": "hourly"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert following.settings_of(reader).email_mode == EmailMode.IMMEDIATE


def test_the_account_page_says_when_there_is_no_address(client):
    user = UserFactory(username="noaddress", email="")
    client.force_login(user)
    assert "no email address" in client.get(reverse("claims:account")).content.decode()


def test_watching_pages_need_a_login(client):
    for name in ("claims:watching", "claims:account"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    watched = SourceFactory()
    assert client.get(_watch_url("source", watched)).status_code == 302
