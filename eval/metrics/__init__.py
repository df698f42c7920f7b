"""Evaluation metrics: pure functions over ids, texts and vectors.

retrieval   recall, precision, MRR, nDCG, AP and hit rate at k over graded qrels
people      precision@1, recall@k and MRR of the people named to contact
answers     token F1, cosine similarity, ALCE citation recall/precision, groundedness,
            abstention, answer rate and access leakage
entailment  the Entailment seam and LexicalEntailment, a lexical proxy (not NLI)
stats       bootstrap confidence intervals and per-item → aggregate summaries
"""
