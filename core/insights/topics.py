"""Topics: questions clustered on their embeddings, labelled by class-based TF-IDF keywords.

    fit       agglomerative clustering (cosine distance, average linkage, merge distance
              `insights.distance_threshold`) of at most `insights.max_fit` questions (a fixed
              random sample beyond that), so the number of topics follows the data
    assign    every question joins the topic whose centroid (the normalised mean of its
              members) is nearest; a topic left with fewer than `insights.min_topic_size`
              questions is dissolved into OTHER
    label     c-TF-IDF: a term's frequency in the topic's questions (normalised by the topic's
              length) × log(1 + mean words per topic / the term's frequency in all topics);
              the three best unigrams or bigrams make the label

Why agglomerative: on the tuning seeds (1-3) of the sample log (examples/tools/question_log.py)
it agreed best with the planted topics (adjusted Rand index 0.50-0.57 at distance 0.6-0.7, against
0.35-0.43 for k-means given the true number of topics and 0.18-0.20 for HDBSCAN, which splits the
log into 130+ tiny clusters), and it needs no number of topics. Distance 0.6 rather than 0.7:
same agreement, and the planted gaps ranked first more often (0.83 against 0.75). It is quadratic in
memory, hence the sample + nearest-centroid step, which also makes a new question's topic one
dot product (the cache in core/db/insights.py keeps the centroids).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from sklearn.cluster import HDBSCAN, AgglomerativeClustering, MiniBatchKMeans
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

OTHER = -1  # the topic of questions in no topic
Method = Literal["agglomerative", "hdbscan", "kmeans"]
LABEL_TERMS = 3
_WORD = r"(?u)\b[a-zA-Z][a-zA-Z0-9-]+\b"
# Words every question has: they would label every topic.
_QUESTION_WORDS = frozenset(
    {
        "need", "does", "did", "know", "anyone", "hi", "quick", "question", "please", "thanks",
        "way", "tell", "happens", "ok", "actually", "really", "want", "wondering", "exactly",
        "work", "use", "using", "get", "like",
    }
)  # fmt: skip


@dataclass(frozen=True)
class TopicModel:
    """Centroids (unit rows, one per topic) and the keyword label of each topic."""

    centroids: np.ndarray
    labels: list[str]
    keywords: list[list[str]]

    def assign(self, vectors: np.ndarray) -> np.ndarray:
        """The nearest topic of each (unit) vector."""
        if len(self.centroids) == 0 or len(vectors) == 0:
            return np.full(len(vectors), OTHER, dtype=np.int64)
        return np.asarray(np.argmax(vectors @ self.centroids.T, axis=1), dtype=np.int64)


def fit_topics(
    vectors: np.ndarray,
    texts: Sequence[str],
    *,
    distance_threshold: float,
    min_topic_size: int,
    max_fit: int,
    method: Method = "agglomerative",
    n_topics: int | None = None,
    seed: int = 0,
) -> tuple[TopicModel, np.ndarray]:
    """The topics of these questions and each question's topic (OTHER for none)."""
    n = len(vectors)
    rng = np.random.default_rng(seed)
    fit_rows = np.sort(rng.choice(n, size=max_fit, replace=False)) if n > max_fit else np.arange(n)
    raw = _cluster(vectors[fit_rows], method, distance_threshold, min_topic_size, n_topics, seed)
    centroids = _centroids(vectors[fit_rows], raw)
    assignment = _nearest(vectors, centroids)
    # Dissolve topics that end up too small, then re-assign their questions to OTHER.
    sizes = np.bincount(assignment[assignment >= 0], minlength=len(centroids))
    keep = np.flatnonzero(sizes >= min_topic_size)
    remap = np.full(len(centroids), OTHER, dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    assignment = np.where(assignment >= 0, remap[np.maximum(assignment, 0)], OTHER)
    centroids = centroids[keep]
    keywords = label_topics(texts, assignment, len(keep))
    model = TopicModel(
        centroids=centroids,
        labels=[", ".join(k[:LABEL_TERMS]) or f"topic {i + 1}" for i, k in enumerate(keywords)],
        keywords=keywords,
    )
    return model, assignment


def _cluster(
    vectors: np.ndarray,
    method: Method,
    distance_threshold: float,
    min_topic_size: int,
    n_topics: int | None,
    seed: int,
) -> np.ndarray:
    """Cluster ids of the fitted questions (-1: noise)."""
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=np.int64)
    if method == "agglomerative":
        agg = AgglomerativeClustering(
            n_clusters=None,
            metric="cosine",
            linkage="average",
            distance_threshold=distance_threshold,
        )
        return np.asarray(agg.fit_predict(vectors), dtype=np.int64)
    if method == "hdbscan":
        hdb = HDBSCAN(min_cluster_size=min_topic_size, metric="euclidean", copy=True)
        return np.asarray(hdb.fit_predict(vectors), dtype=np.int64)
    if n_topics is None:
        raise ValueError("k-means needs the number of topics")
    km = MiniBatchKMeans(n_clusters=min(n_topics, len(vectors)), random_state=seed, n_init=3)
    return np.asarray(km.fit_predict(vectors), dtype=np.int64)


def _centroids(vectors: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    ids = sorted(int(c) for c in set(clusters.tolist()) if c >= 0)
    if not ids:
        return np.zeros((0, vectors.shape[1]), dtype=np.float32)
    rows = np.stack([vectors[clusters == c].mean(axis=0) for c in ids])
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.asarray(rows / np.maximum(norms, 1e-12), dtype=np.float32)


def _nearest(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    if len(centroids) == 0:
        return np.full(len(vectors), OTHER, dtype=np.int64)
    return np.asarray(np.argmax(vectors @ centroids.T, axis=1), dtype=np.int64)


def label_topics(texts: Sequence[str], assignment: np.ndarray, n_topics: int) -> list[list[str]]:
    """The best c-TF-IDF terms of each topic (module docstring), at most ten."""
    if n_topics == 0:
        return []
    joined = [
        " ".join(texts[int(i)] for i in np.flatnonzero(assignment == t)) for t in range(n_topics)
    ]
    vectorizer = CountVectorizer(
        ngram_range=(1, 2),
        token_pattern=_WORD,
        stop_words=sorted(ENGLISH_STOP_WORDS | _QUESTION_WORDS),
        lowercase=True,
    )
    try:
        counts = vectorizer.fit_transform(joined).toarray().astype(np.float64)
    except ValueError:  # only stop words
        return [[] for _ in range(n_topics)]
    terms = vectorizer.get_feature_names_out()
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    mean_words = counts.sum() / n_topics
    idf = np.log(1.0 + mean_words / np.maximum(counts.sum(axis=0), 1.0))
    scores = tf * idf
    keywords = []
    for row in scores:
        best = [str(terms[j]) for j in np.argsort(-row)[:20] if row[j] > 0]
        keywords.append(_drop_overlaps(best)[:10])
    return keywords


def _drop_overlaps(terms: list[str]) -> list[str]:
    """Terms without those a better-ranked bigram or unigram already says."""
    kept: list[str] = []
    for term in terms:
        words = set(re.split(r"\s+", term))
        if any(words <= set(k.split()) or set(k.split()) <= words for k in kept):
            continue
        kept.append(term)
    return kept
