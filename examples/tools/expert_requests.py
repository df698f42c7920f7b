"""Sample Ask-an-expert requests on the running service, so the loop shows at once.

    python -m examples.tools.expert_requests [--service-url URL] [--if-empty]

Through the service's API in open mode, with demo identities (X-Demo-Person):

    answered   Priya Natarajan asks where the London office keeps bicycles; Tomás Ferreira
               answers, and the answer is searchable and cited from then on
    open       Priya asks who runs the Friday lunch-and-learn; it waits in Aisha Okafor's inbox

`make run` runs it once the service is up (`--if-empty`: nothing is sent when Priya already sent
requests). In keys mode demo identities do not exist and it says so.
"""

from __future__ import annotations

import argparse
import sys

from core.client import ClientError, WatercoolerClient
from core.schema import person_id_for

ASKER = person_id_for("Priya Natarajan", "priya.natarajan@brightpath.example")
ANSWERER = person_id_for("Tomás Ferreira", "tomas.ferreira@brightpath.example")
WAITING = person_id_for("Aisha Okafor", "aisha.okafor@brightpath.example")
ANSWERED_QUESTION = "Where can I park my bicycle at the London office?"
ANSWER = (
    "Bicycles go in the locked bike store in the basement car park of the London office. "
    "Facilities hands out the access fob; showers are on the ground floor."
)
OPEN_QUESTION = "Who runs the Friday lunch-and-learn sessions?"


def _as(url: str, person: str) -> WatercoolerClient:
    return WatercoolerClient(url, demo_person=person, hint="Start it with `make run`.")


def main(argv: list[str] | None = None) -> int:
    """Send the sample requests; 0 when done or skipped, 1 when the service refused."""
    parser = argparse.ArgumentParser(prog="python -m examples.tools.expert_requests")
    parser.add_argument("--service-url", default="http://127.0.0.1:8000")
    parser.add_argument("--if-empty", action="store_true", help="skip when requests exist")
    args = parser.parse_args(argv)
    try:
        with _as(args.service_url, ASKER) as asker:
            if asker.me().auth_mode != "open":
                print("the service is not in open mode: no demo identities, no sample requests")
                return 0
            if args.if_empty and asker.sent_requests().items:
                print("sample requests exist: none sent")
                return 0
            answered = asker.escalate(asker.ask(ANSWERED_QUESTION).question_id, to=ANSWERER)
            with _as(args.service_url, ANSWERER) as expert:
                expert.answer_request(answered.id, ANSWER)
            waiting = asker.escalate(
                asker.ask(OPEN_QUESTION).question_id, to=WAITING, note="You ran the last one?"
            )
    except ClientError as exc:
        print(f"sample requests not sent: {exc.message}", file=sys.stderr)
        return 1
    print(f"sample requests sent: {answered.id} answered, {waiting.id} waiting for Aisha Okafor")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
