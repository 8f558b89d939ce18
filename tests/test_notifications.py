"""Email notifications (issue 12, "Follow"), sent through Django's email framework to a real
SMTP server (aiosmtpd) on 127.0.0.1: what each mail says, to whom, when (at once or in a
daily digest), the unsubscribe link, and what happens while the mail server is down."""

import datetime
import re
import socket

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims import feed_items, following, notifications, roles, services
from claims.models import EmailMode, FeedItem, Notification, Source, SourceCheck, Stance

from .conftest import smtp_mailer
from .factories import ClaimFactory, DisputeFactory, PartyFactory, SourceFactory, UserFactory
from .smtp import free_port, html_of, text_of

pytestmark = pytest.mark.django_db

MILLEY = "We have absolute evidence of the contact."
MINISTRY = "The Russian fighters did not come into contact with the unmanned aerial vehicle."


@pytest.fixture
def watcher(db):
    return UserFactory(username="wanda", email="wanda@example.org", roles=[roles.READERS])


@pytest.fixture
def dispute(db):
    return DisputeFactory(proposition="A Russian Su-27 made physical contact with the US MQ-9.", is_published=True)


def _record(dispute, user, party_name, stance, quote):
    return services.claim_create(
        dispute=dispute, user=user, party=PartyFactory(name=party_name), stance=stance, quote=quote
    )


def test_a_watcher_is_emailed_what_moved_with_links(smtp_server, watcher, editor, dispute):
    following.watch_add(user=watcher, target=dispute)
    first = _record(dispute, editor, "United States", Stance.AFFIRMS, MILLEY)
    counter = _record(dispute, editor, "Russia", Stance.DENIES, MINISTRY)

    assert notifications.sweep() == {"sent": 1}
    [message] = smtp_server.messages()
    assert message["To"] == "wanda@example.org"
    assert message["Subject"] == f"[{settings.SITE_NAME}] 3 updates on what you watch"
    text = text_of(message)
    page = f"{settings.SITE_URL}/disputes/{dispute.slug}/"
    assert "New claim: United States affirms" in text
    assert "New counterclaim: Russia denies" in text and MINISTRY in text
    assert "Now disputed" in text
    assert f"{page}#claim-{first.pk}" in text and f"{page}#claim-{counter.pk}" in text
    assert f'href="{page}#claim-{counter.pk}"' in html_of(message)
    # The token is signed with the time (to the second): read it from the mail, check whom it names.
    link = re.search(re.escape(f"{settings.SITE_URL}/notifications/unsubscribe/") + r"([^/\s]+)/", text)
    assert link and following.user_for_unsubscribe_token(link.group(1)) == watcher
    assert message["List-Unsubscribe"] == f"<{link.group(0)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    assert notifications.sweep() == {}  # nothing is sent twice
    assert len(smtp_server.messages()) == 1


def _evidence(dispute, user):
    services.evidence_create(
        dispute=dispute, user=user, kind="footage", title="Pentagon releases drone footage",
        released_on=datetime.date(2023, 3, 16),
    )  # fmt: skip
    return "New evidence: Pentagon releases drone footage", f"#evidence-{dispute.evidence.get().pk}"


def _article(dispute, user):
    link = services.article_create(
        dispute=dispute, user=user, url="https://news.example.org/drone-footage", relation="corroborates"
    )
    return "New article corroborates", f"#article-{link.pk}"


def _verdict(dispute, user):
    services.dispute_settle(
        dispute=dispute, user=user, verdict="true", reasoning="The footage shows the strike.", version=dispute.version
    )
    return "Verdict: True", f"/disputes/{dispute.slug}/"


def _source_check(outcome, changed=False):
    def make(dispute, user):
        source = SourceFactory(title="Wire story")
        ClaimFactory(dispute=dispute, source=source, created_by=user)
        Notification.objects.all().delete()  # only the check's news is under test
        SourceCheck.objects.create(source=source, outcome="ok", http_status=200)
        check = SourceCheck.objects.create(source=source, outcome=outcome, http_status=200, changed=changed)
        feed_items.create_for_source_check(check)
        return FeedItem.objects.get(source_check=check).title, f"/sources/{source.pk}/"

    return make


EVENTS = {
    "evidence": _evidence,
    "article": _article,
    "verdict": _verdict,
    "source changed": _source_check(Source.CheckState.CHANGED, changed=True),
    "source gone": _source_check(Source.CheckState.GONE),
    "quote missing": _source_check(Source.CheckState.QUOTE_MISSING),
}


@pytest.mark.parametrize("event", list(EVENTS))
def test_each_kind_of_event_is_told_with_its_link(smtp_server, watcher, senior, dispute, event):
    following.watch_add(user=watcher, target=dispute)
    title, anchor = EVENTS[event](dispute, senior)
    assert notifications.sweep() == {"sent": 1}
    [message] = smtp_server.messages()
    text = text_of(message)
    assert title in text and title in message["Subject"]
    assert anchor in text


def test_watching_a_party_or_a_source_is_enough(smtp_server, editor, dispute):
    party_fan = UserFactory(username="pat", roles=[roles.READERS])
    source_fan = UserFactory(username="sol", roles=[roles.READERS])
    russia = PartyFactory(name="Russia")
    source = SourceFactory(title="Ministry statement")
    following.watch_add(user=party_fan, target=russia)
    following.watch_add(user=source_fan, target=source)
    services.claim_create(dispute=dispute, user=editor, party=russia, stance=Stance.DENIES, quote=MINISTRY)
    services.claim_create(
        dispute=dispute, user=editor, party=PartyFactory(), stance=Stance.AFFIRMS, quote=MILLEY, source_url=source.url
    )
    notifications.sweep()
    told = {tuple(r) for r in smtp_server.recipients()}
    assert told == {("pat@example.org",), ("sol@example.org",)}


def test_nobody_is_emailed_about_their_own_edits(smtp_server, editor, dispute):
    following.watch_add(user=editor, target=dispute)
    _record(dispute, editor, "United States", Stance.AFFIRMS, MILLEY)
    assert notifications.sweep() == {}
    assert smtp_server.messages() == []


def test_drafts_are_told_only_to_those_who_may_see_them(smtp_server, watcher, editor, senior):
    draft = DisputeFactory(is_published=False)
    russia = PartyFactory(name="Russia")
    following.watch_add(user=watcher, target=russia)  # a reader may watch a public party
    following.watch_add(user=editor, target=russia)
    services.claim_create(dispute=draft, user=senior, party=russia, stance=Stance.DENIES, quote=MINISTRY)
    notifications.sweep()
    assert smtp_server.recipients() == [["eddie@example.org"]]
    assert "[draft]" in text_of(smtp_server.messages()[0])


def test_a_dispute_unpublished_before_the_mail_goes_is_dropped_for_readers(smtp_server, watcher, senior, dispute):
    following.watch_add(user=watcher, target=dispute)
    _record(dispute, senior, "United States", Stance.AFFIRMS, MILLEY)
    services.dispute_publish(dispute=dispute, user=senior, publish=False)
    assert notifications.sweep() == {"dropped": 1}
    assert smtp_server.messages() == []
    assert Notification.objects.get().dropped


def test_the_daily_digest_waits_for_its_hour_and_comes_as_one_mail(smtp_server, watcher, editor, dispute):
    following.notification_settings_update(user=watcher, email_mode=EmailMode.DAILY, watch_what_i_create=True)
    following.watch_add(user=watcher, target=dispute)
    _record(dispute, editor, "United States", Stance.AFFIRMS, MILLEY)
    _record(dispute, editor, "Russia", Stance.DENIES, MINISTRY)
    digest_at = following.next_digest_at()
    assert notifications.sweep(now=digest_at - datetime.timedelta(minutes=1)) == {}
    assert smtp_server.messages() == []

    assert notifications.sweep(now=digest_at) == {"sent": 1}
    [message] = smtp_server.messages()
    assert message["Subject"] == f"[{settings.SITE_NAME}] Daily digest: 3 updates on what you watch"
    assert "New counterclaim: Russia denies" in text_of(message)


def test_the_digest_hour_is_the_configured_local_hour(settings):
    settings.NOTIFY_DIGEST_HOUR = 7
    morning = timezone.make_aware(datetime.datetime(2026, 3, 1, 6, 59))
    assert timezone.localtime(following.next_digest_at(morning)).hour == 7
    assert following.next_digest_at(morning).date() == morning.date()
    evening = timezone.make_aware(datetime.datetime(2026, 3, 1, 7, 0))
    assert following.next_digest_at(evening).date() == datetime.date(2026, 3, 2)


def test_while_smtp_is_down_nothing_is_lost_and_it_is_retried(smtp_server, watcher, editor, dispute):
    following.watch_add(user=watcher, target=dispute)
    _record(dispute, editor, "United States", Stance.AFFIRMS, MILLEY)
    smtp_server.stop()

    assert notifications.sweep() == {"failed": 1}
    owed = Notification.objects.get()
    assert owed.sent_at is None and owed.attempts == 1 and owed.last_error
    assert owed.due_at > timezone.now()  # backed off: the next sweep does not hammer a dead server
    assert notifications.sweep() == {}

    _record(dispute, editor, "Russia", Stance.DENIES, MINISTRY)  # more news while it is down
    smtp_server.start()
    later = owed.due_at + datetime.timedelta(seconds=1)
    assert notifications.sweep(now=later) == {"sent": 1}
    [message] = smtp_server.messages()
    text = text_of(message)
    assert "New claim: United States affirms" in text and "New counterclaim: Russia denies" in text
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


def test_retries_back_off_and_stay_bounded(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    assert [notifications.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert notifications.retry_delay(50).total_seconds() == notifications.MAX_RETRY_SECONDS


def test_a_page_never_talks_to_the_mail_server(settings, editor_client, watcher, dispute):
    """Saving a claim only writes the notification; the mail goes from a worker. A listener that
    accepts and never answers stands for a hung SMTP server: the request never touches it."""
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(8)
    settings.MAILERS = {"default": smtp_mailer(hung.getsockname()[1])}
    following.watch_add(user=watcher, target=dispute)
    try:
        page = editor_client.get(reverse("claims:claim-create", args=[dispute.slug]))
        assert page.status_code == 200
        from .helpers import form_data

        data = form_data(page, stance="affirms", quote=MILLEY, new_party="United States")
        response = editor_client.post(reverse("claims:claim-create", args=[dispute.slug]), data)
        assert response.status_code == 302  # saved, and on to the dispute page
        hung.setblocking(False)
        with pytest.raises(BlockingIOError):
            hung.accept()
    finally:
        hung.close()
    assert Notification.objects.filter(user=watcher, sent_at__isnull=True).count() == 1


def test_an_inactive_or_addressless_watcher_is_not_emailed(smtp_server, editor, dispute):
    gone = UserFactory(username="gone", is_active=False)
    silent = UserFactory(username="silent", email="")
    for user in (gone, silent):
        following.watch_add(user=user, target=dispute)
    _record(dispute, editor, "United States", Stance.AFFIRMS, MILLEY)
    assert notifications.sweep() == {}
    assert not Notification.objects.exists()


def test_email_off_means_no_notifications_are_kept(smtp_server, watcher, editor, dispute):
    following.watch_add(user=watcher, target=dispute)
    following.notification_settings_update(user=watcher, email_mode=EmailMode.OFF, watch_what_i_create=True)
    _record(dispute, editor, "United States", Stance.AFFIRMS, MILLEY)
    assert not Notification.objects.exists()


# --- Unsubscribe ---------------------------------------------------------------------------


def test_the_unsubscribe_link_works_without_logging_in(smtp_server, watcher, editor, dispute):
    following.watch_add(user=watcher, target=dispute)
    _record(dispute, editor, "United States", Stance.AFFIRMS, MILLEY)
    notifications.sweep()
    link = text_of(smtp_server.messages()[0]).split("Stop these emails: ")[1].split()[0]
    path = link.removeprefix(settings.SITE_URL)

    stranger = Client(enforce_csrf_checks=True)
    page = stranger.get(path)
    assert page.status_code == 200 and "Stop all notification emails to wanda@example.org" in page.content.decode()
    assert following.settings_of(watcher).email_mode == EmailMode.IMMEDIATE  # a link scanner's GET changes nothing

    _record(dispute, editor, "Russia", Stance.DENIES, MINISTRY)
    done = stranger.post(path)  # RFC 8058 one-click: no CSRF token, no session
    assert done.status_code == 200 and "no more notification emails" in done.content.decode()
    assert following.settings_of(watcher).email_mode == EmailMode.OFF
    assert following.is_watching(watcher, dispute)  # watches stay
    assert notifications.sweep() == {}  # what was owed is dropped, and nothing new is owed
    _record(dispute, editor, "Ukraine", Stance.QUALIFIED, "We cannot say.")
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert len(smtp_server.messages()) == 1


@pytest.mark.parametrize("token", ["nonsense", "eyJ1Ijo1fQ:1abc:forged", "x" * 300])
def test_a_forged_or_cut_unsubscribe_link_is_a_clear_404(client, watcher, token):
    response = client.post(reverse("claims:unsubscribe", args=[token]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert following.settings_of(watcher).email_mode == EmailMode.IMMEDIATE


def test_a_token_for_one_user_never_unsubscribes_another(client, watcher, editor):
    token = following.unsubscribe_token(watcher)
    client.post(reverse("claims:unsubscribe", args=[token]))
    assert following.settings_of(watcher).email_mode == EmailMode.OFF
    assert following.settings_of(editor).email_mode == EmailMode.IMMEDIATE


def test_two_senders_at_once_send_one_mail(smtp_server, watcher, editor, dispute):
    """The per-user lease: a second sender while the first holds it finds the user busy."""
    following.watch_add(user=watcher, target=dispute)
    _record(dispute, editor, "United States", Stance.AFFIRMS, MILLEY)
    assert notifications._take_lease(watcher.pk, timezone.now())
    assert notifications.send_pending(watcher.pk) == "busy"
    assert smtp_server.messages() == []
    expired = timezone.now() + datetime.timedelta(seconds=notifications.LEASE_SECONDS + 1)
    assert notifications.send_pending(watcher.pk, now=expired) == "sent"  # a dead holder's lease lapses


def test_an_unknown_email_url_scheme_stops_start_up():
    from .test_settings import probe

    result = probe(EMAIL_URL="smtp+tls://user:secret@mail.example.org:587")
    assert result.returncode != 0
    assert "EMAIL_URL" in result.stderr and "scheme must be one of" in result.stderr
    assert "secret" not in result.stderr


def test_email_url_configures_the_default_mailer():
    from tracker.settings import _mailer

    port = free_port()
    mailer = _mailer(f"submission://desk%40example.org:pw@127.0.0.1:{port}", 10)
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailer["OPTIONS"] | {"password": "…"} == {
        "host": "127.0.0.1", "port": port, "username": "desk@example.org", "password": "…",
        "use_tls": True, "use_ssl": False, "timeout": 10,
    }  # fmt: skip
    assert _mailer("console://", 10) == {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
