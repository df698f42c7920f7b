"""Run scoring: document-level retrieval scores, answer scores, aggregates, calibration."""

from __future__ import annotations

import pytest

from eval.scoring import (
    ANSWER_METRICS,
    AnswerRecord,
    answer_scores,
    by_tag,
    calibrate,
    retrieval_scores,
    summarize,
)


def test_retrieval_is_scored_on_documents_in_rank_order() -> None:
    # passages of doc a twice, then b: deduped to [a, b]; b is the relevant one
    scores = retrieval_scores(["a", "a", "b"], {"b": 1})
    assert scores["mrr@10"] == 0.5 and scores["hit_rate@1"] == 0.0
    assert scores["precision@1"] == 0.0 and scores["recall@3"] == 1.0
    assert scores["map"] == 0.5
    assert all(v is None for v in retrieval_scores(["a"], {}).values())


def test_answer_scores_of_an_answer_and_an_abstention() -> None:
    record = AnswerRecord(
        text="The handover is on Wednesday at 09:00 [1].",
        abstained=False,
        citations={1: "The on-call handover happens every Wednesday at 09:00 Berlin time."},
    )
    scores = answer_scores(record, True, "Wednesday at 09:00 Berlin time", 0.8)
    assert scores["citation_precision"] == 1.0 and scores["citation_recall"] == 1.0
    assert scores["groundedness"] == 1.0 and scores["answer_rate"] == 1.0
    assert scores["abstention_accuracy"] is None and scores["leakage"] == 0.0
    # "handover is on wednesday at 0900" vs "wednesday at 0900 berlin time": 3 shared
    assert scores["token_f1"] == pytest.approx(2 * (3 / 6) * (3 / 5) / (3 / 6 + 3 / 5))
    # "berlin time" is missing: not contained; content tokens wednesday, 0900 of 4 found
    assert scores["containment"] == 0.0 and scores["reference_recall"] == pytest.approx(2 / 4)
    # no relevant document among the passages answered from: the gold variants do not apply
    assert scores["containment_gold_retrieved"] is None
    record.context_documents = ["doc-a", "doc-b"]
    gold = answer_scores(record, True, "at 09:00 Berlin", 0.8, relevant=["doc-b"])
    assert gold["containment_gold_retrieved"] == 0.0  # the answer says 09:00 but not Berlin
    assert gold["reference_recall_gold_retrieved"] == pytest.approx(1 / 2)
    elsewhere = answer_scores(record, True, "at 09:00 Berlin", 0.8, relevant=["doc-z"])
    assert elsewhere["containment_gold_retrieved"] is None
    abstained = AnswerRecord("I couldn't find this.", True, leaked=["secret"])
    scores = answer_scores(abstained, False, "", None)
    assert scores["abstention_accuracy"] == 1.0 and scores["answer_rate"] is None
    assert scores["citation_precision"] is None and scores["leakage"] == 1.0


def test_summarize_counts_leaks() -> None:
    summary = summarize([{"leakage": 0.0}, {"leakage": 1.0}, {"leakage": 1.0}], ["leakage"])
    assert summary["leakage"]["total"] == 2 and summary["leakage"]["n"] == 3


def test_calibration_picks_the_best_threshold_at_the_answer_rate_floor() -> None:
    # answerable tops 0.6, 0.5, 0.45; unanswerable tops 0.3, 0.48
    tops = [0.6, 0.5, 0.45, 0.3, 0.48]
    answerable = [True, True, True, False, False]
    result = calibrate(tops, answerable, [False] * 5, min_answer_rate=0.6)
    chosen = result["chosen"]
    # t in (0.3, 0.45]: 1/2 unanswerable abstain, all answered; t in (0.48, 0.5]: 2/2, 2/3
    assert chosen["threshold"] == 0.49
    assert chosen["abstention_accuracy"] == 1.0 and chosen["answer_rate"] == pytest.approx(2 / 3)
    strict = calibrate(tops, answerable, [False] * 5, min_answer_rate=1.0)["chosen"]
    assert strict["threshold"] == 0.31 and strict["abstention_accuracy"] == 0.5


def test_generator_abstention_counts_at_every_threshold() -> None:
    result = calibrate([0.9, 0.9], [True, False], [False, True])
    assert result["chosen"]["threshold"] == 0.0
    assert result["chosen"]["abstention_accuracy"] == 1.0


def test_by_tag_groups_category_tags_only() -> None:
    tags = [("factual", "topic:x"), ("who",), ("factual",)]
    retrieval: dict[str, list[dict[str, float | None]]] = {
        "hybrid": [{"ndcg@10": 1.0}, {"ndcg@10": None}, {"ndcg@10": 0.5}]
    }
    scores = [dict.fromkeys(ANSWER_METRICS, None) for _ in tags]
    for item, abstained in zip(scores, (1.0, 0.0, 0.0), strict=True):
        item["abstained"] = abstained
    grouped = by_tag(tags, retrieval, {"extractive": scores})
    assert set(grouped) == {"factual", "who"}
    assert grouped["factual"]["n"] == 2 and grouped["factual"]["ndcg@10"] == {"hybrid": 0.75}
    assert grouped["factual"]["answers"]["extractive"]["abstained"] == 0.5
    assert grouped["who"]["ndcg@10"] == {"hybrid": None}
