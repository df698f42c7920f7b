"""Search, People and Document pages against the real service over the sample content."""

from __future__ import annotations

import re

import httpx
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import Service, app, html, no_exception, open_page

PACKAGE = "Content Hub FAQ"  # holds the maximum package size (500 MB)


def test_search_lists_ranked_passages_with_highlights_and_facets(ui_env: Service) -> None:
    at = open_page(app(), "views/search.py")
    at.text_input(key="search_query").input("package size").run()
    no_exception(at)
    page = html(at)
    assert page.count('class="wc-hit"') >= 5
    assert "<mark>" in page and PACKAGE in page
    assert at.pills(key="search_kinds").options == ["Wiki", "Blog", "Doc", "Video", "Answer"]
    assert "Platform & LMS Engineering" in at.multiselect(key="search_teams").options
    counts = " ".join(c.value for c in at.caption)
    assert re.search(r"Doc \*\*\d+\*\*", counts)  # facet counts beside the filters


def test_a_filter_changes_the_results(ui_env: Service) -> None:
    at = open_page(app(), "views/search.py")
    at.text_input(key="search_query").input("package size").run()
    everything = html(at)
    assert "wc-kind-doc" in everything
    at.pills(key="search_kinds").set_value(["video"]).run()
    assert at.session_state["search_kinds"] == ["video"]
    no_exception(at)
    videos = html(at)
    assert videos.count('class="wc-hit"') >= 1
    for kind in ("doc", "wiki", "blog"):
        assert f'class="wc-kind wc-kind-{kind}"' not in videos
    assert videos != everything


def _kind_counts(at: AppTest) -> dict[str, int]:
    """The kind counts shown under the kind chips (from the "In these results" caption)."""
    caption = next(c.value for c in at.caption if c.value.startswith("In these results: "))
    first = caption.removeprefix("In these results: ").split(" · ")
    kinds = {name: int(n.strip("*")) for name, n in (p.rsplit(" ", 1) for p in first if p != "…")}
    assert set(kinds) <= {"Wiki", "Blog", "Doc", "Video", "Answer"}, caption
    return kinds


def test_kind_counts_follow_the_query_and_the_chosen_kind(ui_env: Service) -> None:
    at = open_page(app(), "views/search.py")
    at.text_input(key="search_query").input("package size").run()
    shown = html(at).count('class="wc-hit"')
    assert sum(_kind_counts(at).values()) == shown
    assert not any(c.value.startswith("score") for c in at.caption)  # no raw scores
    at.pills(key="search_kinds").set_value(["wiki"]).run()
    no_exception(at)
    assert _kind_counts(at) == {"Wiki": html(at).count('class="wc-hit"')}


def test_people_directory_lists_everyone_and_filters_by_team(ui_env: Service) -> None:
    at = open_page(app(), "views/people.py")
    no_exception(at)
    assert html(at).count('class="wc-person-name"') >= 12
    at.selectbox(key="people_team").select("Learning Design").run()
    names = html(at)
    assert names.count('class="wc-person-name"') == 3 and "Priya Natarajan" in names
    at.text_input(key="people_query").input("Priya").run()
    named = html(at).split("Who knows about")[0]
    assert named.count('class="wc-person-name"') == 1  # by name, within the team


def test_people_are_found_by_topic_with_their_top_topics(ui_env: Service) -> None:
    at = open_page(app(), "views/people.py")
    at.text_input(key="people_query").input("on-call").run()
    no_exception(at)
    page = html(at)
    assert "Who knows about “on-call”" in page
    knowers = page.split("Who knows about")[1]
    assert "Sofia Alvarez" in knowers and "Jonas Becker" in knowers
    assert knowers.count('class="wc-topics"') >= 2  # each card shows their topics
    at.selectbox(key="people_team").select("Learning Design").run()
    assert "Sofia Alvarez" not in html(at)  # the team filter applies to the topic search too


def test_a_profile_shows_contact_topics_and_documents(ui_env: Service) -> None:
    people = httpx.get(f"{ui_env.url}/people", params={"q": "Kwame"}).json()["items"]
    at = open_page(app(), "views/people.py", person=people[0]["id"])
    no_exception(at)
    page = html(at)
    assert "Kwame Mensah" in page and "mailto:kwame.mensah@brightpath.example" in page
    assert "Documents (" in page and 'class="wc-tag"' in page
    titles = [link.proto.label for link in at.main.get("page_link")]
    assert PACKAGE in titles


def test_a_document_opens_with_the_cited_passage_highlighted(ui_env: Service) -> None:
    hit = httpx.get(f"{ui_env.url}/search", params={"q": "maximum package size"}).json()
    passage = next(p for p in hit["passages"] if p["title"] == PACKAGE)
    at = open_page(
        app(), "views/document.py", doc=passage["document_id"], chunk=passage["chunk_id"]
    )
    no_exception(at)
    page = html(at)
    assert PACKAGE in page and "Cited passage" in page
    assert '<mark id="wc-cited">' in page and "500 MB" in page
    assert any("Kwame Mensah" in link.proto.label for link in at.main.get("page_link"))


def test_an_unknown_document_is_a_clear_message(ui_env: Service) -> None:
    at = open_page(app(), "views/document.py", doc="no-such-document")
    no_exception(at)
    assert "Document not found" in html(at)
    assert any("not found" in w.value and "removed" in w.value for w in at.warning)
    assert "Search for it instead" in [str(link.proto.label) for link in at.main.get("page_link")]
