"""Idea exchange: ideas added without names, a sample rated once per person, themes, hiding
with the reason audited, ideas and themes ranked with small groups suppressed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from leadership.models import AuditEntry, Role
from tests.leadership.factories import person
from tests.teams.factories import current_year
from tests.workplans.factories import GoalFactory, WorkPlanFactory
from voice import selectors, services, tokens
from voice.models import Idea, IdeaRating, SurveyStatus

pytestmark = pytest.mark.django_db

QUESTION = {
    "en": "What is one thing that would most help students read at home?",
    "es": "¿Qué es lo que más ayudaría a los estudiantes a leer en casa?",
}


def _open_exchange(world, **kw):
    exchange = services.exchange_create(
        actor=world.principal, school=world.school, question=QUESTION, staff=True, families=True
    )
    return services.exchange_set_status(
        actor=world.principal, exchange=exchange, status=SurveyStatus.OPEN
    )


def test_a_missing_translation_keeps_the_exchange_closed(world):
    exchange = services.exchange_create(
        actor=world.principal,
        school=world.school,
        question={"en": "One thing?", "es": ""},
        staff=True,
        families=False,
    )
    with pytest.raises(ValidationError) as error:
        services.exchange_set_status(
            actor=world.principal, exchange=exchange, status=SurveyStatus.OPEN
        )
    assert "missing in Spanish" in error.value.messages[0]


def test_ideas_are_kept_without_names_and_rated_once_per_person(world, client):
    exchange = _open_exchange(world)
    url = reverse("voice:exchange_take", kwargs={"slug": world.school.slug, "pk": exchange.pk})
    client.force_login(world.family)
    response = client.post(url, {"text": "Library cards for every family"}, follow=True)
    assert "Thank you: your idea was added." in response.content.decode()
    idea = Idea.objects.get()
    assert idea.stakeholder == "family"
    assert {f.name for f in Idea._meta.concrete_fields} == {
        "id",
        "exchange",
        "text",
        "stakeholder",
        "theme",
        "is_hidden",
        "author_key",  # a keyed hash, to leave the author's ideas out of their sample
        "author_salt",  # the idea's own, so two ideas of one person have two keys
    }
    assert world.family.email not in idea.author_key and str(world.family.pk) != idea.author_key
    client.force_login(world.staff)
    page = client.get(url).content.decode()
    assert "Library cards for every family" in page
    client.post(url, {"idea": idea.pk, "stars": "4"})
    client.post(url, {"idea": idea.pk, "stars": "5"})
    assert list(IdeaRating.objects.values_list("stars", flat=True)) == [5]
    assert "Library cards" not in client.get(url).content.decode()  # rated: out of the sample


def test_over_long_idea_and_bad_rating_store_nothing(world, client):
    exchange = _open_exchange(world)
    url = reverse("voice:exchange_take", kwargs={"slug": world.school.slug, "pk": exchange.pk})
    client.force_login(world.staff)
    response = client.post(url, {"text": "x" * 281})
    assert response.status_code == 200
    assert not Idea.objects.exists()
    idea = services.idea_add(user=world.family, exchange=exchange, text="Books")
    response = client.post(url, {"idea": idea.pk, "stars": "9"}, follow=True)
    assert "Rate from 1 to 5 stars." in response.content.decode()
    assert not IdeaRating.objects.exists()


def test_the_owner_themes_hides_and_ranks(world, client):
    world.district.small_group_threshold = 2
    world.district.save()
    exchange = _open_exchange(world)
    books = services.idea_add(user=world.family, exchange=exchange, text="Books home")
    # Written by staff who do not rate it: nobody rates their own idea.
    author = person(Role.STAFF, school=world.school, email="author@example.org")
    apps = services.idea_add(user=author, exchange=exchange, text="Reading apps")
    rude = services.idea_add(user=world.staff, exchange=exchange, text="Something rude")
    raters = [world.staff, world.teacher_leader, world.principal]
    raters += [
        person(Role.FAMILY, school=world.school, email=f"r{i}@example.org") for i in range(2)
    ]
    for user in raters:
        services.idea_rate(user=user, idea=books, stars=5)
        services.idea_rate(user=user, idea=apps, stars=2)
    theme = services.theme_add(actor=world.principal, exchange=exchange, name="Access to books")
    services.idea_set_theme(actor=world.principal, idea=books, theme=theme)
    services.idea_hide(actor=world.principal, idea=rude, reason="Names a child")
    entry = AuditEntry.objects.get(action="voice.idea_hide")
    assert entry.after["reason"] == "Names a child" and entry.before["text"] == "Something rude"
    ideas, themes, groups = selectors.ideas_ranked(exchange=exchange, threshold=2)
    assert [i.text for i in ideas] == ["Books home", "Reading apps"]
    assert groups == ["family", "staff"] and ideas[0].by_group == [5.0, 5.0]
    assert [(t.name, t.avg) for t in themes] == [("Access to books", 5.0)]
    client.force_login(world.principal)
    page = client.get(exchange.get_absolute_url()).content.decode()
    assert "Something rude" not in page and "Books home" in page


def test_a_small_rating_group_is_not_shown(world):
    exchange = _open_exchange(world)
    idea = services.idea_add(user=world.principal, exchange=exchange, text="Books home")
    services.idea_rate(user=world.staff, idea=idea, stars=4)
    services.idea_rate(user=world.family, idea=idea, stars=1)
    ideas, _themes, _groups = selectors.ideas_ranked(exchange=exchange, threshold=10)
    assert ideas[0].by_group == [None, None]


def test_a_closed_exchange_takes_nothing(world):
    exchange = _open_exchange(world)
    services.exchange_set_status(
        actor=world.principal, exchange=exchange, status=SurveyStatus.CLOSED
    )
    with pytest.raises(ValidationError):
        services.idea_add(user=world.staff, exchange=exchange.__class__.objects.get(), text="Late")
    assert not Idea.objects.exists()


def test_a_participant_is_not_asked_to_rate_their_own_idea(world, client):
    exchange = _open_exchange(world)
    services.idea_add(user=world.staff, exchange=exchange, text="My own idea")
    other = services.idea_add(user=world.family, exchange=exchange, text="A family's idea")
    url = reverse("voice:exchange_take", kwargs={"slug": world.school.slug, "pk": exchange.pk})
    client.force_login(world.staff)
    page = client.get(url).content.decode()
    assert "A family&#x27;s idea" in page and "My own idea" not in page
    sample = selectors.ideas_to_rate(
        exchange=exchange, rater=services.rater_key(world.staff, exchange), user_id=world.staff.pk
    )
    assert sample == [other]
    own = Idea.objects.get(text="My own idea")
    response = client.post(url, {"idea": own.pk, "stars": "5"}, follow=True)
    assert (
        "Your own idea is not yours to rate: rate the ideas of others."
        in response.content.decode().replace("&#x27;", "'")
    )
    assert not IdeaRating.objects.exists()


def _raters(world, role, count, prefix):
    return [
        person(role, school=world.school, email=f"{prefix}{i}@example.org") for i in range(count)
    ]


def test_a_themes_group_averages_hide_a_small_group_and_its_complement(world, client):
    """At a threshold of 3: two families rated (under it), so their average is hidden, and the
    staff's is hidden too, since the theme's overall average less the staff's would give the
    families' away. Two families rating two ideas each are still two people, not four."""
    exchange = _open_exchange(world)
    theme = services.theme_add(actor=world.principal, exchange=exchange, name="Books")
    ideas = [
        services.idea_add(user=world.principal, exchange=exchange, text=text)
        for text in ("Library cards", "Book swaps")
    ]
    for idea in ideas:
        services.idea_set_theme(actor=world.principal, idea=idea, theme=theme)
    staff = _raters(world, Role.STAFF, 4, "s")
    families = _raters(world, Role.FAMILY, 2, "f")
    for idea in ideas:
        for user in staff:
            services.idea_rate(user=user, idea=idea, stars=4)
        for user in families:
            services.idea_rate(user=user, idea=idea, stars=1)
    _ideas, themes, groups = selectors.ideas_ranked(exchange=exchange, threshold=3)
    assert groups == ["family", "staff"]
    assert [(t.name, t.avg, t.by_group) for t in themes] == [("Books", 3.0, [None, None])]
    more = _raters(world, Role.FAMILY, 1, "g")
    services.idea_rate(user=more[0], idea=ideas[0], stars=1)
    _ideas, themes, _groups = selectors.ideas_ranked(exchange=exchange, threshold=3)
    assert themes[0].by_group == [1.0, 4.0]
    world.district.small_group_threshold = 3
    world.district.save()
    client.force_login(world.principal)
    page = client.get(exchange.get_absolute_url()).content.decode()
    assert "<td>1.0</td><td>4.0</td>" in page


def test_one_persons_ideas_cannot_be_grouped_yet_are_never_theirs_to_rate(
    world, client, django_assert_num_queries
):
    """Each idea's author key is salted on its own: two ideas of one person share nothing a
    database reader could group them by. The person is still never offered either to rate
    (the sample is one query whatever they wrote), nor allowed to rate one."""
    exchange = _open_exchange(world)
    mine = [
        services.idea_add(user=world.staff, exchange=exchange, text=text)
        for text in ("My first idea", "My second idea")
    ]
    assert mine[0].author_key != mine[1].author_key
    assert mine[0].author_salt != mine[1].author_salt
    assert all(tokens.is_author(idea, world.staff.pk) for idea in mine)
    others = [
        services.idea_add(user=world.family, exchange=exchange, text=f"A family's idea {n}")
        for n in range(8)
    ]
    assert not any(tokens.is_author(idea, world.staff.pk) for idea in others)
    rater = services.rater_key(world.staff, exchange)
    for _draw in range(5):  # a random sample: the own ideas never come up
        with django_assert_num_queries(1):
            sample = selectors.ideas_to_rate(exchange=exchange, rater=rater, user_id=world.staff.pk)
        assert len(sample) == selectors.SAMPLE_SIZE
        assert not {idea.pk for idea in sample} & {idea.pk for idea in mine}
    url = reverse("voice:exchange_take", kwargs={"slug": world.school.slug, "pk": exchange.pk})
    client.force_login(world.staff)
    assert "My first idea" not in client.get(url).content.decode()
    for idea in mine:
        with pytest.raises(ValidationError) as error:
            services.idea_rate(user=world.staff, idea=idea, stars=5)
        assert error.value.messages == [str(services.OWN_IDEA)]
        response = client.post(url, {"idea": idea.pk, "stars": "5"}, follow=True)
        assert "Your own idea is not yours to rate" in response.content.decode()
    assert not IdeaRating.objects.exists()
    # The family's sample has the staff's two ideas and none of its own.
    family_sample = selectors.ideas_to_rate(
        exchange=exchange, rater=services.rater_key(world.family, exchange), user_id=world.family.pk
    )
    assert {idea.pk for idea in family_sample} == {idea.pk for idea in mine}


def test_an_idea_added_before_ideas_had_salts_is_still_its_authors(world):
    exchange = _open_exchange(world)
    idea = services.idea_add(user=world.staff, exchange=exchange, text="An older idea")
    unsalted = tokens._unsalted_author_key(world.staff.pk, exchange.pk)
    Idea.objects.filter(pk=idea.pk).update(author_key=unsalted, author_salt="")
    idea.refresh_from_db()
    assert tokens.is_author(idea, world.staff.pk) and not tokens.is_author(idea, world.family.pk)
    with pytest.raises(ValidationError):
        services.idea_rate(user=world.staff, idea=idea, stars=5)
    assert (
        selectors.ideas_to_rate(
            exchange=exchange,
            rater=services.rater_key(world.staff, exchange),
            user_id=world.staff.pk,
        )
        == []
    )


def _rated_ideas(world, exchange, count, raters, theme, start=0):
    for n in range(start, start + count):
        idea = services.idea_add(user=raters[n % len(raters)], exchange=exchange, text=f"Idea {n}")
        services.idea_set_theme(actor=world.principal, idea=idea, theme=theme)
        for rater in raters:
            if not tokens.is_author(idea, rater.pk):
                services.idea_rate(user=rater, idea=idea, stars=1 + n % 5)


def test_the_owners_page_takes_the_same_queries_however_many_ideas(
    world, client, django_assert_num_queries
):
    """Ideas, themes, each idea's and theme's averages by group, and whether a goal is there to
    put a theme under: a fixed number of queries with 2 ideas or 40, rated by several groups."""
    GoalFactory(plan=WorkPlanFactory(school=world.school, school_year=current_year(world.district)))
    exchange = _open_exchange(world)
    books = services.theme_add(actor=world.principal, exchange=exchange, name="Books")
    raters = [world.staff, world.family, world.teacher_leader]
    _rated_ideas(world, exchange, 2, raters, books)
    client.force_login(world.principal)
    url = exchange.get_absolute_url()
    client.get(url)  # warm the session and roles
    # 8: the session with the person and roles, school, exchange; ideas, their averages by group,
    # themes, theirs by group; the goals a theme could be put under (the "Put into the plan" links).
    with django_assert_num_queries(8) as few:
        page = client.get(url).content.decode()
    assert "Idea 1" in page and "Put into the plan" in page  # the goal query ran
    apps = services.theme_add(actor=world.principal, exchange=exchange, name="Apps")
    raters += _raters(world, Role.FAMILY, 3, "f") + _raters(world, Role.STAFF, 3, "s")
    _rated_ideas(world, exchange, 38, raters, apps, start=2)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "Idea 39" in page and page.count('class="card" id="idea-') == 40
