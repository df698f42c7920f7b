"""Realistic passages for the generator tests: an expense policy, SCORM uploads, quiz standards."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from core.schema import Passage, SourceKind


class CountingEmbedder:
    """Wraps the real embedder and counts the passage texts it embeds."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.documents = 0

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.inner.embed_query(text))

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.documents += len(texts)
        return np.asarray(self.inner.embed_documents(texts))


def passage(key: str, title: str, heading: list[str], text: str) -> Passage:
    """A retrieved passage with just enough metadata to be cited."""
    return Passage(
        chunk_id=f"chunk-{key}",
        document_id=f"doc-{key}",
        title=title,
        kind=SourceKind.WIKI,
        source="wiki",
        heading_path=heading,
        text=text,
        start=0,
        end=len(text),
    )


MEALS = passage(
    "meals",
    "Travel and expense policy",
    ["Travel", "Meals"],
    "Meals\n"
    "When you travel for work, meals are reimbursed up to **55 EUR per day**, tips included. "
    "Alcohol is never reimbursed. Keep an itemised receipt for every meal over 10 EUR; card "
    "slips alone are not accepted.\n\n"
    "Client dinners are entertainment, not travel meals, and need your manager's approval in "
    "advance.",
)
HOTELS = passage(
    "hotels",
    "Travel and expense policy",
    ["Travel", "Hotels"],
    "Hotel nights are capped at 150 EUR in most cities and at 220 EUR in London, Paris, "
    "New York and Zurich. Book through the travel portal so the booking appears in your trip. "
    "If the portal has no room under the cap, ask Finance in #finance-help before you book.",
)
CLAIMS = passage(
    "claims",
    "Travel and expense policy",
    ["Submitting a claim"],
    "To submit an expense claim:\n"
    "1. Open Expenses in the Finance portal and click New claim.\n"
    "2. Add each receipt as a separate line and attach a photo or PDF of it.\n"
    "3. Choose the cost centre of your team; client project costs go to the project code.\n"
    "4. Submit the claim within 30 days of the expense.\n"
    "5. Your manager approves it, and Finance pays it with the next monthly payroll.",
)
SCORM = passage(
    "scorm",
    "Campus LMS administration",
    ["Content", "Uploading a SCORM package"],
    "Campus accepts SCORM 1.2 and SCORM 2004 packages as a single zip file of up to 500 MB.\n\n"
    "To upload a package:\n"
    "1. In Campus Admin, open Content Hub and click Upload package.\n"
    "2. Select the zip file exported from your authoring tool.\n"
    "3. Wait for Package Check to finish; it validates imsmanifest.xml and flags missing files.\n"
    "4. Fix any errors, then click Publish to make the course visible to learners.\n\n"
    "Packages larger than 500 MB must be split into several modules.",
)
QUIZ = passage(
    "quiz",
    "Quiz and assessment standards (2025)",
    ["Pass mark"],
    "The default pass mark (mastery score) for scored quizzes is **80%**. For regulated "
    "compliance courses a client may set a pass mark of up to 90%, with written sign-off in "
    "the design document. Learners get two attempts before a remediation module unlocks.\n\n"
    "| Rule | 2022 | 2025 |\n|---|---|---|\n| Default pass mark | 70% | 80% |\n"
    "| Attempts before remediation | 3 | 2 |",
)
OFFICE = passage(
    "office",
    "Lisbon office guide",
    ["Visiting"],
    "The Lisbon office is open from 8:00 to 19:00 on weekdays. Visitors sign in at reception "
    "and wear a badge at all times. The third-floor kitchen is cleaned every evening, so "
    "please label your food in the fridge.",
)
PASSWORDS = passage(
    "passwords",
    "Password manager",
    ["Rules"],
    "Every employee uses 1Password for work credentials. IT creates one shared vault per "
    "team. Never store client passwords in browser autofill, and turn on two-factor "
    "authentication for your 1Password account.",
)
MILEAGE = passage(
    "mileage",
    "Travel and expense policy",
    ["Travel", "Mileage"],
    "Using your own car for a business trip is reimbursed at 0.30 EUR per kilometre. "
    "Commuting between home and the office is not reimbursed. Parking and tolls are "
    "claimed separately, with receipts.",
)

ALL = {
    "meals": MEALS,
    "hotels": HOTELS,
    "claims": CLAIMS,
    "scorm": SCORM,
    "quiz": QUIZ,
    "office": OFFICE,
    "passwords": PASSWORDS,
    "mileage": MILEAGE,
}
