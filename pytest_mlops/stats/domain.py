"""Multivariate drift with a domain classifier (scikit-learn): pure function, no pytest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.stats.columns import ColumnSource

__all__ = ["domain_classifier"]


def _matrix(
    source: Any,
    names: Sequence[str],
    kinds: dict[str, str],
    vocab: dict[str, dict[str, int]],
    rows: npt.NDArray[np.int64],
) -> npt.NDArray[np.float64]:
    out = np.empty((rows.size, len(names)), dtype=np.float64)
    frame = source.frame
    for j, name in enumerate(names):
        if source.polars:
            col = frame.get_column(name).gather(rows)
            values = col.to_numpy() if kinds[name] == "numeric" else np.asarray(col.cast(str).to_list(), dtype=object)
        else:
            col = frame[name].iloc[rows]
            values = (
                col.to_numpy(dtype=np.float64, na_value=np.nan)
                if kinds[name] == "numeric"
                else col.to_numpy(dtype=object)
            )
        if kinds[name] == "numeric":
            out[:, j] = np.asarray(values, dtype=np.float64)
        else:
            codes = vocab.setdefault(name, {})
            out[:, j] = [np.nan if v is None or v != v else codes.setdefault(str(v), len(codes)) for v in values]
    return out


def domain_classifier(
    reference: ColumnSource, current: ColumnSource, *, columns: Sequence[str] | None, max_rows: int, seed: int
) -> dict[str, Any]:
    """Train a classifier to tell reference rows (0) from current rows (1); return its holdout AUC.

    ``reference`` and ``current`` are column sources (``integrations.frames.as_source`` makes
    them from frames, arrays and paths).

    Deterministic: the row samples, the split and the model are seeded with ``seed``.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    from pytest_mlops.stats.driftset import resolve_columns

    ref, cur = reference, current
    names, _ = resolve_columns(ref.names, cur.names, columns, (), "reference", "current")
    if ref.n_rows < 10 or cur.n_rows < 10:
        raise MlopsInputError(
            f"multivariate drift needs at least 10 rows per side (reference {ref.n_rows}, current {cur.n_rows})"
        )
    kinds = {}
    for n in names:
        kr, kc = ref.kind(n), cur.kind(n)
        if kr != kc:
            raise MlopsInputError(
                f"column {n!r} is {kr} in reference ({ref.dtype(n)}) but {kc} in current ({cur.dtype(n)}); "
                "cast one side"
            )
        kinds[n] = kr
    rng = np.random.default_rng(seed)
    sampled = ref.n_rows > max_rows or cur.n_rows > max_rows
    r_rows = np.sort(rng.choice(ref.n_rows, size=min(max_rows, ref.n_rows), replace=False)).astype(np.int64)
    c_rows = np.sort(rng.choice(cur.n_rows, size=min(max_rows, cur.n_rows), replace=False)).astype(np.int64)
    vocab: dict[str, dict[str, int]] = {}
    x = np.vstack([_matrix(ref, names, kinds, vocab, r_rows), _matrix(cur, names, kinds, vocab, c_rows)])
    y = np.concatenate([np.zeros(r_rows.size, dtype=np.int64), np.ones(c_rows.size, dtype=np.int64)])
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.3, random_state=seed, stratify=y)
    cat_mask = np.array([kinds[n] == "categorical" and len(vocab.get(n, {})) <= 250 for n in names])
    model = HistGradientBoostingClassifier(
        max_iter=100, random_state=seed, categorical_features=cat_mask if cat_mask.any() else None
    )
    # One OpenMP thread: on small data (at most 2 * max_rows rows) thread start-up and spinning
    # cost more than they save, badly so on a busy machine.
    with threadpool_limits(limits=1, user_api="openmp"):
        model.fit(x_tr, y_tr)
        auc = float(roc_auc_score(y_te, model.predict_proba(x_te)[:, 1]))
    per_column: list[dict[str, Any]] = []
    for j, n in enumerate(names):
        col = x_te[:, j]
        filled = np.where(np.isnan(col), np.nanmin(col) - 1 if np.isfinite(col).any() else 0.0, col)
        a = float(roc_auc_score(y_te, filled)) if np.unique(filled).size > 1 else 0.5
        per_column.append({"column": n, "auc": max(a, 1 - a)})
    per_column.sort(key=lambda c: (-float(c["auc"]), str(c["column"])))
    return {
        "auc": auc,
        "score": max(0.0, 2 * auc - 1),
        "columns": per_column,
        "n_reference": int(r_rows.size),
        "n_current": int(c_rows.size),
        "sampling": {"rows": int(max_rows), "seed": seed} if sampled else None,
    }
