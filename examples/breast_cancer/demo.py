"""The whole story on an embedded sqlite MLflow store, one command at a time.

1. train v1 -> CT gates (cold start) -> promote: v1 becomes the champion;
2. serving data drifts -> the monitoring gates catch it -> retraining is due;
3. retrain on the new data (v2) -> CT gates against the champion -> promotion accepted;
4. a worse model (v3) -> CT gates fail -> promotion refused, with the reasons;
5. an incident -> rollback: the previous champion is back; the history shows every step.

Every step is a command a user (or a CI job) would run; this script only runs them in order,
checks each exits as the story expects, and says where the reports are.

``python demo.py [--workdir DIR]`` (default: this folder; it writes data/, reports/, mlflow.db).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODEL = "bc-classifier"


class StoryError(RuntimeError):
    pass


class Demo:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.reports: list[Path] = []
        self.env = dict(os.environ)
        self.env.update(
            {
                "MLFLOW_TRACKING_URI": f"sqlite:///{workdir / 'mlflow.db'}",
                "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
                "MLFLOW_HTTP_REQUEST_TIMEOUT": "10",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(workdir), self.env.get("PYTHONPATH")])),
            }
        )
        self.env.pop("GITHUB_STEP_SUMMARY", None)
        self.env.pop("GITHUB_OUTPUT", None)

    def chapter(self, title: str) -> None:
        print(f"\n{'=' * 78}\n{title}\n{'=' * 78}", flush=True)

    def run(self, *cmd: str, expect: int = 0, show: int = 40) -> str:
        """Run one command as a user would; check its exit code; show its last lines."""
        print(f"\n$ {' '.join(cmd)}", flush=True)
        started = time.monotonic()
        done = subprocess.run(cmd, cwd=self.workdir, env=self.env, capture_output=True, text=True)
        output = (done.stdout + done.stderr).rstrip()
        lines = output.splitlines()
        if len(lines) > show:
            print(f"  ... ({len(lines) - show} lines above)")
        print(textwrap.indent("\n".join(lines[-show:]), "  "))
        print(f"  [exit {done.returncode}, {time.monotonic() - started:.1f} s]", flush=True)
        if done.returncode != expect:
            raise StoryError(f"{' '.join(cmd)!r} exited {done.returncode}, the story expects {expect}")
        return output

    def gates(self, stage: str, name: str, *, expect: int = 0, extra: tuple[str, ...] = ()) -> Path:
        report = Path("reports") / f"{name}.json"
        self.reports += [report, report.with_suffix(".html")]
        self.run(
            sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--tb=short",
            f"--mlops-stage={stage}",
            f"--mlops-report={report}",
            f"--mlops-html={report.with_suffix('.html')}",
            f"--mlops-summary={report.with_suffix('.md')}",
            *extra,
            expect=expect,
        )  # fmt: skip
        return report

    def data(self, *flags: str) -> None:
        self.run(sys.executable, "-m", "bc_example.data", "--out", "data", *flags)

    def train(self, *flags: str) -> None:
        self.run(sys.executable, "-m", "bc_example.train", "--data", "data", "--model-name", MODEL, *flags)

    def cli(self, *args: str, expect: int = 0) -> str:
        return self.run(sys.executable, "-m", "pytest_mlops.cli", *args, expect=expect)


def reset(workdir: Path) -> None:
    for name in ("data", "reports", "mlartifacts", "mlruns"):
        shutil.rmtree(workdir / name, ignore_errors=True)
    (workdir / "mlflow.db").unlink(missing_ok=True)


def story(demo: Demo) -> None:
    ct = ("--mlops-log-to-mlflow",)

    demo.chapter("1. First model: train v1, gate it (no champion yet: a cold start), promote it")
    demo.data()
    demo.train("--alias", "challenger")
    report = demo.gates("ct", "1-ct-v1", extra=ct)
    demo.cli("promote", "--model", MODEL, "--report", str(report))

    demo.chapter("2. Serving data drifts: the scheduled monitoring gates catch it")
    demo.data("--drift")
    demo.gates("monitor", "2-monitor", expect=1)
    print("\n  -> drift found: in CI the MONITOR workflow now dispatches continuous training")

    demo.chapter("3. Continuous training on the new data: v2, gated against the champion, promoted")
    demo.data("--after-shift")
    demo.train("--alias", "challenger")
    report = demo.gates("ct", "3-ct-v2", extra=ct)
    demo.cli("promote", "--model", MODEL, "--report", str(report))

    demo.chapter("4. A worse model (v3): its gates fail and the promotion is refused")
    demo.train("--alias", "challenger", "--worse")
    report = demo.gates("ct", "4-ct-v3", expect=1, extra=ct)
    demo.cli("promote", "--model", MODEL, "--report", str(report), expect=1)

    demo.chapter("5. An incident: roll back to the previous champion, then read the history")
    demo.cli("rollback", "--model", MODEL, "--reason", "demo: incident drill")
    demo.cli("history", "--model", MODEL)

    demo.chapter("Reports")
    demo.cli("score", str(demo.reports[-2]), "--root", str(HERE.parents[1]), "--manual", "data-5,model-3")
    for path in demo.reports:
        print(f"  {demo.workdir / path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=HERE, help="where data, reports and mlflow.db go")
    args = parser.parse_args(argv)
    workdir = args.workdir.resolve()
    if workdir != HERE:
        shutil.copytree(HERE, workdir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "data",
                        "reports", "mlflow.db", "mlartifacts"))  # fmt: skip
    reset(workdir)
    demo = Demo(workdir)
    try:
        story(demo)
    except StoryError as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr)
        return 1
    print("\nThe story ran as expected.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
