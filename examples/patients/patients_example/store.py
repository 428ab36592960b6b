"""``feast apply`` and ``feast materialize`` for the example repository, from Python (needs Feast)."""

from __future__ import annotations

import importlib.util
from datetime import datetime
from pathlib import Path
from typing import Any

from patients_example import data


def apply(repo: str | Path) -> Any:
    """Write the feature tables, register the definitions of ``features.py``; return the FeatureStore."""
    from feast import FeatureStore

    repo = Path(repo)
    data.write(repo)
    spec = importlib.util.spec_from_file_location("patients_feature_repo", repo / "features.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(repo / "features.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    store = FeatureStore(repo_path=str(repo))
    store.apply([module.patient, module.patient_vitals, module.patient_labs, module.readmission_model])
    return store


def materialize(store: Any, until: datetime) -> None:
    """Load the offline values up to ``until`` into the online store (as a scheduled job would)."""
    store.materialize(data.START.to_pydatetime() - data.TTL["labs"].to_pytimedelta(), until)


def main() -> None:
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(description="feast apply + materialize for the example repository")
    parser.add_argument("--repo", default=str(Path(__file__).resolve().parents[1] / "feature_repo"))
    parser.add_argument("--until", required=True, help="materialise up to this ISO time (the scheduled job's 'now')")
    args = parser.parse_args()
    until = datetime.fromisoformat(args.until)
    materialize(apply(args.repo), until)
    print(f"applied {args.repo} and materialised up to {until.isoformat()}")


if __name__ == "__main__":
    main()
