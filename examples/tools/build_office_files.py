"""Build the binary files (DOCX, PPTX, PDF) of the Brightpath sample corpus.

The text of every document is defined in this script (``DOCUMENTS`` below), so
the corpus can be rebuilt and reviewed as plain text. Metadata dates are fixed
and zip/PDF timestamps are normalised, so running the script twice produces
byte-identical files.

Usage (from the repository root)::

    .venv/bin/python examples/tools/build_office_files.py [--out examples/sample]
"""

# ruff: noqa: E501  (long prose strings in DOCUMENTS)
from __future__ import annotations

import argparse
import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
from docx.shared import Pt
from pptx import Presentation
from pptx.util import Inches, Pt as PptPt
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

ZIP_EPOCH = (2025, 1, 1, 0, 0, 0)


# Blocks are tuples: ("h1", text), ("h2", text), ("h3", text), ("p", text),
# ("bullets", [text, ...]), ("numbers", [text, ...]), ("table", [[cell, ...], ...])
# where the first table row is the header. PPTX documents use slides instead:
# {"title": str, "bullets": [...], "table": [[...]], "notes": str}.


def _parse_date(value: str) -> datetime:
    return datetime.fromisoformat(value)


def normalise_zip(path: Path) -> None:
    """Rewrite an OOXML zip with fixed entry timestamps so builds are reproducible."""
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            new = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o644 << 16
            dst.writestr(new, data)
    path.write_bytes(buf.getvalue())


# ====================================================================== CONTENT
# Text and metadata of every generated file, keyed by path relative to the sample root.

DOCUMENTS: dict[str, dict[str, Any]] = {}


# ====================================================================== DOCX

DOCUMENTS["docs/policies/expense-and-travel-policy-2025.docx"] = {
    "title": "Expense and Travel Policy 2025",
    "subtitle": "Effective 1 April 2025. Replaces the Expense Policy 2023. Owner: Liam O'Connor, "
    "Finance Director.",
    "author": "Liam O'Connor",
    "last_modified_by": "Liam O'Connor",
    "keywords": ["finance", "expenses", "travel", "policy", "ledgerly"],
    "subject": "Expenses",
    "created": "2025-02-24T09:00:00",
    "modified": "2025-03-10T16:30:00",
    "revision": 7,
    "blocks": [
        ("h1", "1. Purpose and scope"),
        (
            "p",
            "This policy sets out which business expenses Brightpath Learning reimburses, the "
            "limits that apply, and how to claim. It applies to all employees in every office "
            "and to expenses incurred on or after 1 April 2025. Expenses incurred before that "
            "date follow the Expense Policy 2023. Freelance associate facilitators follow the "
            "expense terms in their contracts.",
        ),
        (
            "p",
            "Limits are set in euros (EUR), the group reference currency, except where a local "
            "currency is stated. Staff paid in GBP, USD or SGD claim the equivalent in their "
            "local currency; Ledgerly converts at the rate Finance publishes on the first working "
            "day of each month.",
        ),
        ("h1", "2. What changed from the 2023 policy"),
        (
            "table",
            [
                ["Rule", "2023 policy", "2025 policy"],
                ["Daily meal allowance when travelling", "EUR 40", "EUR 55"],
                ["Hotel cap, London", "EUR 190", "EUR 230"],
                [
                    "Hotel cap, other cities",
                    "EUR 150",
                    "EUR 170 (New York USD 320, Singapore SGD 300)",
                ],
                ["Receipts required above", "EUR 25", "EUR 15"],
                ["Submission deadline", "60 days", "30 days"],
                ["How to claim", "Emailed spreadsheet", "Ledgerly app"],
                ["Manager approval above", "EUR 500", "EUR 750 (Finance approval above EUR 2,500)"],
                [
                    "Long-haul flights",
                    "Business class from 8 hours",
                    "Premium economy from 6 hours",
                ],
                ["Mileage", "EUR 0.30 per km", "EUR 0.35 per km"],
            ],
        ),
        ("h1", "3. General principles"),
        (
            "bullets",
            [
                "Spend company money as if it were your own: reasonable, necessary, and wholly for "
                "Brightpath business.",
                "Rebillable expenses (costs a client has agreed to pay under its statement of work) "
                "must carry the client's three-letter code so Finance can invoice them.",
                "If you are unsure whether something is claimable, ask before you spend, in "
                "#finance-help.",
            ],
        ),
        ("h1", "4. Meals and subsistence"),
        (
            "p",
            "When you travel on business away from your normal place of work you may claim meals "
            "up to EUR 55 per day in total. The allowance is not a per diem: claim what you "
            "actually spend, with receipts, up to the limit. If breakfast is included in the "
            "hotel rate, do not claim breakfast separately.",
        ),
        (
            "p",
            "Client entertainment must be approved in advance by your manager, is limited to "
            "EUR 75 per person, and does not count against the daily meal allowance. Record the "
            "names of the client attendees in the claim.",
        ),
        ("p", "Alcohol is not reimbursed, whether travelling or entertaining."),
        ("h1", "5. Accommodation"),
        (
            "p",
            "Hotels are booked through TravelDesk (see the Travel Booking Process). Nightly caps, "
            "including taxes and excluding breakfast:",
        ),
        (
            "table",
            [
                ["City", "Cap per night"],
                ["London", "EUR 230"],
                ["New York", "USD 320"],
                ["Singapore", "SGD 300"],
                ["Berlin and all other cities", "EUR 170"],
            ],
        ),
        (
            "p",
            "If nothing suitable is available within the cap, TravelDesk asks Finance to approve "
            "an exception before booking. Staying with friends or family is welcome; it is not "
            "reimbursed, but a small gift up to EUR 30 may be claimed.",
        ),
        ("h1", "6. Travel"),
        ("h2", "6.1 Flights"),
        (
            "bullets",
            [
                "Flights under 6 hours: economy class.",
                "Flights of 6 hours or more: premium economy.",
                "Business class is not reimbursed unless approved in writing in advance by the Finance "
                "Director.",
                "Checked baggage is claimable when you carry workshop materials or equipment.",
            ],
        ),
        ("h2", "6.2 Rail, taxis and cars"),
        (
            "bullets",
            [
                "Rail: standard class. First class only if it is cheaper than standard at the time of "
                "booking.",
                "Taxis and ride-hailing: when public transport is impractical, when carrying equipment, "
                "or after 22:00.",
                "Own car: EUR 0.35 per kilometre, plus parking and tolls. Commuting to your normal "
                "office is not claimable.",
            ],
        ),
        ("h1", "7. Receipts"),
        (
            "p",
            "An itemised receipt is required for every expense over EUR 15. Photograph the "
            "receipt in Ledgerly at the time; paper receipts do not need to be kept once the "
            "photograph is legible. Card terminal slips alone are not receipts.",
        ),
        ("h1", "8. How to claim"),
        (
            "numbers",
            [
                "Record each expense in the Ledgerly mobile app or web app, with a photo of the "
                "receipt and the client code or cost centre.",
                "Submit claims within 30 days of the expense. Claims older than 90 days are rejected "
                "except in exceptional circumstances approved by the Finance Director.",
                "Claims over EUR 750 are routed automatically to your manager for approval; claims "
                "over EUR 2,500 also need Finance approval.",
                "Approved claims are paid in the weekly Thursday payment run.",
            ],
        ),
        ("p", "Emailed spreadsheets are no longer accepted from 1 April 2025."),
        ("h1", "9. Corporate cards"),
        (
            "p",
            "Employees who travel more than four times a year can request a Brightpath corporate "
            "card. Card transactions appear in Ledgerly automatically; you still attach receipts "
            "and codes within 30 days. Personal use of a corporate card is not allowed, even if "
            "repaid.",
        ),
        ("h1", "10. What is not reimbursed"),
        (
            "bullets",
            [
                "Alcohol.",
                "Fines, including parking and speeding fines.",
                "Seat, room or class upgrades not approved in advance.",
                "Personal travel insurance: business travel is covered by the group policy.",
                "Home office equipment and internet, which are covered by the Remote Work and Home "
                "Equipment Policy.",
            ],
        ),
        ("h1", "11. Travel for in-person delivery"),
        (
            "p",
            "Facilitators travelling to deliver in-person workshops follow this policy in full. "
            "Because these trips are usually rebillable, a few extra rules apply:",
        ),
        (
            "bullets",
            [
                "Every expense carries the client code from the statement of work. Without a code, the "
                "cost cannot be rebilled and is charged to the Delivery budget.",
                "Travel the day before a session if the session starts before 10:00 local time or the "
                "journey is longer than three hours.",
                "Printed materials and equipment shipping are rebillable and must be booked through "
                "Delivery Operations, not claimed personally.",
                "If a client cancels late, tell TravelDesk immediately so that refundable bookings can "
                "be cancelled; the SOW usually lets us rebill non-refundable costs.",
            ],
        ),
        ("h1", "12. Worked examples"),
        ("h2", "Example 1: two-day client visit to Berlin"),
        (
            "p",
            "A London-based designer travels to Berlin for a two-day design workshop. Flight time "
            "is under two hours, so economy class applies. The hotel may cost up to EUR 170 per "
            "night. Meals can be claimed up to EUR 55 per day for each of the two days, with "
            "receipts for anything over EUR 15. The claim total is EUR 820, so it is routed to "
            "the manager for approval. Everything is coded to the client.",
        ),
        ("h2", "Example 2: facilitator flying London to Singapore"),
        (
            "p",
            "The flight is about 13 hours, so premium economy may be booked through TravelDesk. "
            "The Singapore hotel cap is SGD 300 per night. The total trip cost is above EUR "
            "2,500, so Finance approval is needed in addition to manager approval before booking.",
        ),
        ("h2", "Example 3: a late claim"),
        (
            "p",
            "A taxi receipt from a client session is found 45 days later. It is past the 30-day "
            "deadline but within 90 days, so it can still be submitted with a short explanation; "
            "repeated late claims are reported to the manager. After 90 days it would be "
            "rejected.",
        ),
        ("h1", "13. Frequently asked questions"),
        ("h3", "Can I claim a meal when I am working late in the office?"),
        (
            "p",
            "No. The meal allowance applies only when travelling away from your normal place of "
            "work. Team meals are paid from team budgets with manager approval.",
        ),
        ("h3", "I was given a per diem by a client. What do I do?"),
        (
            "p",
            "Tell Finance. Brightpath does not pay per diems; client-provided allowances are "
            "offset against your claims.",
        ),
        ("h3", "What if my manager is on leave?"),
        (
            "p",
            "Ledgerly routes the approval to the manager's delegate. If no delegate is set, "
            "Finance approves claims up to EUR 2,500.",
        ),
        ("h1", "14. Questions and exceptions"),
        (
            "p",
            "Questions go to #finance-help. Exceptions to this policy need written approval from "
            "the Finance Director, Liam O'Connor.",
        ),
    ],
}

DOCUMENTS["docs/sales/statement-of-work-guide.docx"] = {
    "title": "Writing a Statement of Work: Guide for Account Teams",
    "subtitle": "Client Success & Sales. Use with the SOW template in the sales folder.",
    "author": "oliver.grant@brightpath.example",
    "last_modified_by": "Hannah Brooks",
    "keywords": ["sales", "statement of work", "sow", "contracts", "client onboarding"],
    "subject": "Statements of work",
    "created": "2024-05-13T10:00:00",
    "modified": "2025-04-22T14:15:00",
    "revision": 12,
    "blocks": [
        ("h1", "Why the SOW matters"),
        (
            "p",
            "The statement of work (SOW) is the document that both Brightpath and the client will "
            "open when something goes wrong. It turns the proposal into commitments: what we will "
            "deliver, by when, what the client must do, how acceptance works and how we get paid. "
            "A vague SOW costs us margin and costs the client trust. This guide explains each "
            "section of the Brightpath SOW template and the rules that apply.",
        ),
        ("h1", "Sections of the SOW"),
        ("h2", "1. Background and objectives"),
        (
            "p",
            "Two or three paragraphs in the client's language describing the business problem "
            "and what success looks like. Reuse the discovery notes. Include measurable outcomes "
            "where the client has agreed them, but never promise business results we do not "
            "control; promise deliverables and evaluation.",
        ),
        ("h2", "2. Scope and deliverables"),
        (
            "p",
            "List every deliverable with enough detail that a stranger could check it: number and "
            "length of e-learning modules and their interactivity level, number of live "
            "sessions, participants per session, languages, and formats. State what is out of "
            "scope as clearly as what is in scope.",
        ),
        (
            "bullets",
            [
                "E-learning: module count, target duration in minutes, Level 1 or Level 2 "
                "interactivity, standard (cmi5 for Campus, SCORM 1.2 or SCORM 2004 for the client's "
                "LMS).",
                "Live delivery: number of sessions, virtual or in person, participants per facilitator "
                "(up to 16 for interactive workshops), producer if 20 or more participants.",
                "Localisation: languages and which deliverables are translated.",
                "Accessibility: every SOW states that deliverables will conform with WCAG 2.2 level AA.",
            ],
        ),
        ("h2", "3. Milestones and timeline"),
        (
            "p",
            "Use the ADDIE milestones: kickoff, design sign-off, alpha, beta, final acceptance, "
            "launch. Base review times on the content review process: the client has up to 10 "
            "business days for sign-off at each review stage. State that dates move if client "
            "reviews take longer.",
        ),
        ("h2", "4. Client responsibilities"),
        (
            "bullets",
            [
                "A named project lead with authority to approve deliverables.",
                "Subject matter experts available for the agreed review windows.",
                "Brand guidelines, glossary and source materials by the kickoff date.",
                "For Campus: an IT contact for single sign-on set-up.",
            ],
        ),
        ("h2", "5. Acceptance"),
        (
            "p",
            "The client has 10 business days from delivery to accept each deliverable or to list "
            "specific defects against the agreed scope. If they do neither, the deliverable is "
            "deemed accepted. Two rounds of revisions are included for each deliverable; further "
            "rounds are change requests.",
        ),
        ("h2", "6. Fees and payment terms"),
        (
            "p",
            "Quote from the current price list. For custom projects the standard payment "
            "schedule is:",
        ),
        (
            "table",
            [
                ["Milestone", "Share of fees"],
                ["SOW signature", "40%"],
                ["Beta delivered", "40%"],
                ["Final acceptance", "20%"],
            ],
        ),
        (
            "p",
            "Invoices are payable within 30 days. Live workshops are invoiced monthly in arrears. "
            "Licences (Essentials, Campus) are invoiced annually in advance. Travel for in-person "
            "delivery is rebilled at cost under our expense policy and must be mentioned in the "
            "SOW.",
        ),
        ("h2", "7. Change control"),
        (
            "p",
            "Any change to scope, timeline or fees goes through a change request (CR) using the CR "
            "form. The Account Director can approve CRs up to 5% of the SOW value; larger CRs "
            "need the VP Client Success and Sales. Never start work on a change before the client "
            "has signed the CR.",
        ),
        ("h2", "8. Data protection"),
        (
            "p",
            "If learners' personal data will be held in Campus, the SOW references our data "
            "processing agreement (DPA), which must be signed before the tenant goes live. "
            "Learner records are deleted 12 months after the contract ends. Questions about "
            "security questionnaires go to Grace Liu.",
        ),
        ("h1", "Signature authority"),
        (
            "table",
            [
                ["Total SOW value", "Who signs for Brightpath"],
                ["Up to GBP 100,000", "Account Director"],
                ["GBP 100,000 to 250,000", "VP Client Success and Sales"],
                ["Over GBP 250,000", "Chief Executive Officer"],
            ],
        ),
        ("h1", "Checklist before sending"),
        (
            "numbers",
            [
                "Client code assigned (three letters) and used in the SOW reference.",
                "Prices match the current price list, and any discount is approved.",
                "Facilitator ratios and session lengths follow the virtual workshop staffing rules.",
                "Accessibility and data protection clauses present.",
                "Second reviewer (another Account Director or Hannah Brooks) has read it.",
            ],
        ),
    ],
}

DOCUMENTS["docs/delivery/virtual-workshop-run-sheet.docx"] = {
    "title": "Virtual Workshop Run Sheet (three-hour session)",
    "subtitle": "Template. Copy into the client folder and fill in for each session.",
    "author": "Rafael Mendes",
    "keywords": ["facilitation", "run sheet", "virtual workshops", "producer", "template"],
    "subject": "Delivery",
    "created": "2025-01-20T17:00:00",
    "modified": "2025-02-03T18:45:00",
    "revision": 4,
    "blocks": [
        ("h1", "How to use this run sheet"),
        (
            "p",
            "The run sheet is the shared plan between the facilitator and the producer. It says "
            "who does what, minute by minute, and what happens if something fails. Fill it in at "
            "least two working days before the session and send it to the producer. Keep it open "
            "on a second screen during the session. The timings below are for a standard "
            "three-hour virtual session, the longest we run; adjust the content blocks, not the "
            "breaks.",
        ),
        ("h1", "Session details"),
        (
            "table",
            [
                ["Field", "Entry"],
                ["Client and client code", ""],
                ["Programme and session number", ""],
                ["Date and start time (with time zone)", ""],
                ["Platform and meeting link", "Zoom (default) / client's Microsoft Teams"],
                ["Facilitator", ""],
                ["Producer (required from 20 participants)", ""],
                ["Expected participants", ""],
                ["Producer's mobile number (backup channel)", ""],
            ],
        ),
        ("h1", "Timeline"),
        (
            "table",
            [
                ["Time", "Activity", "Facilitator", "Producer"],
                [
                    "T-30 min",
                    "Tech check",
                    "Join, test audio, video and screen share",
                    "Join, set up polls and breakout rooms, test recording settings",
                ],
                [
                    "0:00",
                    "Welcome and chat opener",
                    "Greets people by name, starts on time",
                    "Admits participants, posts the opener question in chat",
                ],
                ["0:10", "Agenda, objectives, ground rules", "Presents", "Posts agenda in chat"],
                [
                    "0:15",
                    "Breakout 1 (rooms of 4-5)",
                    "Briefs task before opening rooms",
                    "Opens rooms, posts instructions, gives 2-minute and 30-second warnings",
                ],
                ["0:35", "Debrief", "Two rooms report, others add", "Monitors chat"],
                [
                    "0:50",
                    "Content block 1 (max 7 minutes per chunk)",
                    "Presents with poll",
                    "Launches poll",
                ],
                [
                    "1:00",
                    "Break (10 minutes)",
                    "Countdown on screen",
                    "Plays music, watches for leavers",
                ],
                ["1:10", "Skills practice / role-play", "Briefs and observes", "Runs rooms"],
                ["2:00", "Break (10 minutes)", "Countdown on screen", "Checks attendance"],
                ["2:10", "Application planning", "Facilitates pairs", "Runs rooms"],
                ["2:40", "Commitments and close", "Returns to objectives", "Posts survey link"],
                [
                    "2:50",
                    "Survey (2 minutes) and end",
                    "Thanks group, ends on time",
                    "Saves chat, exports attendance",
                ],
            ],
        ),
        ("h1", "Backup plan"),
        (
            "bullets",
            [
                "Facilitator connection drops: the producer announces a five-minute reflection "
                "activity (prepared on the last slide) and calls the facilitator's mobile.",
                "Producer connection drops: the facilitator keeps going; breakout rooms are replaced "
                "with a chat activity until the producer returns.",
                "Platform outage: after five minutes, post the backup link by email to participants "
                "using the invitation list.",
            ],
        ),
        ("h1", "After the session"),
        (
            "numbers",
            [
                "Producer uploads the attendance list to Campus within two business days, so that "
                "certificates are issued to people who attended at least 90% of the session.",
                "Facilitator sends a three-line summary to the account manager and producer.",
                "Anything that went wrong technically is logged in #delivery-ops.",
            ],
        ),
    ],
}

DOCUMENTS["docs/design/course-design-brief-template.docx"] = {
    "title": "Course Design Brief: Template and Guidance",
    "subtitle": "Learning Design. Complete during the Analyse phase; attach to the design document.",
    "author": "Priya Natarajan",
    "last_modified_by": "Tomás Ferreira",
    "keywords": ["learning design", "addie", "design brief", "template", "learning objectives"],
    "subject": "Learning design",
    "created": "2023-09-04T09:30:00",
    "modified": "2025-07-14T11:00:00",
    "revision": 9,
    "blocks": [
        ("h1", "Purpose"),
        (
            "p",
            "The design brief captures what we learned in the Analyse phase in one place, before "
            "the full design document is written. It is short on purpose: no more than four "
            "pages. The lead designer writes it after the stakeholder interviews and shares it "
            "with the client project lead for a 30-minute walkthrough. Most disagreements that "
            "would otherwise surface at alpha surface here, when they are cheap to fix.",
        ),
        ("h1", "1. Business need"),
        (
            "p",
            "What problem is the client trying to solve, in their words? What does it cost them? "
            "What will be different if the training works? Note any evidence (incident data, "
            "survey results, audit findings).",
        ),
        ("h1", "2. Audience"),
        (
            "bullets",
            [
                "Roles, number of learners, locations and languages.",
                "Where and on what devices they will learn, and how much time they have.",
                "Prior knowledge and attitudes to the topic.",
                "Accessibility needs known in advance.",
            ],
        ),
        ("h1", "3. Draft learning objectives"),
        (
            "p",
            "Up to five objectives per module, written with the ABCD model and a measurable "
            "Bloom's verb. No 'understand', 'know' or 'be aware of'. For each objective note its "
            "Bloom's level; objectives at Apply or above will need scenario-based assessment.",
        ),
        ("h1", "4. Assessment approach"),
        (
            "p",
            "How will we know learners can do what the objectives say? For scored quizzes, "
            "follow the 2025 quiz and assessment standards: 80% pass mark by default, two "
            "attempts followed by a remediation module, at least ten questions shown, and a bank "
            "three times that size. Note any client requirement for a higher pass mark (up to "
            "90% for regulated compliance courses, with sign-off).",
        ),
        ("h1", "5. Format and constraints"),
        (
            "table",
            [
                ["Question", "Answer"],
                ["E-learning, live, or blended?", ""],
                ["Interactivity level (1 or 2)", ""],
                ["Target duration per module (minutes)", ""],
                ["Hosted in Campus or client LMS? Which standard?", ""],
                ["Languages and localisation needs", ""],
                ["Certificates or CPD credits needed?", ""],
                ["Hard deadlines and why", ""],
            ],
        ),
        ("h1", "6. Risks and assumptions"),
        (
            "p",
            "List the assumptions the plan depends on (for example, SME availability for review "
            "windows, access to a pilot group of 10 to 15 learners) and the biggest risks.",
        ),
        ("h1", "7. Evaluation plan"),
        (
            "p",
            "Which Kirkpatrick levels will we measure and how: reaction survey, assessment "
            "results, and the 30/60/90-day manager check-in for behaviour change.",
        ),
        ("h1", "Sign-off"),
        (
            "table",
            [
                ["Role", "Name", "Date"],
                ["Lead designer", "", ""],
                ["Brightpath reviewer (Head of Learning Design or delegate)", "", ""],
                ["Client project lead", "", ""],
            ],
        ),
    ],
}

DOCUMENTS["hr/performance-review-process.docx"] = {
    "title": "Growth Review: Performance Review Process",
    "subtitle": "People & HR. Confidential: HR team and people managers only.",
    "author": "Fatima Idrissi",
    "keywords": ["hr", "performance review", "growth review", "ratings", "calibration"],
    "subject": "Performance management",
    "created": "2025-05-12T09:00:00",
    "modified": "2025-09-01T12:00:00",
    "revision": 5,
    "blocks": [
        ("h1", "Overview"),
        (
            "p",
            "The Growth Review is Brightpath's performance review process for all employees who "
            "have completed their probation period. It has two parts each year: a mid-year "
            "check-in without ratings, and an annual review with a rating that feeds the "
            "compensation review. This document describes the 2025 cycle; dates are confirmed "
            "each year by the Head of People.",
        ),
        ("h1", "The rating scale"),
        ("p", "Brightpath uses a four-point scale. There is deliberately no middle point."),
        (
            "table",
            [
                ["Rating", "Label", "Meaning"],
                [
                    "4",
                    "Exceptional",
                    "Consistently exceeds the expectations of the role and level; a "
                    "model for others. Expected for no more than 15% of any "
                    "department.",
                ],
                [
                    "3",
                    "Strong",
                    "Fully meets, and often exceeds, the expectations of the role. Most "
                    "people should be here.",
                ],
                [
                    "2",
                    "Developing",
                    "Meets some expectations; clear areas to develop. Common for people "
                    "new to a role or level.",
                ],
                [
                    "1",
                    "Not yet meeting",
                    "Does not meet the expectations of the role. Triggers a "
                    "performance improvement plan.",
                ],
            ],
        ),
        ("h1", "2025 timeline"),
        (
            "table",
            [
                ["Step", "Dates"],
                ["Mid-year check-in (no rating)", "2 to 27 June 2025"],
                ["Self-assessment due", "14 November 2025"],
                [
                    "Peer feedback (3 to 5 colleagues chosen with the manager)",
                    "3 to 21 November 2025",
                ],
                ["Manager assessment and proposed rating", "by 28 November 2025"],
                ["Calibration sessions", "2 to 4 December 2025"],
                ["Review conversations", "by 19 December 2025"],
                ["Merit increases effective", "1 March 2026"],
            ],
        ),
        ("h1", "Calibration"),
        (
            "p",
            "Calibration sessions are held by department and chaired by the Head of People or an "
            "HR business partner. Managers present their proposed ratings with evidence. The "
            "purpose is consistency: the same performance should earn the same rating in London, "
            "New York, Berlin and Singapore. Ratings may change in calibration; managers must not "
            "share proposed ratings with employees before calibration is complete.",
        ),
        ("h1", "Evidence"),
        (
            "bullets",
            [
                "Goals agreed at the start of the year and progress against them.",
                "Peer feedback and, for facilitators, session feedback scores and observation notes.",
                "For client-facing roles, client feedback collected by Client Success.",
                "Behaviour against the Brightpath values: learner first, candour, craft, and "
                "generosity.",
            ],
        ),
        ("h1", "Promotions"),
        (
            "p",
            "Managers nominate employees for promotion during calibration. A promotion normally "
            "requires at least 12 months in the current level and a rating of Strong or "
            "Exceptional. Promotions take effect on 1 March with the merit increases and are "
            "funded from the central promotion budget held by HR.",
        ),
        ("h1", "Performance improvement plans"),
        (
            "p",
            "A rating of 1 (Not yet meeting) leads to a performance improvement plan (PIP) of 60 "
            "days with written objectives, weekly check-ins and HR support. Employees on a PIP "
            "are not eligible for a merit increase in that cycle. A PIP is not a disciplinary "
            "step; if conduct rather than performance is the issue, the disciplinary procedure "
            "applies instead.",
        ),
        ("h1", "Confidentiality"),
        (
            "p",
            "Ratings, calibration notes and PIP documents are stored only in the HR system. Do not "
            "keep copies in personal folders, email or chat.",
        ),
    ],
}

DOCUMENTS["leadership/project-heron-acquisition-memo.docx"] = {
    "title": "Project Heron: Proposed Acquisition of Kestrel Academy Ltd",
    "subtitle": "Strictly confidential. Leadership team and board only. Do not forward.",
    "author": "maya.rosen@brightpath.example",
    "last_modified_by": "Liam O'Connor",
    "keywords": ["leadership", "acquisition", "project heron", "kestrel academy", "m&a"],
    "subject": "Project Heron",
    "created": "2025-10-20T15:00:00",
    "modified": "2025-11-14T10:20:00",
    "revision": 6,
    "blocks": [
        ("h1", "Summary"),
        (
            "p",
            "This memo proposes that Brightpath acquires Kestrel Academy Ltd, a Leeds-based "
            "studio that builds VR and simulation-based safety training. The code name for the "
            "project is Heron. The board approved an indicative, non-binding offer on 12 November "
            "2025. Only the leadership team, the board and named advisers know about Heron; "
            "discuss it only with people on the list at the end of this memo.",
        ),
        ("h1", "The target"),
        (
            "table",
            [
                ["Item", "Kestrel Academy Ltd"],
                ["Founded", "2017, Leeds"],
                ["Founders", "Nadia Kerr (CEO) and Tom Ashby (CTO)"],
                ["Staff", "34"],
                ["Revenue, year to June 2025", "GBP 3.1m"],
                ["EBITDA, year to June 2025", "GBP 0.42m"],
                ["Main clients", "Logistics, construction and energy companies in the UK"],
            ],
        ),
        ("h1", "Why Kestrel"),
        (
            "bullets",
            [
                "Immersive safety training is the fastest-growing request from our logistics and "
                "manufacturing clients, and we cannot build it today.",
                "Kestrel's simulations run on standalone headsets and report through xAPI, so they can "
                "feed the Campus LRS with little integration work.",
                "Client overlap is small (two shared clients), so cross-selling potential is high: we "
                "estimate GBP 1.4m of additional revenue in the second year.",
            ],
        ),
        ("h1", "Indicative offer"),
        ("p", "Enterprise value of GBP 6.8m on a cash-free, debt-free basis:"),
        (
            "bullets",
            [
                "GBP 5.2m in cash at completion;",
                "up to GBP 1.6m of earn-out over 24 months, tied to Kestrel revenue targets of GBP 3.6m "
                "and GBP 4.2m in the two years after completion;",
                "founders retained for at least two years with new employment contracts.",
            ],
        ),
        (
            "p",
            "Funding: GBP 3.0m from cash reserves and a GBP 2.2m term loan, subject to credit "
            "approval. The Finance Director is leading the lender discussions.",
        ),
        ("h1", "Timeline"),
        (
            "table",
            [
                ["Milestone", "Target date"],
                ["Indicative offer approved by board", "12 November 2025"],
                ["Exclusivity period ends", "31 March 2026"],
                ["Financial and legal due diligence complete", "27 February 2026"],
                ["Binding offer and sale agreement", "March 2026"],
                ["Completion", "30 June 2026"],
            ],
        ),
        ("p", "Advisers: Ashcombe Partners (financial due diligence) and Marlow Reid LLP (legal)."),
        ("h1", "Risks"),
        (
            "bullets",
            [
                "Key-person risk: most of Kestrel's technical knowledge sits with Tom Ashby.",
                "Two Kestrel contracts have change-of-control clauses.",
                "Hardware-dependent delivery is new to Brightpath; margins are lower (about 41% gross).",
                "Integration load on the Platform team in the same year as the Lumen roadmap.",
            ],
        ),
        ("h1", "Integration outline"),
        (
            "p",
            "Kestrel would keep its brand for 12 months as 'Kestrel, a Brightpath company'. Jonas "
            "Becker would lead technical integration (xAPI to Campus LRS, single sign-on), Hannah "
            "Brooks the combined client offer, and Fatima Idrissi the people integration. No "
            "redundancies are planned.",
        ),
        ("h1", "People in the know"),
        (
            "p",
            "Maya Rosen, Liam O'Connor, Hannah Brooks, Jonas Becker, Fatima Idrissi, the board, "
            "and the named advisers. Anyone else needs Maya's approval before being told.",
        ),
    ],
}

# ====================================================================== PPTX

DOCUMENTS["docs/sales/training-packages-pricing-2025.pptx"] = {
    "title": "Training Packages and Prices 2025",
    "subtitle": "Client Success & Sales · Price list valid 1 January to 31 December 2025",
    "author": "Hannah Brooks",
    "keywords": ["sales", "pricing", "training packages", "price list", "2025"],
    "subject": "Pricing",
    "created": "2024-12-02T15:00:00",
    "modified": "2025-01-06T09:10:00",
    "revision": 8,
    "slides": [
        {
            "title": "How to use this price list",
            "bullets": [
                "All prices in GBP, excluding VAT and travel",
                "USD, EUR and SGD prices are in the finance rate card",
                "Quote from this deck only; check the date on the first slide",
                "Discounts beyond the volume tiers need approval (see final slide)",
            ],
        },
        {
            "title": "Live virtual workshops",
            "bullets": ["Up to 16 participants per facilitator (interactive workshop)"],
            "table": [
                ["Package", "Format", "Price per facilitator"],
                ["Half-day workshop", "One 3-hour session", "£1,450"],
                ["Full-day workshop", "Two 3-hour sessions", "£2,400"],
                ["Producer (required from 20 participants)", "Per session", "£350"],
                ["Webinar-style briefing", "90 minutes, up to 30 participants", "£950"],
            ],
            "notes": "Remind clients that a full day is always two sessions of three hours, usually "
            "on different days. We do not run six-hour virtual sessions.",
        },
        {
            "title": "In-person workshops",
            "bullets": [
                "Full day (up to 6 hours of delivery): £2,900 per facilitator",
                "Up to 20 participants per facilitator in person",
                "Travel and accommodation rebilled at cost under the Expense and Travel Policy",
                "Materials printed locally and rebilled",
            ],
        },
        {
            "title": "Custom e-learning",
            "table": [
                ["Module type", "Guide price"],
                ["Level 2 interactive, 20 minutes", "£9,500"],
                ["Level 1 presentational, 20 minutes", "£5,700"],
                ["Branching scenario add-on", "£2,200"],
                ["Localisation, tier 1 language, per 20-minute module", "£1,800"],
            ],
            "notes": "Guide prices include design, development in Lumen, two review rounds, WCAG 2.2 "
            "AA accessibility and Campus set-up. Scope before quoting.",
        },
        {
            "title": "Brightpath Essentials library",
            "bullets": [
                "About 140 off-the-shelf courses: compliance, wellbeing, management basics",
                "£35 per learner per year",
                "Minimum 100 learners",
                "Volume discount: 10% from 500 learners, 15% from 2,000 learners",
                "Includes Campus hosting, completion reports and certificates",
            ],
        },
        {
            "title": "Lead Well leadership programme",
            "bullets": [
                "Six-month cohort programme for first-line and middle managers",
                "Maximum 12 participants per cohort",
                "£2,900 per participant",
                "Includes six virtual workshops, coaching circles and 24 CPD credits",
            ],
        },
        {
            "title": "Campus LMS for custom content",
            "bullets": [
                "Campus hosting for custom courses: £6 per active learner per year",
                "Minimum annual fee £3,000",
                "Single sign-on set-up included",
                "99.5% monthly availability commitment",
            ],
        },
        {
            "title": "Discount approval",
            "bullets": [
                "Account Directors: up to 10%",
                "VP Client Success and Sales: up to 15%",
                "Above 15%: CEO",
                "Volume tiers on Essentials do not need approval",
            ],
        },
    ],
}

DOCUMENTS["docs/sales/client-onboarding-playbook.pptx"] = {
    "title": "Client Onboarding Playbook",
    "subtitle": "From signed SOW to first quarterly business review",
    "author": "Oliver Grant",
    "last_modified_by": "Hannah Brooks",
    "keywords": ["client onboarding", "client success", "sales", "campus", "kickoff"],
    "subject": "Client Success",
    "created": "2024-03-11T11:00:00",
    "modified": "2025-06-16T15:30:00",
    "revision": 10,
    "slides": [
        {
            "title": "Why onboarding matters",
            "bullets": [
                "The first 90 days decide renewals",
                "Clients who launch within 8 weeks of signature renew at 91%",
                "Clients who launch later than 16 weeks renew at 64%",
                "Our job: get learners into Campus quickly and well",
            ],
        },
        {
            "title": "Day 0 to 1: signature",
            "bullets": [
                "Account Director sends welcome email within one business day",
                "Introduce the named Client Success Manager (CSM)",
                "Assign the three-letter client code",
                "Finance raises the first invoice (40% on signature for custom projects)",
            ],
        },
        {
            "title": "Weeks 1 to 2: kickoff",
            "bullets": [
                "Kickoff within 10 business days of signature",
                "Agree plan, review windows and weekly 30-minute check-in",
                "Collect brand guidelines, glossary, SME list",
                "Send the data processing agreement if Campus will hold learner data",
            ],
        },
        {
            "title": "Campus tenant set-up",
            "table": [
                ["Task", "Owner", "Target"],
                ["Create tenant", "LMS team", "3 business days"],
                ["SSO (SAML 2.0) with Entra ID or Okta", "LMS team + client IT", "2 weeks"],
                ["Branding and sign-in message", "CSM", "1 week"],
                ["Admin training: enrollments and reports", "CSM", "60 minutes"],
                ["Admin training: certificates and Content Hub previews", "CSM", "60 minutes"],
            ],
        },
        {
            "title": "Launch",
            "bullets": [
                "Pilot with 10 to 15 learners",
                "Subscribe client admins to the nightly completion report (02:00 UTC)",
                "CSM checks completion daily in week one",
                "Agree enrollment waves; avoid launching on a Sunday maintenance window",
            ],
        },
        {
            "title": "Quarterly business reviews",
            "bullets": [
                "Usage, completion, feedback scores (target 4.5 / 5)",
                "Evaluation results against the agreed Kirkpatrick levels",
                "Roadmap for next quarter",
                "Renewal conversation starts 90 days before contract end",
            ],
        },
        {
            "title": "Who does what",
            "table": [
                ["Activity", "Account Director", "CSM", "Delivery / Design", "LMS team"],
                ["Welcome email", "Does", "Copied", "", ""],
                ["Kickoff", "Attends", "Leads", "Attends", ""],
                ["Tenant and SSO", "", "Coordinates", "", "Does"],
                ["QBR", "Attends", "Leads", "Contributes", ""],
                ["Renewal", "Leads", "Supports", "", ""],
            ],
            "notes": "Owners of this playbook: Oliver Grant and Hannah Brooks.",
        },
    ],
}

DOCUMENTS["docs/platform/lumen-3-2-feature-tour.pptx"] = {
    "title": "Lumen 3.2 Feature Tour",
    "subtitle": "Platform & LMS Engineering · October 2025",
    "author": "Ethan Park",
    "keywords": ["lumen", "authoring", "release", "branching scenarios", "alt text"],
    "subject": "Lumen",
    "created": "2025-10-01T17:00:00",
    "modified": "2025-10-03T18:20:00",
    "revision": 3,
    "slides": [
        {
            "title": "Lumen 3.2 at a glance",
            "bullets": [
                "Released 30 September 2025",
                "Branching scenarios without custom triggers",
                "Alt text drafts for human review",
                "12 concurrent editors (up from 8)",
                "Publishing to Content Hub in under 60 seconds",
            ],
        },
        {
            "title": "Branching scenarios",
            "bullets": [
                "New Scenario block: scenes, choices, consequences",
                "Choices can change a score variable or end the scenario",
                "Scored scenarios count towards quiz results",
                "Helps meet the 40% scenario-based rule in the 2025 quiz standards",
                "Up to 40 branches per scenario recommended (performance fix in 3.3)",
            ],
        },
        {
            "title": "Alt text drafts",
            "bullets": [
                "Lumen suggests a draft when you add an image",
                "Drafts are limited to 125 characters",
                "An unreviewed draft is an accessibility error: publishing is blocked",
                "Accept, edit or mark the image decorative",
                "Tuned with the accessibility team (Aisha Okafor)",
            ],
            "notes": "Stress that drafts are never accepted automatically. The checker treats them "
            "as errors until a person reviews them.",
        },
        {
            "title": "Collaboration and publishing",
            "bullets": [
                "Real-time co-authoring: 12 editors per course",
                "Publish usually completes in under 60 seconds",
                "Unchanged media is no longer re-uploaded",
                "Still goes through Package Check and review in Content Hub",
            ],
        },
        {
            "title": "Other improvements",
            "bullets": [
                "Right-to-left layout for Arabic and Hebrew",
                "Contrast warnings show the measured ratio",
                "Lumen 2 importer converts hotspot interactions",
            ],
        },
        {
            "title": "Version history",
            "table": [
                ["Version", "Date", "Headline"],
                ["3.0", "18 March 2025", "Browser-based; publish to Content Hub; 8 editors"],
                ["3.1", "24 June 2025", "Review mode; accessibility checker; XLIFF; 80% quiz"],
                ["3.2", "30 September 2025", "Scenarios; alt text drafts; 12 editors"],
            ],
        },
        {
            "title": "Questions",
            "bullets": [
                "#lumen-users on Slack",
                "Ethan Park, Product Manager, Lumen",
                "Publishing guide: team wiki, lumen/publishing-from-lumen-3.md",
            ],
        },
    ],
}

DOCUMENTS["leadership/pricing-strategy-2026.pptx"] = {
    "title": "Pricing Strategy 2026",
    "subtitle": "Leadership team · Confidential · Approved 22 September 2025",
    "author": "Maya Rosen",
    "last_modified_by": "Hannah Brooks",
    "keywords": ["leadership", "pricing", "strategy", "2026", "brightpath unlimited"],
    "subject": "Pricing strategy",
    "created": "2025-09-08T14:00:00",
    "modified": "2025-09-22T19:05:00",
    "revision": 11,
    "slides": [
        {
            "title": "Summary",
            "bullets": [
                "New prices effective 1 January 2026",
                "Average list price increase of about 10% on live delivery",
                "Launch Brightpath Unlimited subscription in January 2026",
                "Wider discount authority to speed up deals",
                "Do not discuss with clients or wider staff before 15 October 2025",
            ],
        },
        {
            "title": "List price changes",
            "table": [
                ["Package", "2025", "2026"],
                ["Half-day virtual workshop", "£1,450", "£1,595"],
                ["Full-day virtual workshop", "£2,400", "£2,650"],
                ["Custom e-learning, Level 2, 20 minutes", "£9,500", "£10,400"],
                ["Essentials, per learner per year", "£35", "£39"],
                ["Lead Well, per participant", "£2,900", "£3,150"],
            ],
            "notes": "Existing clients keep 2025 prices until their next renewal date.",
        },
        {
            "title": "Brightpath Unlimited",
            "bullets": [
                "£48 per learner per year, minimum 250 learners",
                "Includes the full Essentials library",
                "Plus the open-enrolment virtual workshop calendar (12 sessions per year)",
                "Plus Campus hosting for up to 10 custom courses",
                "Target: 35 clients by 31 December 2026",
            ],
        },
        {
            "title": "Margin targets",
            "bullets": [
                "Live delivery gross margin: 62% (2025: 57%)",
                "Custom e-learning gross margin: 48% (2025: 44%)",
                "Licences gross margin: 81%",
                "Facilitator day rates for associates unchanged in 2026",
            ],
        },
        {
            "title": "Discount authority from 1 January 2026",
            "table": [
                ["Role", "2025", "2026"],
                ["Account Director", "up to 10%", "up to 12%"],
                ["VP Client Success and Sales", "up to 15%", "up to 18%"],
                ["CEO", "above 15%", "above 18%"],
            ],
        },
        {
            "title": "Competitive position",
            "bullets": [
                "Our full-day price stays below the two largest competitors (£2,900 and £3,100)",
                "Unlimited undercuts per-course libraries for clients above 400 learners",
                "Risk: price-sensitive public sector clients; offer multi-year lock at 2025 prices",
            ],
        },
        {
            "title": "Communication plan",
            "bullets": [
                "15 October 2025: brief Account Directors",
                "1 November 2025: letters to clients with renewals in Q1 2026",
                "1 December 2025: publish 2026 price list on the shared drive",
                "Owner: Hannah Brooks",
            ],
        },
    ],
}

# ====================================================================== PDF

DOCUMENTS["docs/policies/information-security-policy.pdf"] = {
    "title": "Information Security Policy",
    "subtitle": "Version 3.0. Effective 1 February 2025. Owner: Grace Liu, IT and Security "
    "Manager. Approved by Maya Rosen, CEO.",
    "author": "Grace Liu",
    "keywords": ["security", "client data", "data protection", "passwords", "laptops", "policy"],
    "subject": "Information security",
    "created": "2025-01-13T03:00:00",
    "footer": "Brightpath Learning - Information Security Policy v3.0 - Internal",
    "blocks": [
        ("h1", "1. Purpose and scope"),
        (
            "p",
            "Brightpath holds personal data about hundreds of thousands of our clients' learners, "
            "and confidential material from our clients' businesses. Clients trust us with both. "
            "This policy sets out the rules everyone at Brightpath follows to protect that "
            "information and our own. It applies to all employees, contractors and freelance "
            "associates, on every device and in every location. Breaking this policy may lead to "
            "disciplinary action; reporting a mistake quickly never will.",
        ),
        ("h1", "2. Roles and responsibilities"),
        (
            "bullets",
            [
                "The IT and Security Manager (Grace Liu) owns this policy, runs the security programme, approves exceptions and leads the response to security incidents.",
                "The Engineering Lead (Jonas Becker) is responsible for the security of Campus, Content Hub, the Campus LRS and Lumen, and for the Platform team following Section 12.",
                "The Head of People (Fatima Idrissi) makes sure joiners, movers and leavers are reported to IT on time, and handles disciplinary matters arising from breaches.",
                "Managers make sure their teams complete training and only hold the access they need.",
                "Everyone protects the information they handle and reports incidents immediately.",
            ],
        ),
        ("h1", "3. Acceptable use"),
        (
            "p",
            "Brightpath systems are provided for work. Occasional personal use of email, chat and the internet is fine if it does not interfere with work, break the law, or put Brightpath or client information at risk. Do not install software that is not in the company software centre without IT approval. Do not forward work email to personal accounts, and do not use personal accounts (personal cloud storage, personal AI tools, personal messaging apps) to store or share work information. Brightpath may monitor company systems for security purposes, in line with local law and the privacy notice for employees.",
        ),
        ("h1", "4. Information classification"),
        (
            "table",
            [
                ["Class", "Examples", "Main rules"],
                ["Public", "Website, published blog posts, public price list", "No restrictions"],
                ["Internal", "Wiki pages, internal policies, team plans", "Brightpath staff only"],
                [
                    "Confidential",
                    "Financial results, salary data, unannounced plans, contracts",
                    "Named groups only; never in personal storage",
                ],
                [
                    "Client-Restricted",
                    "Learner personal data, completion records, client source materials under NDA",
                    "Only in approved systems; least-privilege access; never on personal devices",
                ],
            ],
        ),
        ("h1", "5. Handling client data"),
        ("h2", "5.1 Where client learner data may live"),
        (
            "p",
            "Learner personal data (names, email addresses, employee numbers, completion and "
            "assessment records) may be stored only in Brightpath Campus, the Campus LRS, and "
            "the client's restricted folder on the shared drive. It must never be stored in "
            "email attachments kept beyond 30 days, personal cloud storage, chat messages, the "
            "wiki, or on personal devices.",
        ),
        ("h2", "5.2 Exports"),
        (
            "p",
            "Completion report exports (CSV or XLSX) are Client-Restricted. Save them only in the "
            "client's restricted folder and delete them after 30 days unless the client has "
            "asked us to keep them. Never send exports to anyone other than the client's named "
            "Client Admins.",
        ),
        ("h2", "5.3 Retention and deletion"),
        (
            "p",
            "Learner records, including xAPI statements and certificates, are kept for the life of "
            "the client contract and deleted 12 months after the contract ends. Clients are "
            "reminded 90 days before the contract end date to export anything they need. Client "
            "source materials are returned or deleted within 60 days of project completion.",
        ),
        ("h2", "5.4 Sub-processors"),
        (
            "p",
            "Our translation partner LinguaBridge receives course content for translation but "
            "never learner data. Any new tool or supplier that would process client data needs "
            "a security review by IT and Security before use. Client data must not be pasted into "
            "public AI tools.",
        ),
        ("h1", "6. Accounts and passwords"),
        (
            "bullets",
            [
                "Every account is personal. Never share logins.",
                "All passwords are stored in Vaultline, the company password manager. The master "
                "password must be at least 16 characters.",
                "Multi-factor authentication is required on every system that supports it.",
                "Anyone with access to Campus production systems must use a hardware security key.",
                "Shared credentials are rotated every 90 days and within 24 hours when someone with "
                "access leaves.",
                "Access to Campus production is reviewed every quarter by the Engineering Lead and the "
                "IT and Security Manager.",
            ],
        ),
        ("h1", "7. Devices"),
        (
            "bullets",
            [
                "Use only Brightpath-managed laptops for work involving Confidential or "
                "Client-Restricted data.",
                "Full-disk encryption (FileVault or BitLocker) must stay on.",
                "Screens lock automatically after 5 minutes of inactivity.",
                "Install operating-system security updates within 14 days of release.",
                "USB storage devices must not be used for Confidential or Client-Restricted data.",
                "Personal phones may be used for email, calendar and Slack only after enrolment in "
                "device management.",
            ],
        ),
        ("h1", "8. Working away from the office"),
        (
            "p",
            "Use the company VPN on any network you do not control, including hotels, cafés and "
            "client guest Wi-Fi. Take care with screens in public places: use a privacy filter "
            "when travelling. Do not print Client-Restricted material at home.",
        ),
        ("h1", "9. Email, phishing and social engineering"),
        (
            "p",
            "Report suspicious emails with the Report Phish button. IT runs simulated phishing "
            "exercises every quarter; people who click are offered a short refresher, not "
            "blamed. Never approve an MFA prompt you did not start. Requests to change bank "
            "details, whether from suppliers or colleagues, must be confirmed by phone using a "
            "number already on file.",
        ),
        ("h1", "10. Security incidents"),
        (
            "p",
            "A security incident is anything that could affect the confidentiality, integrity or "
            "availability of Brightpath or client information: a lost laptop, a misdirected "
            "email containing learner data, a suspicious login, malware, or a Campus bug that "
            "shows one tenant's data to another.",
        ),
        (
            "numbers",
            [
                "Report it immediately to security@brightpath.example and to Grace Liu. Lost or stolen "
                "devices must be reported within one hour of noticing.",
                "Do not try to investigate or clean up yourself; preserve evidence.",
                "For Campus incidents, the on-call engineer declares a SEV1 for any suspected exposure "
                "of client data and calls Grace Liu at any hour.",
                "Brightpath notifies affected clients within 48 hours of confirming an incident "
                "involving their data, as our contracts require, so that they can meet their own "
                "obligations. Where Brightpath is itself the data controller, the IT and Security "
                "Manager decides with the Finance Director whether to notify the regulator, within "
                "72 hours.",
            ],
        ),
        ("h1", "11. Access control"),
        (
            "p",
            "Access follows the principle of least privilege: people get the access their role "
            "needs and no more. Managers request access through the IT portal; IT grants it and "
            "records who approved it.",
        ),
        (
            "bullets",
            [
                "Client-Restricted folders on the shared drive are limited to the named account team "
                "and delivery staff for that client.",
                "Campus Tenant Owner rights are held only by the LMS team. Publisher rights are "
                "approved by the LMS Administrator.",
                "Leavers lose all access on their last working day. Vault owners rotate any shared "
                "credentials the leaver could see within 24 hours.",
                "Access to Confidential HR, finance and leadership folders is limited to the hr, "
                "finance and leadership groups respectively and reviewed every six months.",
            ],
        ),
        ("h1", "12. Secure development and operations"),
        (
            "p",
            "The Platform team builds and runs Campus, Content Hub, the Campus LRS and Lumen. In "
            "addition to the rules above:",
        ),
        (
            "bullets",
            [
                "All code changes are reviewed by a second engineer before merging.",
                "Production data is never copied to development or staging environments. Staging uses "
                "synthetic learners and the Campus Heartbeat test course.",
                "Secrets are stored in the Platform-Prod vault and injected at deploy time, never "
                "committed to repositories.",
                "Dependencies are scanned weekly; critical vulnerabilities are patched within 7 days, "
                "high within 30 days.",
                "An external penetration test of Campus is carried out every year, and the summary is "
                "available to clients under NDA.",
            ],
        ),
        ("h1", "13. Suppliers, client questionnaires and AI tools"),
        (
            "p",
            "Client security questionnaires are answered by the IT and Security Manager, using the "
            "standard answer library. Account teams must not answer security questions from "
            "memory. Typical turnaround is five business days.",
        ),
        (
            "p",
            "Generative AI tools may be used for internal drafting only if they are on the "
            "approved tools list, and never with Client-Restricted data or with client source "
            "materials unless the client has agreed in writing.",
        ),
        ("h1", "14. Physical security"),
        (
            "bullets",
            [
                "Offices use badge access; visitors sign in and are accompanied.",
                "Clear desk at the end of the day in shared spaces; lock screens when you step away.",
                "Printed Client-Restricted material is shredded, not put in recycling bins.",
            ],
        ),
        ("h1", "15. Business continuity"),
        (
            "p",
            "Campus runs in two regions with daily backups retained for 35 days; backups are "
            "encrypted and restore tests are run every quarter. The recovery point objective for "
            "Campus is 24 hours and the recovery time objective is 8 hours. Company systems "
            "(email, chat, shared drive) are cloud services that staff can reach from any managed "
            "laptop if an office is unavailable.",
        ),
        ("h1", "16. Training"),
        (
            "p",
            "Everyone completes security awareness training within 30 days of joining and every "
            "year after that. Platform engineers also complete secure development training "
            "annually. Completion is tracked in Campus.",
        ),
        ("h1", "17. Exceptions and review"),
        (
            "p",
            "Exceptions to this policy must be approved in writing by the IT and Security Manager "
            "and are logged with an expiry date. This policy is reviewed every year, and after "
            "any SEV1 incident involving client data.",
        ),
    ],
}

DOCUMENTS["docs/delivery/facilitator-onboarding-2023.pdf"] = {
    "title": "Facilitator Onboarding 2023",
    "subtitle": "Delivery & Facilitation. For facilitators joining from January 2023.",
    "author": "Daniel Whitaker",
    "keywords": ["facilitation", "onboarding", "delivery", "2023"],
    "subject": "Facilitator onboarding",
    "created": "2023-01-16T15:00:00",
    "footer": "Brightpath Learning - Facilitator Onboarding 2023",
    "blocks": [
        ("h1", "Welcome"),
        (
            "p",
            "This guide describes the three-week onboarding programme for new Brightpath "
            "facilitators, both employees and freelance associates. By the end of it you will "
            "have seen how we work, practised on our platforms, and been observed running part of "
            "a real session.",
        ),
        ("h1", "Programme outline"),
        (
            "table",
            [
                ["Week", "Focus", "Activities"],
                [
                    "1",
                    "Induction",
                    "Company induction, IT set-up, Zoom practice, read the facilitation guides",
                ],
                [
                    "2",
                    "Shadowing",
                    "Shadow two live client sessions and debrief each with the lead facilitator",
                ],
                [
                    "3",
                    "Co-facilitation and certification",
                    "Co-facilitate one session; certification observation",
                ],
            ],
        ),
        ("h1", "Shadowing"),
        (
            "p",
            "You will shadow two sessions, chosen by your delivery manager to show you different "
            "clients where possible. Keep your camera off unless the facilitator introduces you, "
            "and take notes on timing, questioning and how breakout rooms are run.",
        ),
        ("h1", "Certification observation"),
        (
            "p",
            "In week three you co-facilitate a session and lead at least one section of it. The "
            "Facilitation Lead, Gareth Holloway, or a senior facilitator observes. The observer "
            "decides whether you are 'ready' or 'not yet ready' to facilitate alone, and gives "
            "written feedback. If you are not yet ready, we arrange another co-facilitated "
            "session within a month.",
        ),
        ("h1", "Buddies"),
        ("p", "Each new facilitator is paired with a buddy for the three weeks of the programme."),
        ("h1", "Pay during onboarding"),
        (
            "p",
            "Employees receive their normal salary. Freelance associates are paid £200 per day for "
            "induction and shadowing days and their normal day rate for the co-facilitated "
            "session.",
        ),
        ("h1", "Contacts"),
        (
            "p",
            "Daniel Whitaker, Head of Delivery and Facilitation; Gareth Holloway, Facilitation "
            "Lead.",
        ),
    ],
}

DOCUMENTS["docs/design/blooms-verbs-reference.pdf"] = {
    "title": "Bloom's Taxonomy Verbs Reference",
    "subtitle": "Learning Design quick reference. Revised taxonomy (Anderson and Krathwohl, 2001).",
    "author": "Priya Natarajan",
    "keywords": [
        "learning design",
        "blooms taxonomy",
        "learning objectives",
        "verbs",
        "assessment",
    ],
    "subject": "Learning objectives",
    "created": "2022-09-19T10:00:00",
    "footer": "Brightpath Learning - Learning Design",
    "blocks": [
        ("h1", "How to use this reference"),
        (
            "p",
            "Choose the verb for a learning objective from the level of thinking you actually "
            "need learners to reach, then check that your assessment asks for the same level. The "
            "most common design error is an Apply-level objective assessed with a Remember-level "
            "question. The levels below are ordered from lowest to highest.",
        ),
        ("h1", "Levels and verbs"),
        (
            "table",
            [
                ["Level", "What learners do", "Verbs to use", "Example objective"],
                [
                    "Remember",
                    "Recall facts and basic concepts",
                    "list, name, identify, state, recall",
                    "List the four information classes in the security policy",
                ],
                [
                    "Understand",
                    "Explain ideas or concepts",
                    "explain, classify, summarise, describe, compare",
                    "Classify a document as Public, Internal, Confidential or Client-Restricted",
                ],
                [
                    "Apply",
                    "Use information in a new situation",
                    "calculate, complete, demonstrate, use, carry out",
                    "Calculate the meal allowance for a three-day client visit",
                ],
                [
                    "Analyse",
                    "Draw connections, find causes",
                    "diagnose, differentiate, examine, troubleshoot",
                    "Diagnose why a course does not record completion in Campus",
                ],
                [
                    "Evaluate",
                    "Justify a decision",
                    "assess, critique, prioritise, recommend, judge",
                    "Recommend a facilitation approach for a group of 30 senior managers",
                ],
                [
                    "Create",
                    "Produce new or original work",
                    "design, develop, plan, compose",
                    "Design a 60-minute virtual session plan with breakout activities",
                ],
            ],
        ),
        ("h1", "Verbs to avoid"),
        (
            "p",
            "Do not use verbs that cannot be observed: understand, know, learn, appreciate, be "
            "aware of, be familiar with. Replace them with a verb from the table that describes "
            "what you would see the learner do.",
        ),
        ("h1", "Matching assessment to level"),
        (
            "bullets",
            [
                "Remember and Understand: multiple choice, matching and short explanations work well.",
                "Apply and Analyse: scenario-based questions, simulations, worked problems.",
                "Evaluate and Create: case studies, role-plays, projects and observed practice, usually "
                "in live sessions rather than e-learning quizzes.",
            ],
        ),
        ("h1", "Quick check"),
        (
            "p",
            "For every objective ask: what would I see the learner do, under what conditions, and "
            "how well? If you cannot answer, rewrite the objective.",
        ),
    ],
}

DOCUMENTS["docs/platform/lms-admin-quick-reference.pdf"] = {
    "title": "Campus LMS Administrator Quick Reference",
    "subtitle": "For Brightpath staff and Client Admins. Campus with Content Hub, July 2025.",
    "author": "kwame.mensah@brightpath.example",
    "keywords": ["campus", "lms", "administration", "enrollments", "reports", "roles"],
    "subject": "Campus administration",
    "created": "2025-07-07T08:00:00",
    "footer": "Brightpath Campus - Administrator Quick Reference",
    "pdf_tables": "lines",
    "blocks": [
        ("h1", "Roles"),
        (
            "table",
            [
                ["Role", "Who has it", "Can do"],
                ["Learner", "Everyone enrolled", "Take courses, download certificates"],
                ["Manager", "Client line managers", "See their team's progress and due dates"],
                [
                    "Client Admin",
                    "Client L&D or HR staff",
                    "Enroll learners, run reports, manage cohorts, request certificate reissues",
                ],
                [
                    "Reviewer",
                    "Brightpath designers, LMS team",
                    "Preview and approve packages in Content Hub",
                ],
                [
                    "Publisher",
                    "Brightpath LMS team and designers",
                    "Upload packages, publish to catalogue",
                ],
                [
                    "Tenant Owner",
                    "Brightpath LMS team only",
                    "Tenant settings, SSO, branding, retention",
                ],
            ],
        ),
        ("h1", "Everyday tasks"),
        ("h2", "Enroll learners in bulk"),
        (
            "p",
            "People > Import > Enrollments. UTF-8 CSV with columns email, first_name, last_name, "
            "cohort_code (optional manager_email, due_date as YYYY-MM-DD). Maximum 5,000 rows per "
            "file. Nothing is enrolled until you accept the preview.",
        ),
        ("h2", "Run or schedule a completion report"),
        (
            "p",
            "Reports > Completions for the live view. Reports > Schedules to subscribe to the "
            "nightly report, generated at 02:00 UTC and covering activity up to midnight UTC, as "
            "CSV or XLSX.",
        ),
        ("h2", "Reset a learner's password"),
        (
            "p",
            "Only for tenants without single sign-on: People > find the learner > Send reset "
            "link. The link is valid for 24 hours. SSO tenants reset passwords in their own "
            "identity provider.",
        ),
        ("h2", "Reissue a certificate"),
        (
            "p",
            "People > learner > Certificates > Request reissue, with the reason. The LMS team "
            "processes reissues within five business days; the verification code does not "
            "change.",
        ),
        ("h2", "Upload or update a course"),
        (
            "p",
            "Content Hub > Packages > New package, up to 500 MB. Package Check takes about two "
            "minutes. A Reviewer other than the uploader approves before publishing. Use a minor "
            "version with Preserve learner progress for corrections.",
        ),
        ("h1", "Completion statuses"),
        (
            "p",
            "Not started, In progress, Completed, Passed, Failed. Passed and Failed apply only to "
            "courses with a scored assessment; the default mastery score for new courses is 80%.",
        ),
        ("h1", "Getting help"),
        (
            "table",
            [
                ["Who", "Channel", "Hours and targets"],
                [
                    "Brightpath staff",
                    "#lms-support on Slack",
                    "Monday to Friday, 08:00 to 18:00 UK time",
                ],
                [
                    "Client Admins",
                    "support@campus.brightpath.example",
                    "First response within 4 business hours",
                ],
                [
                    "Outages",
                    "status.campus.brightpath.example",
                    "24/7 on-call; SEV1 acknowledged within 15 minutes",
                ],
            ],
        ),
    ],
}

DOCUMENTS["hr/salary-bands-2025.pdf"] = {
    "title": "Salary Bands 2025",
    "subtitle": "People & HR. Confidential: HR group only. Effective 1 March 2025 until the 2026 "
    "bands are published.",
    "author": "Fatima Idrissi",
    "keywords": ["hr", "salary bands", "compensation", "levels", "confidential"],
    "subject": "Compensation",
    "created": "2025-03-03T09:00:00",
    "footer": "Brightpath Learning - Salary Bands 2025 - CONFIDENTIAL (HR)",
    "pdf_tables": "lines",
    "blocks": [
        ("h1", "How bands work"),
        (
            "p",
            "Every role at Brightpath is mapped to one of seven levels, L1 to L7. Each level has a "
            "salary band per location. New hires are normally offered between the minimum and "
            "the midpoint of the band; salaries above the midpoint reflect sustained strong "
            "performance. No salary may exceed the band maximum. Bands are reviewed each year "
            "using market data from two salary surveys.",
        ),
        ("h1", "London (GBP)"),
        (
            "table",
            [
                ["Level", "Title examples", "Minimum", "Maximum"],
                ["L1", "Associate, Coordinator", "£28,000", "£34,000"],
                [
                    "L2",
                    "Specialist: Instructional Designer, Facilitator, LMS Administrator",
                    "£34,000",
                    "£43,000",
                ],
                [
                    "L3",
                    "Senior Specialist: Senior Instructional Designer, Senior Facilitator, Platform "
                    "Engineer, Account Manager",
                    "£43,000",
                    "£54,000",
                ],
                [
                    "L4",
                    "Lead: Senior Platform Engineer, Product Manager, Accessibility and "
                    "Localisation Lead",
                    "£54,000",
                    "£67,000",
                ],
                [
                    "L5",
                    "Principal / Manager: Engineering Lead, Facilitation Manager, Account Director",
                    "£67,000",
                    "£84,000",
                ],
                [
                    "L6",
                    "Head of: Learning Design, Delivery and Facilitation, People",
                    "£84,000",
                    "£105,000",
                ],
                [
                    "L7",
                    "Director / VP: Finance Director, VP Client Success and Sales",
                    "£105,000",
                    "£135,000",
                ],
            ],
        ),
        ("h1", "New York and US remote (USD)"),
        (
            "table",
            [
                ["Level", "Minimum", "Maximum"],
                ["L1", "$52,000", "$63,000"],
                ["L2", "$63,000", "$79,000"],
                ["L3", "$79,000", "$99,000"],
                ["L4", "$99,000", "$123,000"],
                ["L5", "$123,000", "$152,000"],
                ["L6", "$152,000", "$190,000"],
                ["L7", "$190,000", "$245,000"],
            ],
        ),
        ("h1", "Berlin and EU remote (EUR)"),
        (
            "table",
            [
                ["Level", "Minimum", "Maximum"],
                ["L1", "€38,000", "€46,000"],
                ["L2", "€46,000", "€58,000"],
                ["L3", "€58,000", "€71,000"],
                ["L4", "€71,000", "€86,000"],
                ["L5", "€86,000", "€104,000"],
                ["L6", "€104,000", "€128,000"],
                ["L7", "€128,000", "€160,000"],
            ],
        ),
        ("h1", "Singapore (SGD)"),
        (
            "table",
            [
                ["Level", "Minimum", "Maximum"],
                ["L1", "S$48,000", "S$60,000"],
                ["L2", "S$60,000", "S$76,000"],
                ["L3", "S$76,000", "S$95,000"],
                ["L4", "S$95,000", "S$118,000"],
                ["L5", "S$118,000", "S$146,000"],
                ["L6", "S$146,000", "S$180,000"],
                ["L7", "S$180,000", "S$225,000"],
            ],
        ),
        ("h1", "Freelance associate facilitator day rates"),
        (
            "table",
            [
                ["Tier", "Day rate (GBP)", "Notes"],
                ["Associate", "£450", "Certified Brightpath facilitator"],
                [
                    "Senior associate",
                    "£550",
                    "At least 40 Brightpath sessions with average score 4.5+",
                ],
                ["Lead Well associate", "£650", "Accredited coach, Lead Well programme only"],
            ],
        ),
        ("h1", "Rules"),
        (
            "bullets",
            [
                "The CEO's salary is set by the board and is not part of these bands.",
                "Offers above the band midpoint need approval from the Head of People and the Finance "
                "Director.",
                "Do not share band information outside the HR team. Managers receive the band for a "
                "specific role when hiring or during the compensation review.",
            ],
        ),
    ],
}

DOCUMENTS["finance/fy2026-27-budget-summary.pdf"] = {
    "title": "FY2026-27 Budget Summary",
    "subtitle": "Finance & Operations. Confidential: finance group. Financial year 1 April 2026 to "
    "31 March 2027. Approved by the board on 10 March 2026.",
    "author": "Liam O'Connor",
    "keywords": ["finance", "budget", "fy2026-27", "revenue", "headcount"],
    "subject": "Budget",
    "created": "2026-03-16T10:00:00",
    "footer": "Brightpath Learning - FY2026-27 Budget Summary - CONFIDENTIAL (Finance)",
    "pdf_tables": "lines",
    "blocks": [
        ("h1", "Headline numbers"),
        (
            "table",
            [
                ["Measure", "FY2025-26 forecast", "FY2026-27 budget"],
                ["Revenue", "£18.9m", "£21.4m"],
                ["Gross margin", "55%", "58%"],
                ["EBITDA margin", "11.8%", "14.5%"],
                ["Headcount at year end", "141", "152"],
            ],
        ),
        (
            "p",
            "The budget excludes any acquisition activity, which is treated separately by the "
            "leadership team.",
        ),
        ("h1", "Revenue by line"),
        (
            "table",
            [
                ["Line", "FY2026-27 budget"],
                ["Live delivery (virtual and in person)", "£9.8m"],
                ["Custom e-learning", "£6.1m"],
                ["Licences: Essentials and Brightpath Unlimited", "£4.3m"],
                ["Campus hosting, localisation and other", "£1.2m"],
                ["Total", "£21.4m"],
            ],
        ),
        ("h1", "Cost budgets"),
        (
            "table",
            [
                ["Budget", "Amount", "Owner"],
                ["Travel and expenses (all teams)", "£410,000", "Liam O'Connor"],
                ["Lumen development (capitalised)", "£1.15m", "Jonas Becker"],
                ["Campus hosting and infrastructure", "£780,000", "Jonas Becker"],
                ["Translation (LinguaBridge), rebilled", "£540,000", "Aisha Okafor"],
                ["Learning and development for staff", "£95,000", "Fatima Idrissi"],
                ["Contingency", "£300,000", "Liam O'Connor"],
            ],
        ),
        ("h1", "Hiring plan"),
        (
            "bullets",
            [
                "Net 11 new roles: 4 facilitators (2 Singapore, 2 New York), 3 platform engineers, 2 "
                "instructional designers, 1 Client Success Manager, 1 finance analyst.",
                "Hiring is phased by quarter; roles in Q3 and Q4 are released only if revenue is "
                "within 5% of budget at the end of Q2.",
            ],
        ),
        ("h1", "Controls"),
        (
            "bullets",
            [
                "Monthly budget reviews with each budget owner by working day 8.",
                "Any single non-budgeted spend above £25,000 needs Finance Director and CEO approval.",
                "Travel spend is reported monthly by team against the Expense and Travel Policy 2025.",
            ],
        ),
    ],
}


# ---------------------------------------------------------------- DOCX


def build_docx(spec: dict[str, Any], path: Path) -> None:
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    document.add_heading(spec["title"], level=0)
    if spec.get("subtitle"):
        document.add_paragraph(spec["subtitle"]).runs[0].italic = True
    for kind, value in spec["blocks"]:
        if kind in ("h1", "h2", "h3"):
            document.add_heading(value, level=int(kind[1]))
        elif kind == "p":
            document.add_paragraph(value)
        elif kind == "bullets":
            for item in value:
                document.add_paragraph(item, style="List Bullet")
        elif kind == "numbers":
            for item in value:
                document.add_paragraph(item, style="List Number")
        elif kind == "table":
            table = document.add_table(rows=len(value), cols=len(value[0]))
            table.style = "Light Grid Accent 1"
            for r, row in enumerate(value):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
                    if r == 0:
                        for run in table.cell(r, c).paragraphs[0].runs:
                            run.bold = True
            document.add_paragraph()
        else:
            raise ValueError(f"unknown block kind {kind!r} in {path}")
    props = document.core_properties
    props.title = spec["title"]
    props.author = spec["author"]
    props.last_modified_by = spec.get("last_modified_by", spec["author"])
    props.keywords = ", ".join(spec["keywords"])
    props.subject = spec.get("subject", "")
    props.category = spec.get("category", "")
    props.comments = spec.get("comments", "")
    props.created = _parse_date(spec["created"])
    props.modified = _parse_date(spec["modified"])
    props.revision = spec.get("revision", 1)
    document.save(str(path))
    normalise_zip(path)


# ---------------------------------------------------------------- PPTX


def build_pptx(spec: dict[str, Any], path: Path) -> None:
    prs = Presentation()
    prs.slide_width = Inches(13.333)
    prs.slide_height = Inches(7.5)
    title_layout = prs.slide_layouts[0]
    content_layout = prs.slide_layouts[1]
    title_only = prs.slide_layouts[5]

    first = prs.slides.add_slide(title_layout)
    first.shapes.title.text = spec["title"]
    first.placeholders[1].text = spec.get("subtitle", "")

    for slide_spec in spec["slides"]:
        if "table" in slide_spec:
            slide = prs.slides.add_slide(title_only)
            slide.shapes.title.text = slide_spec["title"]
            rows = slide_spec["table"]
            top = Inches(1.6)
            if slide_spec.get("bullets"):
                box = slide.shapes.add_textbox(Inches(0.6), Inches(1.4), Inches(12), Inches(1.0))
                tf = box.text_frame
                tf.word_wrap = True
                for i, line in enumerate(slide_spec["bullets"]):
                    para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
                    para.text = line
                    para.font.size = PptPt(16)
                top = Inches(2.6)
            shape = slide.shapes.add_table(
                len(rows), len(rows[0]), Inches(0.6), top, Inches(12), Inches(0.4) * len(rows)
            )
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    shape.table.cell(r, c).text = cell
                    for para in shape.table.cell(r, c).text_frame.paragraphs:
                        para.font.size = PptPt(14)
        else:
            slide = prs.slides.add_slide(content_layout)
            slide.shapes.title.text = slide_spec["title"]
            body = slide.placeholders[1].text_frame
            body.word_wrap = True
            for i, line in enumerate(slide_spec.get("bullets", [])):
                para = body.paragraphs[0] if i == 0 else body.add_paragraph()
                level = 0
                while line.startswith("  "):
                    line = line[2:]
                    level += 1
                para.text = line
                para.level = level
                para.font.size = PptPt(20 if level == 0 else 17)
        if slide_spec.get("notes"):
            slide.notes_slide.notes_text_frame.text = slide_spec["notes"]

    props = prs.core_properties
    props.title = spec["title"]
    props.author = spec["author"]
    props.last_modified_by = spec.get("last_modified_by", spec["author"])
    props.keywords = ", ".join(spec["keywords"])
    props.subject = spec.get("subject", "")
    props.category = spec.get("category", "")
    props.comments = spec.get("comments", "")
    props.created = _parse_date(spec["created"])
    props.modified = _parse_date(spec["modified"])
    props.revision = spec.get("revision", 1)
    prs.save(str(path))
    normalise_zip(path)


# ---------------------------------------------------------------- PDF


def _pdf_styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle(
            "DocTitle", parent=base["Title"], fontName="Helvetica-Bold", fontSize=20, leading=24
        ),
        "subtitle": ParagraphStyle(
            "Sub", parent=base["Normal"], fontName="Helvetica-Oblique", fontSize=10, leading=13
        ),
        "h1": ParagraphStyle(
            "H1",
            parent=base["Heading1"],
            fontName="Helvetica-Bold",
            fontSize=15,
            leading=19,
            spaceBefore=12,
            spaceAfter=6,
        ),
        "h2": ParagraphStyle(
            "H2",
            parent=base["Heading2"],
            fontName="Helvetica-Bold",
            fontSize=12.5,
            leading=16,
            spaceBefore=9,
            spaceAfter=4,
        ),
        "h3": ParagraphStyle(
            "H3",
            parent=base["Heading3"],
            fontName="Helvetica-Bold",
            fontSize=11,
            leading=14,
            spaceBefore=6,
            spaceAfter=3,
        ),
        "p": ParagraphStyle(
            "Body",
            parent=base["Normal"],
            fontName="Helvetica",
            fontSize=10,
            leading=13.5,
            spaceAfter=5,
        ),
        "cell": ParagraphStyle(
            "Cell", parent=base["Normal"], fontName="Helvetica", fontSize=9, leading=11.5
        ),
        "cellh": ParagraphStyle(
            "CellH", parent=base["Normal"], fontName="Helvetica-Bold", fontSize=9, leading=11.5
        ),
    }


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_pdf(spec: dict[str, Any], path: Path) -> None:
    rl_config.invariant = 1
    styles = _pdf_styles()
    created = _parse_date(spec["created"])
    stamp = created.strftime("D:%Y%m%d%H%M%S+00'00'")

    def fix_dates(canvas, _doc) -> None:
        canvas.setDateFormatter(lambda *_args: stamp)
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(20 * mm, 12 * mm, spec.get("footer", "Brightpath Learning"))
        canvas.drawRightString(190 * mm, 12 * mm, f"Page {canvas.getPageNumber()}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=22 * mm,
        title=spec["title"],
        author=spec["author"],
        subject=spec.get("subject", ""),
        keywords=", ".join(spec["keywords"]),
        creator="Brightpath document builder",
        invariant=1,
    )
    story: list[Any] = [Paragraph(_esc(spec["title"]), styles["title"])]
    if spec.get("subtitle"):
        story.append(Paragraph(_esc(spec["subtitle"]), styles["subtitle"]))
    story.append(Spacer(1, 6))
    for kind, value in spec["blocks"]:
        if kind in ("h1", "h2", "h3", "p"):
            story.append(Paragraph(_esc(value), styles[kind]))
        elif kind in ("bullets", "numbers"):
            items = [ListItem(Paragraph(_esc(v), styles["p"]), leftIndent=12) for v in value]
            story.append(
                ListFlowable(
                    items,
                    bulletType="bullet" if kind == "bullets" else "1",
                    start="-" if kind == "bullets" else None,
                    leftIndent=14,
                    bulletFontName="Helvetica",
                    bulletFontSize=9,
                )
            )
        elif kind == "table" and spec.get("pdf_tables") == "lines":
            header = value[0]
            for row in value[1:]:
                parts = [f"<b>{_esc(header[0])}: {_esc(row[0])}</b>"]
                parts += [
                    f"{_esc(h)}: {_esc(c)}" for h, c in zip(header[1:], row[1:], strict=True) if c
                ]
                story.append(Paragraph("; ".join(parts), styles["p"]))
            story.append(Spacer(1, 4))
        elif kind == "table":
            data = [
                [Paragraph(_esc(c), styles["cellh" if r == 0 else "cell"]) for c in row]
                for r, row in enumerate(value)
            ]
            table = Table(
                data,
                repeatRows=1,
                hAlign="LEFT",
                colWidths=[170 * mm / len(value[0])] * len(value[0]),
            )
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(table)
            story.append(Spacer(1, 6))
        else:
            raise ValueError(f"unknown block kind {kind!r} in {path}")
    doc.build(story, onFirstPage=fix_dates, onLaterPages=fix_dates)


BUILDERS = {"docx": build_docx, "pptx": build_pptx, "pdf": build_pdf}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_out = Path(__file__).resolve().parent.parent / "sample"
    parser.add_argument("--out", type=Path, default=default_out, help="sample corpus root")
    args = parser.parse_args()
    for rel, spec in DOCUMENTS.items():
        path = args.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        BUILDERS[path.suffix.lstrip(".")](spec, path)
        print(f"wrote {path.relative_to(args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
