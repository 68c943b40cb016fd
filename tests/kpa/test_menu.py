"""The menu says where it goes: every menu item's label is (in) the heading of the page it opens, for every
kind of user."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    """The links of the main menu (label, href) and the text of the page's h1."""

    def __init__(self):
        super().__init__()
        self.menu: list[list[str]] = []
        self.h1 = ""
        self._menu_depth = 0
        self._link: list[str] | None = None
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("id") == "nav-main":
            self._menu_depth = 1
        elif self._menu_depth and tag == "div":
            self._menu_depth += 1
        if self._menu_depth and tag == "a":
            self._link = ["", attrs["href"]]
        if tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag):
        if self._menu_depth and tag == "div":
            self._menu_depth -= 1
        if tag == "a" and self._link is not None:
            self.menu.append([" ".join(self._link[0].split()), self._link[1]])
            self._link = None
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._link is not None:
            self._link[0] += data
        if self._in_h1:
            self.h1 = " ".join((self.h1 + data).split())


def _parse(response) -> _Page:
    assert response.status_code == 200, response
    page = _Page()
    page.feed(response.content.decode())
    return page


@pytest.mark.parametrize("who", ["ib", "partner", "coordinator", "admin_user"])
def test_it_opens_a_page_headed_with_the_menu_label(client, request, school, ib, partner, who):
    client.force_login(request.getfixturevalue(who))
    menu = _parse(client.get(reverse("kpa:home"))).menu
    assert len(menu) >= 4
    for label, href in menu:
        heading = _parse(client.get(href)).h1
        assert label.casefold() in heading.casefold(), f"menu item {label!r} opens {href}, headed {heading!r}"


def test_it_names_each_kind_of_users_start_page_after_its_heading(client, school, ib, partner, coordinator):
    expected = {ib: "Mijn school", partner: "Mijn scholen", coordinator: "Overzicht"}
    for user, label in expected.items():
        client.force_login(user)
        page = _parse(client.get(reverse("kpa:home")))
        assert page.menu[0] == [label, reverse("kpa:home")]
        assert page.h1.startswith(label)
