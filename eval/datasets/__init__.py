"""Evaluation datasets, validated on load; every loader raises `DatasetError` with file:line.

beir      BEIR layout (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) → RetrievalDataset
golden    Watercooler's golden set (JSONL, one question per line) → list[GoldenItem]
fitz_gov  the fitz-gov package's corpus, query mappings and behaviour cases
jsonl     line-numbered JSONL reading shared by the loaders
"""
