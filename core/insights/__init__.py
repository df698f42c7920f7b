"""Insights for trainers: what people ask, why topics fail, which training is needed.

    topics.py     clustering of the logged questions' embeddings, c-TF-IDF labels
    reasons.py    one reason per failed question (no content, stale, conflicting, ...)
    summary.py    one topic's figures: volume, trend, outcomes, documents, people, teams
    lookups.py    documents and people as insights read them (stores, or in memory)
    engine.py     Insights: the cached topics kept up to date, the report, the drill-down
    catalogue.py  the training catalogue (YAML or CSV), errors naming the line
    needs.py      the training-needs report: matching, the score, CSV and Markdown

The question log is read, and the vectors and topics cached, by core/db/insights.py.
"""
