"""Benchmark: what the installed ``mlops`` plugin costs a run that uses no gate.

pytest loads every installed plugin on every run, so a project's plain unit tests pay for our
hooks too. This script writes ``--tests`` trivial tests (``def test_i(): pass``, 100 per file) in
a temporary folder and runs them in fresh processes, with the plugin (``pytest -q``) and without
it (``pytest -q -p no:mlops``), in a shuffled order each round so a burst of load from other jobs
hits each alike. One round first is not counted (it warms the file cache), then ``--repeats`` rounds.

It prints the median CPU time (user + system of the child) and wall time of each, and the CPU
ratio with / without: the figure to watch (target: at most 1.01). A second pair of runs with a
single test shows how much of the difference is start-up (importing and configuring the plugin)
rather than per-test work. The load average is printed before and after: on a shared machine the
figures are noisy.

A control runs alongside: ``-p no:mlops`` plus a plugin that does nothing (one empty hook). It
costs nothing measurable, so its ratio to ``-p no:mlops`` is the noise of the measurement on
this machine at this time: a difference smaller than the control's is not resolved.

Byte code: by default the runs keep compiled modules (in a temporary ``PYTHONPYCACHEPREFIX``
folder that the uncounted first round fills), as on a developer's machine from the second run
on; pytest keeps its assertion-rewritten copy of the plugin's modules there too.
``--no-bytecode-cache`` sets ``PYTHONDONTWRITEBYTECODE=1`` instead (some CI images and sandboxes
do): then every run parses, assertion-rewrites and compiles each plugin module again, which is
most of the start-up cost.

``--instructions`` counts instructions instead of timing: each mode runs once under
``valgrind --tool=callgrind`` (after the warm-up round), with ``PYTHONHASHSEED=0``. The count does
not depend on what else the machine is doing, so the ratio is the same on a busy machine and is
the figure to quote there (the CPU-time ratio on these shared machines moves by a few percent).

Run: ``python benchmarks/plugin_overhead.py [--tests 2000] [--repeats 7] [--no-bytecode-cache]
[--instructions]``. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PER_FILE = 100
#: The control: a plugin module that does nothing (importable from the temporary folder).
CONTROL = "mlops_overhead_control"
MODES = ("mlops", "none", "control")


def _write_tests(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    for start in range(0, count, PER_FILE):
        body = "".join(f"def test_{i}():\n    pass\n\n\n" for i in range(start, min(start + PER_FILE, count)))
        (folder / f"test_plain_{start // PER_FILE:03d}.py").write_text(body, encoding="utf-8")


def _run(folder: Path, mode: str, pycache: Path | None, *, count: bool = False) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one pytest process over ``folder``: with the plugin
    (``mlops``), without it (``none``) or without it but with the empty control plugin.
    With ``count``, the process runs under callgrind and the first figure is its instruction count."""
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
    if count:
        args = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *args]
    if mode != "mlops":
        args += ["-p", "no:mlops"]
    if mode == "control":
        args += ["-p", CONTROL]
    drop = ("PYTEST_", "GITHUB_", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env["PYTHONPATH"] = str(folder.parent)  # where the control plugin lies (every mode alike)
    if count:
        env["PYTHONHASHSEED"] = "0"  # the same dict and set layouts in every mode
    if pycache is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, cwd=folder, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"pytest failed in {folder}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    if count:
        found = re.search(r"Collected : (\d+)", done.stderr)
        if found is None:
            raise SystemExit(f"callgrind printed no instruction count:\n{done.stderr[-2000:]}")
        return float(found.group(1)), wall
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def _measure(folder: Path, repeats: int, pycache: Path | None) -> dict[str, tuple[float, float]]:
    for mode in MODES:
        _run(folder, mode, pycache)
    samples: dict[str, list[tuple[float, float]]] = {mode: [] for mode in MODES}
    order = random.Random(0)
    for _ in range(repeats):  # each round in a new order, so no mode always follows the same one
        for mode in order.sample(MODES, len(MODES)):
            samples[mode].append(_run(folder, mode, pycache))
    return {
        key: (statistics.median(c for c, _ in runs), statistics.median(w for _, w in runs))
        for key, runs in samples.items()
    }


def _count(folder: Path, pycache: Path | None) -> dict[str, float]:
    """Instructions of one run per mode under callgrind, after one uncounted warm-up run each."""
    for mode in MODES:
        _run(folder, mode, pycache)
    return {mode: _run(folder, mode, pycache, count=True)[0] for mode in MODES}


def _count_line(label: str, counts: dict[str, float]) -> str:
    on, off, control = counts["mlops"], counts["none"], counts["control"]
    return (
        f"{label:<14} instructions with mlops {on:,.0f} | -p no:mlops {off:,.0f} | ratio {on / off:.4f} "
        f"({(on - off) / 1e6:+.1f} M) | control (empty plugin) {control / off:.4f}"
    )


def _line(label: str, figures: dict[str, tuple[float, float]]) -> str:
    (cpu_on, wall_on), (cpu_off, wall_off) = figures["mlops"], figures["none"]
    cpu_control = figures["control"][0]
    return (
        f"{label:<14} with mlops: CPU {cpu_on:.3f} s, wall {wall_on:.3f} s | -p no:mlops: CPU {cpu_off:.3f} s, "
        f"wall {wall_off:.3f} s | CPU ratio {cpu_on / cpu_off:.4f} ({(cpu_on - cpu_off) * 1000:+.0f} ms) | "
        f"control (empty plugin) {cpu_control / cpu_off:.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=2000, help="trivial tests in the big run (default 2000)")
    parser.add_argument("--repeats", type=int, default=7, help="counted rounds (default 7)")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions under valgrind's callgrind (one run per mode) instead of timing",
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="set PYTHONDONTWRITEBYTECODE=1: every run compiles the plugin's modules again (a fresh CI job)",
    )
    args = parser.parse_args()
    cache = not args.no_bytecode_cache
    mode = "cached (PYTHONPYCACHEPREFIX, filled by the first round)" if cache else "PYTHONDONTWRITEBYTECODE=1"
    print(f"byte code: {mode}")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="mlops-overhead-") as tmp:
        big, one = Path(tmp) / "many", Path(tmp) / "one"
        _write_tests(big, args.tests)
        _write_tests(one, 1)
        (Path(tmp) / f"{CONTROL}.py").write_text(
            '"""Does nothing: the benchmark\'s control."""\n\n\ndef pytest_configure(config):\n    pass\n',
            encoding="utf-8",
        )
        pycache = Path(tmp) / "pycache" if cache else None
        if args.instructions:
            if shutil.which("valgrind") is None:
                raise SystemExit("--instructions needs valgrind (Debian package valgrind)")
            many_counts, single_counts = _count(big, pycache), _count(one, pycache)
            print(_count_line(f"{args.tests} tests", many_counts))
            print(_count_line("1 test", single_counts))
            extra = (many_counts["mlops"] - many_counts["none"]) - (single_counts["mlops"] - single_counts["none"])
            print(f"per-test cost beyond start-up: {extra / max(args.tests - 1, 1):+,.0f} instructions per test")
            print(f"load average after: {os.getloadavg()[0]:.2f} (instruction counts do not depend on it)")
            return
        many = _measure(big, args.repeats, pycache)
        single = _measure(one, args.repeats, pycache)
    print(_line(f"{args.tests} tests", many))
    print(_line("1 test", single))
    per_test = ((many["mlops"][0] - many["none"][0]) - (single["mlops"][0] - single["none"][0])) / max(
        args.tests - 1, 1
    )
    print(f"per-test cost beyond start-up: {per_test * 1e6:+.1f} µs CPU per test")
    noise = abs(many["control"][0] / many["none"][0] - 1)
    print(f"noise: the control is {noise:.1%} off -p no:mlops; a smaller difference is not resolved")
    print(f"load average after: {os.getloadavg()[0]:.2f} (figures on a shared machine are noisy)")


if __name__ == "__main__":
    main()
