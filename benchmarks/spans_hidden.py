"""Does the span tagger's error head gain from per-token hidden states? A small measurement (issue 10).

    python benchmarks/spans_hidden.py [N]     # the first N (130) extracted wmt21 TED items

The target tokens' hidden states of the forward pass (last and middle layer, ``GemmaModel.hidden_states``)
are standardised, projected on principal components fitted on the training half and added to the token
features of ``mtqa.score.spans``; token-level AUC of the ``error`` head, 2 folds grouped by source segment.
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))  # the training code, not the package
import numpy as np
import qe_data
import train_spans as ts

from mtqa.score.lm import create_model
from mtqa.score.lm.protocol import Request
from mtqa.score.neural import _prompt_text

N = int(sys.argv[1]) if len(sys.argv) > 1 else 130
items = [i for i in qe_data.load_mqm() if i.dataset == "wmt21_ted_mqm_zhen"][:N]
ex = ts.load_examples(items)
model = create_model("gemma3-270m", quiet=True)
started = time.perf_counter()
H = []
for e in ex:
    req = Request(("Chinese:", _prompt_text(e.source), "\nEnglish:", _prompt_text(e.target)), (1, 3))
    encoded, lookup = model.encode([req])
    ids, ranges = encoded[0]
    first, end, _ = ranges[1]
    offs = lookup[req.pieces[3]][1]
    keep = [k for k, (_, stop) in enumerate(offs) if stop > 1]
    states = model.hidden_states([ids])
    last, mid = states[-1][0].float().numpy(), states[len(states) // 2][0].float().numpy()
    pos = [first + k for k in keep]
    h = np.hstack([last[pos], mid[pos]])
    assert len(h) == len(e.y_err), (len(h), len(e.y_err))
    H.append(h)
print(f"hidden states of {len(ex)} items: {time.perf_counter() - started:.0f} s", flush=True)

def auc(p, y):
    order = np.argsort(p)
    r = np.empty(len(p))
    r[order] = np.arange(len(p))
    pos = y == 1
    return (r[pos].mean() - (pos.sum() - 1) / 2) / (~pos).sum()

groups = sorted({e.group for e in ex})
fold = {g: i % 2 for i, g in enumerate(groups)}
for name, k in (("features only", 0), ("+ hidden PCA 16", 16), ("+ hidden PCA 32", 32)):
    scores = []
    for f in (0, 1):
        tr = [i for i, e in enumerate(ex) if fold[e.group] != f]
        te = [i for i, e in enumerate(ex) if fold[e.group] == f]
        x_tr, x_te = np.vstack([ex[i].x_tgt for i in tr]), np.vstack([ex[i].x_tgt for i in te])
        y_tr, y_te = np.concatenate([ex[i].y_err for i in tr]), np.concatenate([ex[i].y_err for i in te])
        if k:
            h_tr, h_te = np.vstack([H[i] for i in tr]), np.vstack([H[i] for i in te])
            mu, sd = h_tr.mean(0), h_tr.std(0) + 1e-6
            _, _, vt = np.linalg.svd((h_tr - mu) / sd, full_matrices=False)
            projection = vt[:k].T
            x_tr = np.hstack([x_tr, ((h_tr - mu) / sd) @ projection])
            x_te = np.hstack([x_te, ((h_te - mu) / sd) @ projection])
        head = ts.train_head(x_tr, y_tr, 1, 1)
        scores.append(auc(head.predict(x_te), y_te))
    print(f"{name:18s} token AUC (2 folds by segment): {scores[0]:.3f} {scores[1]:.3f} "
          f"mean {np.mean(scores):.3f}", flush=True)
