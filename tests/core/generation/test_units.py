"""Passage text → answer units."""

from __future__ import annotations

import pytest

from core.generation.sentences import split_sentences
from core.generation.units import split_units


def texts(text: str, transcript: bool = False) -> list[str]:
    return [u.text for u in split_units(text, transcript=transcript)]


def test_headings_code_and_intro_lines_are_dropped() -> None:
    text = (
        "## Alert: web-5xx\n"
        "Triggered when more than 2% of requests fail for five minutes.\n\n"
        "To recover the web tier:\n"
        "1. Check the last deploy in #platform-deploys.\n"
        "2. Check the database connections:\n"
        "   ```bash\n   campusctl db connections --region eu-west\n   ```\n"
        "3. Restart the web tier one node at a time.\n"
        "Ok."
    )
    units = split_units(text)
    assert [u.text for u in units] == [
        "Triggered when more than 2% of requests fail for five minutes.",
        "Check the last deploy in #platform-deploys.",
        "Check the database connections:",
        "Restart the web tier one node at a time.",
    ]
    assert [u.kind for u in units[1:]] == ["step", "step", "step"]
    assert len({u.block for u in units[1:]}) == 1  # the code block does not end the list


def test_table_rows_read_with_their_header() -> None:
    text = (
        "| Expense | Limit | Receipt |\n|---|---|---|\n"
        "| Meals (travel) | 55 EUR/day | over 10 EUR |"
    )
    assert texts(text) == ["Meals (travel) — Limit: 55 EUR/day; Receipt: over 10 EUR"]


def test_a_table_extracted_without_outer_pipes_is_still_a_table() -> None:
    text = (
        "The standard payment schedule is:\n\nMilestone | Share of fees\n"
        "SOW signature | 40%\nFinal acceptance | 20%\n\nInvoices are payable within 30 days."
    )
    assert texts(text) == [
        "SOW signature — Share of fees: 40%",
        "Final acceptance — Share of fees: 20%",
        "Invoices are payable within 30 days.",
    ]


def test_a_chunk_that_starts_inside_a_table_has_no_header_row() -> None:
    # the header ("Command | Description") stayed in the chunk before
    text = (
        "st.multiselect | Display a multiselect widget. Use it for many items.\n"
        "st.navigation | Configure the available pages in a multipage app."
    )
    assert texts(text) == [
        "st.multiselect — Display a multiselect widget. Use it for many items.",
        "st.navigation — Configure the available pages in a multipage app.",
    ]


def test_a_key_value_table_without_header_keeps_every_row() -> None:
    assert texts("Classes | 7\nSamples total | 581012") == [
        "Classes — 7",
        "Samples total — 581012",
    ]


def test_no_unit_is_a_raw_pipe_joined_row() -> None:
    text = (
        "| Setting | Default | Regulated courses |\n|---|---|---|\n"
        "| Pass mark | 80% | 90% |\n| Attempts | 3 | 2 |\n\n"
        "Default pass mark | 70% | 80%\nAttempts | 3 | 2"
    )
    units = texts(text)
    assert units[:2] == [
        "Pass mark — Default: 80%; Regulated courses: 90%",
        "Attempts — Default: 3; Regulated courses: 2",
    ]
    assert units and all("|" not in u for u in units)


@pytest.mark.parametrize(
    "code",
    [
        "import smtpd import asyncore",
        "class CustomHandler: async def handle_DATA(self, server, session, envelope): pass",
        "@st.cache_data(max_entries=100) def load_data(path): return pd.read_csv(path)",
        '[theme] primaryColor = "#ff4b4b" backgroundColor = "#ffffff"',
        "col1, col2, col3 = st.columns(3)",
        'st.line_chart(df, x="date", y="revenue") st.bar_chart(df, x="category")',
        "x = ma.array([1][2][3][4], mask=[2], dtype=numpy.float64)",
    ],
)
def test_code_left_in_prose_is_not_a_unit(code: str) -> None:
    text = f"Use the cache for loaders and models in your app.\n\n{code}"
    assert texts(text) == ["Use the cache for loaders and models in your app."]


@pytest.mark.parametrize(
    "prose",
    [
        "Meals are capped at 55 EUR per day (70 EUR in London).",
        "Controller.start runs the SMTP server in a separate thread until Controller.stop.",
        'handle_DATA() must return an SMTP response code such as "250 OK".',
        "Report it to security@brightpath.example within one hour.",
        "For st.cache_resource, this is the available count-based limit.",
    ],
)
def test_prose_that_names_code_is_kept(prose: str) -> None:
    assert texts(prose) == [prose]


def test_units_remember_the_heading_above_them() -> None:
    text = (
        "Answers to common questions.\n\n## What is the maximum package size?\n\n"
        "**500 MB** per zip file, at most.\n\n## Who can publish?\n\n"
        "Only users with the Publisher role."
    )
    headings = [(u.text, u.heading) for u in split_units(text)]
    assert headings == [
        ("Answers to common questions.", ""),
        ("**500 MB** per zip file, at most.", "What is the maximum package size?"),
        ("Only users with the Publisher role.", "Who can publish?"),
    ]


def test_a_heading_glued_to_its_paragraph_is_dropped() -> None:
    text = (
        "Meal allowance\nWhen travelling, meals are capped at 55 EUR per day.\n"
        "Hotels\nA night costs 150 EUR."
    )
    assert texts(text) == [
        "When travelling, meals are capped at 55 EUR per day.",
        "A night costs 150 EUR.",
    ]


def test_sentences_do_not_end_at_abbreviations_or_initials() -> None:
    assert split_sentences("Ask Dr. J. Smith, e.g. by email. Then wait 2.5 days.") == [
        "Ask Dr. J. Smith, e.g. by email.",
        "Then wait 2.5 days.",
    ]


def test_fragments_too_short_or_too_long_are_dropped() -> None:
    long = " ".join(["word"] * 90) + "."
    assert texts(f"Yes. {long} Meals are capped at 55 EUR per day.") == [
        "Meals are capped at 55 EUR per day."
    ]


def test_a_transcript_is_speech_not_headings() -> None:
    text = (
        "Today we publish a course from Lumen 3.\nClick Publish at the top right\n"
        "Then choose Content Hub as the destination."
    )
    assert "Click Publish at the top right" not in " ".join(texts(text))  # looks like a heading
    assert texts(text, transcript=True) == [
        "Today we publish a course from Lumen 3.",
        "Click Publish at the top right Then choose Content Hub as the destination.",
    ]
    unpunctuated = " ".join(f"word{i}" for i in range(100))
    assert [len(t.split()) for t in texts(unpunctuated, transcript=True)] == [30, 30, 30, 10]


def test_a_loose_list_with_wrapped_items_stays_one_list() -> None:
    text = (
        "1. Check the last deploy in #platform-deploys.\n"
        "   Roll it back if it finished in the last 30 minutes.\n\n"
        "2. Click **Publish**.\n\n"
        "Afterwards, post an update on the status page.\n"
        "1. A new list starts here again."
    )
    units = split_units(text)
    assert [u.text for u in units] == [
        "Check the last deploy in #platform-deploys. Roll it back if it finished in the last "
        "30 minutes.",
        "Click **Publish**.",
        "Afterwards, post an update on the status page.",
        "A new list starts here again.",
    ]
    assert units[0].block == units[1].block != units[3].block
