"""`{% url %}` in every template gives exactly what Django's `reverse()` gives, for every named
URL of the portal, while links by row id are built without matching the pattern anew for each
row (`portal.links`)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse, set_script_prefix

from portal import links
from tests.helpers.urls import iter_routes

ID_ROUTE = re.compile(r"<(?:id|int):\w+>")


def named_id_routes() -> list[tuple[str, int]]:
    """(name, number of ids) of every named URL whose arguments are all ids."""
    found = set()
    for route in iter_routes():
        if not route.name or route.name.startswith("admin:"):
            continue
        pattern = _pattern_of(route.name)
        if pattern is not None:
            found.add((route.name, pattern))
    return sorted(found)


def _pattern_of(name: str) -> int | None:
    for count in range(4):
        try:
            reverse(name, args=[1] * count)
        except NoReverseMatch:
            continue
        return count
    return None


def render(source: str, **context: object) -> str:
    request = RequestFactory().get("/")
    return Template(source).render(Context({"request": request, **context}))


@pytest.mark.parametrize(("name", "count"), named_id_routes())
def test_the_url_tag_gives_what_reverse_gives_for_every_url_by_id(name: str, count: int) -> None:
    for ids in (
        [1] * count,
        [n * 7919 + 3 for n in range(count)],
        [10**17 + n for n in range(count)],
    ):
        expected = reverse(name, args=ids)
        assert links.reverse_ids(name, ids) == expected
        source = "{% url name " + " ".join(f"id{n}" for n in range(count)) + " %}"
        assert render(source, name=name, **{f"id{n}": pk for n, pk in enumerate(ids)}) == expected


def test_the_list_pages_have_routes_by_id() -> None:
    names = {name for name, _count in named_id_routes()}
    assert {"grants:officer_application", "grants:officer_report", "agreements:agreement"} <= names


def test_anything_but_whole_non_negative_ids_is_left_to_reverse() -> None:
    name = "grants:officer_application"
    for odd in (["12"], [-1], [True], [1.0], [None]):
        assert links.reverse_ids(name, odd) is None
    assert render("{% url 'grants:officer_application' '12' %}") == reverse(name, args=["12"])
    with pytest.raises(NoReverseMatch):
        render("{% url 'grants:officer_application' 'x' %}")
    # as a variable, and with keyword arguments, as Django's tag does it
    assert render("{% url 'grants:officer_application' 5 as link %}[{{ link }}]") == (
        f"[{reverse(name, args=[5])}]"
    )
    assert render("{% url 'grants:officer_application' pk=5 %}") == reverse(name, kwargs={"pk": 5})
    assert render("{% url 'grants:nonexistent' 5 as link %}[{{ link }}]") == "[]"


def test_a_url_name_without_such_a_pattern_is_left_to_reverse() -> None:
    assert links.reverse_ids("grants:inbox", [1]) is None  # the inbox takes no id
    assert links.reverse_ids("no-such-name", [1]) is None


def test_the_script_prefix_of_a_deployment_under_a_path_is_kept() -> None:
    name = "grants:officer_application"
    try:
        set_script_prefix("/portal/")
        assert links.reverse_ids(name, [3]) == reverse(name, args=[3])
        assert links.reverse_ids(name, [3]).startswith("/portal/")  # type: ignore[union-attr]
    finally:
        set_script_prefix("/")
    assert links.reverse_ids(name, [3]) == reverse(name, args=[3])


def test_a_list_of_links_by_id_does_not_match_the_pattern_for_each_row() -> None:
    from unittest import mock

    import django.urls

    source = "{% for pk in ids %}{% url 'grants:officer_application' pk %} {% endfor %}"
    render(source, ids=[1])  # the first link of a name reverses it once
    with mock.patch.object(django.urls, "reverse", wraps=django.urls.reverse) as reversed_:
        page = render(source, ids=list(range(50)))
    assert reversed_.call_count == 0
    assert page.split() == [reverse("grants:officer_application", args=[pk]) for pk in range(50)]


def test_a_notifications_link_is_resolved_once_and_as_resolve_answers(monkeypatch) -> None:
    """Notiser asks which page each row links to: the answer is `resolve()`'s, worked out once
    per link and URL configuration."""
    from django.urls import resolve as django_resolve

    url = reverse("grants:application", args=[4711]) + "?flik=svar#svar"
    calls = []

    def counted(path: str, urlconf: str | None = None):
        calls.append(path)
        return django_resolve(path, urlconf)

    monkeypatch.setattr(links, "resolve", counted)
    links._resolved.cache_clear()
    first = links.linked_view(url)
    assert first == ("grants:application", {"pk": 4711})
    assert links.linked_view(url) == first
    assert calls == [urlsplit(url).path]
    assert links.linked_view("/finns/inte/") is None
    with pytest.raises(TypeError):
        first[1]["pk"] = 1  # type: ignore[index]  # a kept answer cannot be changed by a caller
