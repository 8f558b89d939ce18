"""Role × view matrix: what strangers, readers, editors, senior editors and staff get from every page.

302 for a stranger means "sent to the login page"; 403 is a logged-in user without
the role; 404 hides drafts from those who may not see them.
"""

import pytest

from claims.models import Claim, EvidenceLink

from .factories import ArticleLinkFactory, ClaimFactory, DisputeFactory, EvidenceFactory
from .helpers import HTMX

pytestmark = pytest.mark.django_db

ROLES = ["stranger", "reader", "editor", "senior", "staff"]


@pytest.fixture
def world(db):
    dispute = DisputeFactory(slug="drone-contact", is_published=True)
    draft = DisputeFactory(slug="draft-one", is_published=False)
    claim = ClaimFactory(dispute=dispute)
    draft_claim = ClaimFactory(dispute=draft)
    evidence = EvidenceFactory(dispute=dispute)
    link = EvidenceLink.objects.create(evidence=evidence, claim=claim, effect="supports")
    article = ArticleLinkFactory(dispute=dispute)
    claim.quote = "Changed once."
    claim.save()
    first = Claim.history.filter(id=claim.pk).earliest()
    return {
        "slug": dispute.slug,
        "draft": draft.slug,
        "dispute_pk": dispute.pk,
        "claim": claim.pk,
        "draft_claim": draft_claim.pk,
        "evidence": evidence.pk,
        "link": link.pk,
        "article": article.pk,
        "source": claim.source_id,
        "party": claim.party.slug,
        "first_version": first.history_id,
    }


EDITOR = {"stranger": 302, "reader": 403, "editor": 200, "senior": 200, "staff": 200}
EDITOR_POST = {"stranger": 302, "reader": 403, "editor": 302, "senior": 302, "staff": 302}
SENIOR = {"stranger": 302, "reader": 403, "editor": 403, "senior": 200, "staff": 200}
SENIOR_POST = {"stranger": 302, "reader": 403, "editor": 403, "senior": 302, "staff": 302}
EVERYONE = dict.fromkeys(ROLES, 200)
READERS = {"stranger": 302, "reader": 200, "editor": 200, "senior": 200, "staff": 200}
DRAFT = {"stranger": 404, "reader": 404, "editor": 200, "senior": 200, "staff": 200}
REDIRECT = dict.fromkeys(ROLES, 302)
NOT_ALLOWED = dict.fromkeys(ROLES, 405)

MATRIX = [
    # (method, url template, expected by role)
    ("get", "/", EVERYONE),
    ("get", "/disputes/{slug}/", EVERYONE),
    ("get", "/disputes/{draft}/", DRAFT),
    ("get", "/parties/{party}/", EVERYONE),
    ("get", "/sources/{source}/", EVERYONE),
    ("get", "/disputes/new/", EDITOR),
    ("get", "/disputes/{slug}/edit/", EDITOR),
    ("get", "/disputes/{slug}/verdict/", SENIOR),
    ("post", "/disputes/{slug}/publish/", SENIOR_POST),
    ("get", "/disputes/{slug}/publish/", NOT_ALLOWED),
    ("post", "/disputes/{slug}/unpublish/", SENIOR_POST),
    ("get", "/disputes/{slug}/delete/", SENIOR),
    ("get", "/disputes/{slug}/claims/new/", EDITOR),
    ("get", "/disputes/{draft}/claims/new/", {**EDITOR, "stranger": 302, "reader": 403}),
    ("get", "/disputes/{slug}/evidence/new/", EDITOR),
    ("get", "/disputes/{slug}/articles/new/", EDITOR),
    ("get", "/disputes/{slug}/header/", REDIRECT),
    ("get", "/disputes/{slug}/claims/add/", REDIRECT),
    ("get", "/claims/{claim}/", REDIRECT),
    ("get", "/claims/{draft_claim}/", {**DRAFT, "editor": 302, "senior": 302, "staff": 302}),
    ("get", "/claims/{claim}/edit/", EDITOR),
    ("post", "/claims/{claim}/edit/", {**EDITOR, "editor": 200, "senior": 200, "staff": 200}),
    ("delete", "/claims/{claim}/edit/", NOT_ALLOWED),
    ("get", "/claims/{claim}/delete/", SENIOR),
    ("post", "/claims/{claim}/delete/", SENIOR_POST),
    ("get", "/evidence/{evidence}/", REDIRECT),
    ("get", "/evidence/{evidence}/edit/", EDITOR),
    ("get", "/evidence/{evidence}/links/new/", EDITOR),
    ("post", "/evidence-links/{link}/remove/", EDITOR_POST),
    ("get", "/evidence-links/{link}/remove/", NOT_ALLOWED),
    ("get", "/evidence/{evidence}/delete/", SENIOR),
    ("post", "/evidence/{evidence}/delete/", SENIOR_POST),
    ("get", "/articles/{article}/", REDIRECT),
    ("get", "/articles/{article}/edit/", EDITOR),
    ("get", "/articles/{article}/delete/", SENIOR),
    ("post", "/articles/{article}/delete/", SENIOR_POST),
    ("get", "/history/claim/{claim}/", READERS),
    ("get", "/history/dispute/{dispute_pk}/", READERS),
    ("get", "/history/evidence/{evidence}/", READERS),
    ("get", "/history/article/{article}/", READERS),
    ("get", "/history/source/{source}/", READERS),
    ("post", "/history/claim/{claim}/restore/{first_version}/", EDITOR_POST),
    ("get", "/history/claim/{claim}/restore/{first_version}/", NOT_ALLOWED),
    ("get", "/admin/", {"stranger": 302, "reader": 302, "editor": 302, "senior": 302, "staff": 200}),
]


@pytest.fixture
def as_role(client, reader, editor, senior, staff):
    users = {"reader": reader, "editor": editor, "senior": senior, "staff": staff}

    def login(role):
        if role != "stranger":
            client.force_login(users[role])
        return client

    return login


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "url", "expected"), MATRIX, ids=[f"{m} {u}" for m, u, _ in MATRIX])
def test_role_matrix(world, as_role, role, method, url, expected):
    client = as_role(role)
    response = getattr(client, method)(url.format(**world))
    assert response.status_code == expected[role], f"{role} {method.upper()} {url}"
    if (
        expected[role] == 302
        and role == "stranger"
        and method == "post"
        or (role == "stranger" and expected[role] == 302 and "/edit/" in url)
    ):
        assert response["Location"].startswith("/accounts/login/")


def test_reader_post_changes_nothing(world, as_role):
    client = as_role("reader")
    client.post(f"/claims/{world['claim']}/edit/", {"quote": "Hacked.", "party": 1, "stance": "denies"})
    assert Claim.objects.get(pk=world["claim"]).quote == "Changed once."


@pytest.mark.parametrize("role", ["reader", "editor"])
def test_no_edit_controls_for_those_who_cannot_use_them(world, as_role, role):
    html = as_role(role).get(f"/disputes/{world['slug']}/").content.decode()
    assert (f"/claims/{world['claim']}/edit/" in html) is (role == "editor")
    assert f"/claims/{world['claim']}/delete/" not in html
    assert "/publish/" not in html and "/unpublish/" not in html


def test_senior_sees_delete_and_publish_controls(world, as_role):
    html = as_role("senior").get(f"/disputes/{world['slug']}/").content.decode()
    assert f"/claims/{world['claim']}/delete/" in html
    assert "/unpublish/" in html and "/verdict/" in html


def test_htmx_request_after_the_session_ended_goes_to_the_login_page(world, client):
    response = client.get(
        f"/claims/{world['claim']}/edit/",
        **HTMX,
        HTTP_HX_CURRENT_URL=f"http://testserver/disputes/{world['slug']}/",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/accounts/login/?next=/disputes/{world['slug']}/"
