"""Search highlights (a pure function) and the service settings."""

from __future__ import annotations

import pytest

from core.config import get_settings
from core.errors import ConfigError
from service.highlight import highlight, query_stems


def test_query_words_are_marked_in_any_inflection() -> None:
    text = "Quizzes are capped; each quiz caps attempts."
    assert highlight(text, "quiz cap") == (
        "<mark>Quizzes</mark> are <mark>capped</mark>; each <mark>quiz</mark> "
        "<mark>caps</mark> attempts."
    )


def test_everything_else_is_html_escaped() -> None:
    text = 'Run <script>alert("x")</script> & restart the worker'
    marked = highlight(text, "restart script")
    assert marked == (
        "Run &lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt; "
        "&amp; <mark>restart</mark> the worker"
    )
    assert highlight("<b>bold</b>", "the of") == "&lt;b&gt;bold&lt;/b&gt;"


def test_stopwords_and_single_letters_are_not_marked_but_numbers_are() -> None:
    assert query_stems("What is the a 2 pass mark?") == {"2", "pass", "mark"}
    assert highlight("A pass mark of 2 is what it is", "what is a 2") == (
        "A pass mark of <mark>2</mark> is what it is"
    )


def test_service_settings_refuse_placeholder_keys_and_build_the_url() -> None:
    with pytest.raises(ConfigError, match="bootstrap_admin_key"):
        get_settings(service={"bootstrap_admin_key": "changeme"})
    service = get_settings(service={"host": "0.0.0.0", "port": 9001}).service
    assert service.base_url == "http://127.0.0.1:9001"
    assert service.auth_mode == "open" and service.max_question_chars == 2000
    explicit = get_settings(service={"url": "https://wc.example.com/"}).service
    assert explicit.base_url == "https://wc.example.com"
