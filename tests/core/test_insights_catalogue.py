"""The training catalogue: YAML and CSV, and errors that name the line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.errors import ConfigError
from core.insights.catalogue import load_catalogue
from eval.insights_eval import CATALOGUE


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sample_catalogue_loads() -> None:
    programs = load_catalogue(CATALOGUE)
    assert len(programs) == 7
    assert programs[0].title == "Facilitating virtual workshops"
    assert programs[0].last_revised == date(2025, 9, 1)
    assert programs[0].text.startswith("Facilitating virtual workshops. Running live")


def test_csv_and_a_plain_yaml_list(tmp_path: Path) -> None:
    csv_path = write(
        tmp_path,
        "t.csv",
        "title,description,owner,audience,last_revised\n"
        'Onboarding,"Your first weeks, tools",Ann,Everyone,2025-01-02\n'
        "Sales basics,Pricing and proposals,,,\n",
    )
    programs = load_catalogue(csv_path)
    assert [p.title for p in programs] == ["Onboarding", "Sales basics"]
    assert programs[0].description == "Your first weeks, tools" and programs[1].owner is None
    yaml_path = write(tmp_path, "t.yaml", "- {title: A, description: a}\n")
    assert load_catalogue(yaml_path)[0].line == 1
    assert load_catalogue(write(tmp_path, "empty.yaml", "")) == []


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "missing.yaml",
            "programs:\n  - title: A\n    description: a\n  - title: B\n",
            "missing.yaml, line 4: missing description",
        ),
        (
            "dupe.yaml",
            "- {title: A, description: a}\n- {title: B, description: b}\n"
            "- {title: a, description: c}\n",
            "dupe.yaml, line 3: duplicate title 'a' (first on line 1)",
        ),
        (
            "dupe.csv",
            "title,description\nA,a\nB,b\nA,again\n",
            "dupe.csv, line 4: duplicate title 'A' (first on line 2)",
        ),
        ("missing.csv", "title,description\nA,\n", "missing.csv, line 2: missing description"),
        ("wide.csv", "title,description\nA,a,extra\n", "wide.csv, line 2: more values"),
        (
            "date.yaml",
            "- {title: A, description: a, last_revised: soon}\n",
            "date.yaml, line 1: last_revised 'soon' is not a date",
        ),
        (
            "field.yaml",
            "- {title: A, description: a, trainer: Bo}\n",
            "field.yaml, line 1: unknown field 'trainer'",
        ),
        ("map.yaml", "title: A\n", "expected a list of programs"),
        ("bad.yaml", "- [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_catalogues_name_the_line(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_catalogue(write(tmp_path, name, text))
    assert message in str(err.value)
