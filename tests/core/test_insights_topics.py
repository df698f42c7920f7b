"""Topics: real MiniLM embeddings of the sample log, agglomerative clustering, c-TF-IDF labels."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from core.insights.topics import OTHER, fit_topics, label_topics
from examples.tools.question_log import generate, planted_topics


@pytest.fixture(scope="module")
def sample(embedder: Any) -> tuple[list[str], list[str], np.ndarray]:
    """Texts, planted topics and vectors of a small sample log."""
    log = generate(3, scale=0.15)
    texts = [q.question for q in log]
    unique = sorted(set(texts))
    vectors = dict(zip(unique, embedder.embed_documents(unique), strict=True))
    return texts, [q.topic for q in log], np.stack([vectors[t] for t in texts])


def test_generator_is_deterministic_and_plants_every_topic() -> None:
    first, again = generate(5, scale=0.2), generate(5, scale=0.2)
    assert [q.id for q in first] == [q.id for q in again]
    assert {q.topic for q in first} == {p.name for p in planted_topics()}
    assert generate(6, scale=0.2)[0].id != first[0].id


def test_topics_agree_with_planted_labels(sample: tuple[list[str], list[str], np.ndarray]) -> None:
    texts, truth, vectors = sample
    model, assignment = fit_topics(
        vectors, texts, distance_threshold=0.7, min_topic_size=5, max_fit=4000
    )
    assert 10 <= len(model.labels) <= 40
    assert adjusted_rand_score(truth, assignment) > 0.35
    # The pension gap is one topic whose label says so.
    pension = [a for a, t in zip(assignment, truth, strict=True) if t == "pension"]
    main = max(set(pension), key=pension.count)
    assert main != OTHER and "pension" in model.labels[main]


def test_a_sample_fit_assigns_the_rest_to_the_nearest_centroid(
    sample: tuple[list[str], list[str], np.ndarray],
) -> None:
    texts, _, vectors = sample
    model, assignment = fit_topics(
        vectors, texts, distance_threshold=0.7, min_topic_size=5, max_fit=150, seed=1
    )
    assert len(assignment) == len(texts) and len(model.labels) >= 5
    kept = assignment != OTHER
    assert np.array_equal(model.assign(vectors[kept]), assignment[kept])


def test_class_based_tfidf_prefers_a_topic_s_own_words() -> None:
    texts = [
        "pension contributions",
        "pension provider",
        "quiz pass mark",
        "quiz attempts allowed",
    ]
    labels = label_topics(texts, np.array([0, 0, 1, 1]), 2)
    assert labels[0][0] == "pension" and labels[1][0] == "quiz"
    assert label_topics(["the a an", "of the"], np.array([0, 0]), 1) == [[]]
