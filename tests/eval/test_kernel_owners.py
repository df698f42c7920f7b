"""kernel-owners: MAINTAINERS parsing, the owners file's order, questions, and a small real run."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import get_settings
from core.embedding import Embedder
from core.errors import DatasetError
from core.schema import Passage, SourceKind
from eval.datasets import kernel_owners as ko
from eval.datasets.maintainers import (
    Maintainer,
    directory,
    owners_rules,
    parse_maintainers,
    render_owners,
)
from eval.datasets.splits import half
from eval.owners_suite import MOST_DOCUMENTS, TOP_DOCUMENT, naive_rankings, owners_report
from eval.request import RunRequest
from eval.suites import dataset_spec
from ingest.owners import OwnersFile

EXCERPT = """\
List of maintainers
===================

	M: *Mail* patch to: FullName <address@domain>

Maintainers List
----------------

HARDWARE MONITORING
M:	Guenter Roeck <linux@roeck-us.net>
L:	linux-hwmon@vger.kernel.org
S:	Maintained
F:	Documentation/hwmon/
F:	drivers/hwmon/

LM90 HARDWARE MONITOR DRIVER
M:	Jean Delvare <JDelvare@suse.com>
S:	Maintained
F:	Documentation/hwmon/lm90.rst
F:	drivers/hwmon/lm90.c

POWER MANAGEMENT CORE
M:	"Rafael J. Wysocki" <rafael@kernel.org>
M:	pm-list@example.org
F:	Documentation/power
F:	Documentation/hwmon/

ORPHANED DRIVER
S:	Orphan
F:	Documentation/orphan.rst
"""


def test_entries_are_parsed_with_maintainers_and_files() -> None:
    entries = parse_maintainers(EXCERPT)
    assert [e.title for e in entries] == [
        "HARDWARE MONITORING",
        "LM90 HARDWARE MONITOR DRIVER",
        "POWER MANAGEMENT CORE",
        "ORPHANED DRIVER",
    ]  # the header's indented field lines are prose, not an entry
    assert entries[1].maintainers == (Maintainer("Jean Delvare", "jdelvare@suse.com"),)
    assert entries[2].maintainers == (
        Maintainer("Rafael J. Wysocki", "rafael@kernel.org"),  # quotes dropped
        Maintainer("pm-list@example.org", "pm-list@example.org"),  # a bare address
    )
    assert entries[0].files == ("Documentation/hwmon/", "drivers/hwmon/")
    assert directory(entries)["linux@roeck-us.net"] == "Guenter Roeck"


def test_owners_file_orders_broad_before_specific_so_the_specific_entry_wins(
    tmp_path: Path,
) -> None:
    entries = parse_maintainers(EXCERPT)
    rules = owners_rules(entries, "Documentation/", lambda p: p == "Documentation/power")
    assert [r.pattern for r in rules] == [
        "Documentation/hwmon/",  # listed by two entries: one rule with both
        "Documentation/power/",  # a folder named without its '/'
        "Documentation/hwmon/lm90.rst",
    ]  # drivers/ is not documentation; the orphan has no maintainer
    assert rules[0].emails == ("linux@roeck-us.net", "rafael@kernel.org", "pm-list@example.org")
    (tmp_path / "OWNERS").write_text(render_owners(rules, "test"), encoding="utf-8")
    owners = OwnersFile.load(tmp_path / "OWNERS")

    def emails(rel: str) -> list[str | None]:
        return [o.email for o in owners.owners_for(tmp_path / rel)]

    assert emails("Documentation/hwmon/lm90.rst") == ["jdelvare@suse.com"]
    assert emails("Documentation/hwmon/tmp401.rst")[0] == "linux@roeck-us.net"
    assert emails("Documentation/power/swsusp.rst")[0] == "rafael@kernel.org"
    assert emails("Documentation/process/howto.rst") == []


def test_titles_topics_and_questions_are_deterministic() -> None:
    text = ".. SPDX-License-Identifier: GPL-2.0\n\n=================\nKernel driver lm90\n" \
        "=================\n\nSupported chips:\n"  # fmt: skip
    assert ko.rst_title(text) == "Kernel driver lm90"
    assert ko.rst_title("The ``perf`` tool\n-----------------\n\ntext") == "The ``perf`` tool"
    assert ko.topic("Kernel driver lm90") == "kernel driver lm90"
    assert ko.topic("The I2C Protocol") == "I2C Protocol"
    assert ko.topic("NVMe over :c:func:`fabrics`") == "NVMe over fabrics"  # capitals kept
    assert ko.is_generic(ko.topic("Overview")) and ko.is_generic("ab")
    first = ko.question("Documentation/hwmon/lm90.rst", "kernel driver lm90")
    assert first == ko.question("Documentation/hwmon/lm90.rst", "kernel driver lm90")
    asked = {ko.question(f"Documentation/x/{n}.rst", "x") for n in range(40)}
    assert asked == {t.format(topic="x") for t in ko.TEMPLATES}  # every template is used


def passage(doc: str, owners: list[str], position: int = 0) -> Passage:
    """A retrieved passage of document `doc` owned by `owners`."""
    return Passage(
        chunk_id=f"{doc}-{position}",
        document_id=doc,
        title=doc,
        kind=SourceKind.DOC,
        source="kernel-docs",
        text="Some text.",
        start=0,
        end=10,
        owner_ids=owners,
    )


def test_naive_baselines() -> None:
    passages = [
        passage("Specific", ["jean"]),
        passage("Specific", ["jean"], 1),
        passage("Broad 1", ["guenter"]),
        passage("Broad 2", ["guenter", "rafael"]),
    ]
    ranked = naive_rankings(passages)
    assert ranked[TOP_DOCUMENT] == ["jean"]
    assert ranked[MOST_DOCUMENTS] == ["guenter", "jean", "rafael"]


def test_dataset_names() -> None:
    assert dataset_spec("kernel-owners-tune").kind == "golden"
    assert ko.parse_owners_dataset("kernel-owners-test") == ("kernel-owners", "test")
    assert ko.parse_owners_dataset("kernel-owners-dev") is None


@pytest.fixture(scope="module")
def tree() -> Path:
    """MAINTAINERS and Documentation/ of the pinned linux-source package (cached)."""
    try:
        return ko.kernel_tree()
    except DatasetError as exc:  # apt cannot reach the archive here: nothing to read
        pytest.skip(f"cannot fetch {'='.join(ko.PACKAGE)} with apt-get: {exc}")


def test_small_real_run_reports_who_to_ask_precision(
    tree: Path, embedder: Embedder, tmp_path: Path
) -> None:
    owners_set = ko.build_owners_set(tree, tmp_path / "content", docs=20)
    assert len(owners_set.items) == 20
    assert all(i.half == half(i.id, "kernel-owners") and i.owners for i in owners_set.items)
    assert all(not i.id.startswith(ko.SKIPPED) for i in owners_set.items)
    settings = get_settings(data_dir=tmp_path / "data")
    request = RunRequest("kernel-owners", retrievers=["hybrid"], generators=[])
    spec = dataset_spec("kernel-owners")
    report = owners_report(owners_set, None, request, spec, settings, embedder, "test-run")
    assert report["problems"] == []  # every document and owner resolved
    assert report["corpus"]["documents"] == 20
    assert report["people_items"] == 20
    for name in ("hybrid", TOP_DOCUMENT, MOST_DOCUMENTS):
        p_at_1 = report["people"][name]["p@1"]
        assert p_at_1["n"] == 20 and 0.0 <= p_at_1["mean"] <= 1.0
    # The title is the question: the top document is nearly always the page itself.
    assert report["retrieval"]["hybrid"]["recall@1"]["mean"] >= 0.7
    assert any(g["goal"].startswith("hybrid: who-to-ask P@1") for g in report["goals"])
