"""Article links keep the editors' conflict rule: nobody's relation or note is overwritten unseen."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from claims import roles, services
from claims.models import ArticleLink

from .factories import ArticleLinkFactory, DisputeFactory, UserFactory
from .helpers import form_data
from .test_create_races import collide


@pytest.fixture
def two_editors(editor):
    other = UserFactory(username="olga", roles=[roles.EDITORS])
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(other)
    return first, second


@pytest.mark.django_db
def test_editor_sees_conflict_when_article_link_changed_meanwhile(two_editors):
    first, second = two_editors
    link = ArticleLinkFactory(relation="reports", note="First note.")
    url = f"/articles/{link.pk}/edit/"
    mine, theirs = form_data(first.get(url)), form_data(second.get(url))
    theirs |= {"relation": "contradicts", "note": "Their note."}
    assert second.post(url, theirs).status_code == 302
    mine |= {"relation": "corroborates", "note": "My note."}
    response = first.post(url, mine)
    html = response.content.decode()
    assert response.status_code == 200
    assert "olga saved this article link after you opened the form." in html
    assert "Their note." in html and "My note." in html
    link.refresh_from_db()
    assert (link.relation, link.note) == ("contradicts", "Their note.")


@pytest.mark.django_db
def test_saving_again_after_the_article_conflict_applies_mine(two_editors):
    first, second = two_editors
    link = ArticleLinkFactory(note="First note.")
    url = f"/articles/{link.pk}/edit/"
    mine, theirs = form_data(first.get(url)), form_data(second.get(url))
    second.post(url, theirs | {"note": "Their note."})
    conflict = first.post(url, mine | {"note": "My note."})
    assert first.post(url, form_data(conflict)).status_code == 302
    link.refresh_from_db()
    assert link.note == "My note." and link.version == 3


@pytest.mark.django_db
def test_article_edit_without_its_version_is_refused(editor_client):
    link = ArticleLinkFactory(note="Kept.")
    data = form_data(editor_client.get(f"/articles/{link.pk}/edit/"))
    data.pop("version")
    response = editor_client.post(f"/articles/{link.pk}/edit/", data | {"note": "Unversioned."})
    assert response.status_code == 200
    link.refresh_from_db()
    assert link.note == "Kept."


@pytest.mark.django_db
def test_linking_an_already_linked_article_never_overwrites_it(editor):
    link = ArticleLinkFactory(relation="reports", note="The first editor's note.")
    with pytest.raises(ValidationError, match="already linked"):
        services.article_create(
            dispute=link.dispute, user=editor, url=link.source.url, relation="retracts", note="Overwrite?"
        )
    link.refresh_from_db()
    assert (link.relation, link.note) == ("reports", "The first editor's note.")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_two_editors_linking_one_article_at_once_keep_the_first_link(editor):
    dispute = DisputeFactory()

    def link(relation, note):
        return lambda: services.article_create(
            dispute=dispute, user=editor, url="https://news.example.org/later", relation=relation, note=note
        )

    results, errors = collide(link("reports", "First."), link("retracts", "Second."))
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert "already linked" in " ".join(errors[0].messages)
    saved = ArticleLink.objects.get()
    assert (saved.relation, saved.note) == ("reports", "First.")


@pytest.mark.django_db
def test_the_article_form_shows_the_race_as_an_error_beside_the_form(editor_client, editor, monkeypatch):
    """When the form's own check passed but someone linked it meanwhile, the service's refusal is shown."""
    dispute = DisputeFactory()
    url = "https://news.example.org/later"
    real = services.article_create

    def someone_else_first(**kwargs):
        real(dispute=dispute, user=editor, url=url, relation="reports", note="Theirs.")
        return real(**kwargs)

    monkeypatch.setattr(services, "article_create", someone_else_first)
    response = editor_client.post(
        f"/disputes/{dispute.slug}/articles/new/", {"url": url, "relation": "retracts", "linked_on": "2023-03-20"}
    )
    assert response.status_code == 200
    assert "already linked" in response.content.decode()
    assert ArticleLink.objects.get().note == "Theirs."


def test_linking_an_article_twice_through_the_form_is_refused_not_overwritten(editor_client):
    link = ArticleLinkFactory(relation="corroborates", note="Careful wording.", dispute=DisputeFactory())
    url = f"/disputes/{link.dispute.slug}/articles/new/"
    data = {"url": link.source.url, "relation": "retracts", "note": "", "linked_on": "2023-03-20"}
    response = editor_client.post(url, data)
    assert "already linked to this dispute" in response.text
    link.refresh_from_db()
    assert (link.relation, link.note) == ("corroborates", "Careful wording.")
    assert ArticleLink.objects.count() == 1
