"""GET /examples: example questions from what is asked and ingested (core/examples.py)."""

from __future__ import annotations

from fastapi import APIRouter

from core.api import Examples
from core.examples import example_questions
from service.deps import CallerDep, ComponentsDep, ManifestDep, QuestionsDep
from service.errors import ERROR_RESPONSES

router = APIRouter(tags=["ask"])


@router.get(
    "/examples",
    response_model=Examples,
    summary="Example questions",
    description="Questions asked often (and answered from documents the caller may see), then "
    "prompts from the titles of the most cited and the most recent documents; none when "
    "nothing is ingested. `examples.fixed` replaces them, `examples.count=0` turns them off.",
    responses=ERROR_RESPONSES,
)
def examples(
    caller: CallerDep, components: ComponentsDep, questions: QuestionsDep, manifest: ManifestDep
) -> Examples:
    """Example questions for this caller."""
    settings = components.settings.examples
    return Examples(questions=example_questions(settings, caller, questions, manifest))
