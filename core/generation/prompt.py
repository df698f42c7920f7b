"""The grounded prompt of the LLM generators: numbered passages, a citation after each sentence."""

from __future__ import annotations

from core.generation.citations import NO_ANSWER
from core.schema import Passage

SYSTEM_PROMPT = f"""You answer employees' questions using only the numbered passages you are given.
Rules:
- Use only facts stated in the passages. Do not add anything from your own knowledge.
- After every sentence, cite the passage or passages that support it by number in square \
brackets, like [1] or [2][3].
- If the passages do not answer the question, reply exactly: {NO_ANSWER}
- Answer in at most five sentences, plainly, without a preamble. Keep numbered steps in order."""

ELLIPSIS = " …"


def passage_label(passage: Passage) -> str:
    """'Title — Heading > Subheading' (the heading path without a repeated title)."""
    headings = [h for h in passage.heading_path if h and h != passage.title]
    return f"{passage.title} — {' > '.join(headings)}" if headings else passage.title


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a sentence end or else a word boundary."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(ELLIPSIS), 1)]
    sentence_end = max(cut.rfind(". "), cut.rfind(".\n"), cut.rfind("\n"))
    if sentence_end >= len(cut) // 2:
        return cut[: sentence_end + 1].rstrip()
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else cut).rstrip() + ELLIPSIS


def format_passages(passages: list[Passage], max_chars: int) -> str:
    """The passages as `[n] label` blocks, each given an equal share of `max_chars`."""
    share = max_chars // max(len(passages), 1)
    return "\n\n".join(
        f"[{n}] {passage_label(p)}\n{truncate(p.text, share)}"
        for n, p in enumerate(passages, start=1)
    )


def user_prompt(question: str, passages: list[Passage], max_chars: int) -> str:
    """The user turn: the passages, then the question."""
    return (
        f"Passages:\n\n{format_passages(passages, max_chars)}\n\n"
        f"Question: {question.strip()}\n"
        "Answer (cite [n] after every sentence):"
    )


def chat_messages(question: str, passages: list[Passage], max_chars: int) -> list[dict[str, str]]:
    """System and user messages in the OpenAI chat format."""
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": user_prompt(question, passages, max_chars)},
    ]
