"""Mutation testing, module by module: is the suite able to tell a bug from the right code?

mutmut plants one small change at a time (an operator, a constant, a
comparison, a dropped argument) in a function and runs the tests that cover
that function; a change no test notices *survives*. This script runs mutmut
for each core module with a fast test selection (no real model), each in its
own scratch copy under ``bench/.mutation/<target>/`` (gitignored), and prints
killed / survived / score per module.

    .venv/bin/python bench/mutation.py normalize diff report   # a few minutes each on 2 cores
    .venv/bin/python bench/mutation.py --list                  # the targets and their tests
    .venv/bin/python bench/mutation.py report --survivors      # also print every surviving mutant's diff
    .venv/bin/python bench/mutation.py align --functions _rival,_Idf.dice   # only these functions
    .venv/bin/python bench/mutation.py flags/numbers           # one module of the flags package
    .venv/bin/python bench/mutation.py flags/numbers --survivors --recheck before.txt  # only before.txt's survivors

``--functions`` narrows one target to some of its functions (methods as
``Class.method``): a module with thousands of mutants is then improved
function by function, each run in a minute or two instead of twenty. Its
figures are that subset's, not the module's score.

score = (killed + timeout) / (killed + timeout + survived + no tests). A
mutant nobody can observe (an *equivalent* mutant) counts as survived here;
bench/README.md lists the ones judged equivalent and why. Targets run one at a
time (CPU is shared); ``--max-children`` sets mutmut's parallelism.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "bench" / ".mutation"


@dataclass(frozen=True)
class Target:
    source: str  # file under the repository, e.g. "driftlab/diff.py"
    tests: tuple[str, ...]  # the fast test selection that should kill its mutants
    functions: tuple[str, ...] = ()  # only these top-level functions ("" = the whole module)
    exclude: dict[str, str] = field(default_factory=dict)  # function -> why its mutants are not counted
    note: str = ""


#: module → the tests that exercise it.
TARGETS: dict[str, Target] = {
    "normalize": Target(
        "driftlab/normalize.py",
        ("tests/test_normalize.py", "tests/test_diff.py"),
        exclude={
            "_load_spelling": "called once at import, before mutmut activates a mutant: no test can observe its mutants",
        },
    ),
    "diff": Target("driftlab/diff.py", ("tests/test_diff.py", "tests/test_mutants.py")),
    "report": Target(
        "driftlab/report.py",
        ("tests/test_report.py", "tests/test_report_cells.py", "tests/test_mutants.py"),
        # The escaping, CSV and link-scheme code: what stands between
        # untrusted statement text and a browser or a spreadsheet.
        functions=("_http_href", "to_csv", "flags_frame", "_join", "_where", "_flag_href", "_csp_hash"),
        note="escaping / CSV / link-scheme functions only",
    ),
    "align": Target(
        "driftlab/align.py",
        ("tests/test_align.py", "tests/test_mutants.py"),
    ),
    # One row per module of the package (``flags/actors`` … runs one of them).
    # Every test that calls compute_flags without the real model: the rule
    # modules share the sentence view, and a module's mutants are killed by
    # whichever rule test notices them.
    "flags": Target(
        "driftlab/flags",
        ("tests/test_flags.py", "tests/test_flags_noise.py", "tests/test_mutants.py",
         "tests/test_changes.py", "tests/test_qa_defects.py", "tests/test_flags_actors.py",
         "tests/test_flags_intensity.py", "tests/test_flags_ranking.py",
         "tests/test_flags_sentences.py",  # the sentence view: pairing, quotes
         ),
    ),
    "changes": Target(
        "driftlab/changes.py",
        ("tests/test_changes.py", "tests/test_report.py", "tests/test_mutants.py",
         "tests/test_changes_evidence.py",  # headlines, pieces, score components, overview
         "tests/test_changes_headlines.py",  # party roll-calls, topic labels, quote starts
         "tests/test_changes_restated.py",  # restatements, voice, spelled-out names, breadth
         "tests/test_changes_parts.py",  # parts lifted out of a large group
         ),
    ),
}

#: The fast selection: no real model, not the alignment memory-scaling test
#: (it aligns 5,000 paragraphs under tracemalloc: a minute and a half per
#: mutant), nor the symlinked-output test of test_qa_defects.py (18 s of CLI
#: runs, none of it flag logic). (The suite has no timed tests: timings are
#: in bench/.)
PYTEST_ARGS = ["-p", "no:cacheprovider", "-m", "not real_model", "-q",
               "-k", "not memory_grows_with_the_text and not symlinked_output_is_written_through"]


def expand(name: str, target: Target) -> list[tuple[str, str]]:
    """(row label, source file) pairs: the flags package gives one row per module."""
    path = ROOT / target.source
    if path.is_dir():
        return [(f"{name}/{p.stem}", str(p.relative_to(ROOT))) for p in sorted(path.glob("*.py"))]
    if path.suffix != ".py" and path.with_suffix(".py").exists():
        return [(name, target.source + ".py")]
    return [(name, target.source)]


def dotted(source: str) -> str:
    return source[: -len(".py")].replace("/", ".").removesuffix(".__init__")


def top_level_functions(source: str) -> list[str]:
    tree = ast.parse((ROOT / source).read_text(encoding="utf-8"))
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def methods(source: str) -> list[str]:
    """``Class.method`` for the methods of the module's top-level classes."""
    tree = ast.parse((ROOT / source).read_text(encoding="utf-8"))
    return [f"{c.name}.{n.name}" for c in tree.body if isinstance(c, ast.ClassDef)
            for n in c.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def mutant_globs(source: str, target: Target) -> list[str]:
    """mutmut name patterns for the functions to mutate (``x_`` + name; methods are ``xǁClassǁname``)."""
    mod = dotted(source)
    if not target.functions and not target.exclude:
        return [f"{mod}.*"]
    names = target.functions or [f for f in top_level_functions(source) if f not in target.exclude]
    # mutmut names a function's mutants x_<name>__mutmut_<n>, a method's xǁ<Class>ǁ<name>__mutmut_<n>.
    globs = [f"{mod}.xǁ{f.replace('.', 'ǁ')}__mutmut_*" if "." in f else f"{mod}.x_{f}__mutmut_*"
             for f in names]
    if not target.functions:
        globs.append(f"{mod}.xǁ*")
    return globs


def mutmut_config(source: str, tests: tuple[str, ...]) -> str:
    def toml_list(items) -> str:
        return "[" + ", ".join(f'"{i}"' for i in items) + "]"

    return (
        "\n[tool.mutmut]\n"
        'source_paths = ["driftlab/"]\n'
        f"only_mutate = {toml_list([source])}\n"
        f"pytest_add_cli_args = {toml_list(PYTEST_ARGS)}\n"
        f"pytest_add_cli_args_test_selection = {toml_list(tests)}\n"
        # The invented statements of corpus/ (the Bank of Arden pair) are read by flag tests.
        'also_copy = ["corpus/"]\n'
    )


def prepare(label: str, source: str, target: Target) -> Path:
    """A scratch copy of the package and tests with this target's mutmut settings."""
    work = SCRATCH / label.replace("/", "-")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    shutil.copytree(ROOT / "driftlab", work / "driftlab", ignore=ignore)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
    shutil.copytree(ROOT / "corpus", work / "corpus", ignore=ignore)
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pyproject = re.sub(r"\n\[tool\.mutmut\]\n(?:(?!\n\[).)*", "", pyproject, flags=re.S)
    (work / "pyproject.toml").write_text(pyproject + mutmut_config(source, target.tests), encoding="utf-8")
    # mutmut runs the tests from work/mutants/, so tests look for ../shared in work/.
    shared = ROOT.parent / "shared"
    if shared.exists():
        (work / "shared").symlink_to(shared)
    return work


def run_mutmut(work: Path, globs: list[str], max_children: int) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI",)}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["DRIFTLAB_MUTATION"] = "1"  # tests/conftest.py caps property-test examples
    cmd = [sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children), *globs]
    with open(work / "mutmut.log", "w", encoding="utf-8") as log:
        proc = subprocess.run(cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    return proc.returncode, (work / "mutmut.log").read_text(encoding="utf-8", errors="replace")


def statuses(work: Path, source: str, target: Target) -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        cwd=work, capture_output=True, text=True, check=True,
    ).stdout
    mod = dotted(source)
    keep = set(target.functions)
    got = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+): (.+)$", line)
        if not m or not m.group(1).startswith(mod + "."):
            continue
        name, status = m.groups()
        fn = re.match(rf"{re.escape(mod)}\.x(?:_|ǁ)(.+?)__mutmut_\d+$", name)
        fn_name = fn.group(1).replace("ǁ", ".") if fn else ""  # "Class.method" for a method
        if fn_name in target.exclude or (keep and fn_name not in keep):
            continue
        got[name] = status.strip()
    return got


def survivors_of(output: Path, label: str, source: str) -> tuple[list[str], int, int] | None:
    """The surviving mutants of ``source`` in a saved ``--survivors`` output,
    with that run's mutant count and killed count (None if it has no row for ``label``)."""
    text = output.read_text(encoding="utf-8")
    row = re.search(rf"(?m)^{re.escape(label)}\s+(\d+)\s+(\d+)\s", text)
    if not row:
        return None
    prefix = dotted(source) + "."
    names = [m for m in re.findall(r"(?m)^--- (?:survived|no tests): (\S+)$", text) if m.startswith(prefix)]
    return names, int(row.group(1)), int(row.group(2))


def score_line(label: str, counts: dict[str, int], seconds: float, note: str) -> str:
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    survived = counts.get("survived", 0)
    no_tests = counts.get("no tests", 0)
    total = killed + survived + no_tests
    score = f"{killed / total:.1%}" if total else "—"
    other = sum(v for k, v in counts.items() if k not in ("killed", "timeout", "survived", "no tests"))
    return (f"{label:<16} {total:>7} {killed:>7} {survived:>9} {no_tests:>9} {other:>6} {score:>7} "
            f"{seconds:>7.0f}s  {note}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("targets", nargs="*", help=f"targets to run (default: all): {', '.join(TARGETS)}; or one row of --list, e.g. flags/numbers")
    ap.add_argument("--max-children", type=int, default=2, help="mutants tested in parallel (default 2)")
    ap.add_argument("--survivors", action="store_true", help="print the diff of every surviving mutant")
    ap.add_argument("--list", action="store_true", help="print the targets and their tests, run nothing")
    ap.add_argument("--functions", metavar="F1,F2",
                    help="mutate only these functions of the one target given (methods as Class.method)")
    ap.add_argument("--recheck", metavar="OUTPUT", type=Path,
                    help="run only the mutants that survived in OUTPUT (a saved --survivors run of the same "
                         "source) and report the module's score with them re-tested")
    args = ap.parse_args(argv)
    rows = {label: name for name, t in TARGETS.items() for label, _ in expand(name, t)}
    unknown = [t for t in args.targets if t not in TARGETS and t not in rows]
    if unknown:
        ap.error(f"unknown target(s) {unknown}; choose from {list(TARGETS)} or one row of --list")
    # A target name runs all its rows; a row label ("flags/actors") runs that row alone.
    wanted = set(args.targets)
    chosen = list(dict.fromkeys(rows.get(t, t) for t in args.targets)) or list(TARGETS)

    def selected(name: str, label: str) -> bool:
        return not wanted or name in wanted or label in wanted

    targets = dict(TARGETS)
    if args.functions:
        if len(chosen) != 1 or (ROOT / TARGETS[chosen[0]].source).is_dir():
            ap.error("--functions needs exactly one target that is a single module")
        name = chosen[0]
        only = tuple(f.strip() for f in args.functions.split(",") if f.strip())
        known = set(top_level_functions(targets[name].source)) | set(methods(targets[name].source))
        missing = [f for f in only if f not in known]
        if missing:
            ap.error(f"{targets[name].source} has no function(s) {missing}")
        targets[name] = replace(targets[name], functions=only, note=f"only {', '.join(only)}")
    if args.list:
        for name in chosen:
            t = targets[name]
            for label, source in expand(name, t):
                if not selected(name, label):
                    continue
                print(f"{label}: {source} [{', '.join(t.functions) or 'whole module'}] ← {' '.join(t.tests)}"
                      + (f"  ({t.note})" if t.note else ""))
                for fn, why in t.exclude.items():
                    print(f"    not counted: {fn}: {why}")
        return 0
    try:
        import mutmut  # noqa: F401
    except ImportError:
        print("mutmut is not installed: .venv/bin/python -m pip install -e '.[test]'", file=sys.stderr)
        return 2

    print(f"{'target':<16} {'mutants':>7} {'killed':>7} {'survived':>9} {'no tests':>9} {'other':>6} {'score':>7} {'time':>8}")
    failed = False
    for name in chosen:
        target = targets[name]
        for label, source in expand(name, target):
            if not selected(name, label):
                continue
            t0 = time.perf_counter()
            work = prepare(label, source, target)
            previous = survivors_of(args.recheck, label, source) if args.recheck else None
            if previous is not None and not previous[0]:
                print(f"{label:<16} {args.recheck} lists no survivor of {source}")
                continue
            globs = previous[0] if previous else mutant_globs(source, target)
            code, log = run_mutmut(work, globs, args.max_children)
            if code != 0:
                failed = True
                print(f"{label:<16} mutmut failed (exit {code}); last lines of {work / 'mutmut.log'}:")
                print("\n".join(log.replace("\r", "\n").splitlines()[-15:]))
                continue
            got = statuses(work, source, target)
            note = target.note
            if previous:
                # Only the old survivors ran; every other mutant was killed
                # before, and an added test cannot revive it (same source).
                names, total, killed_before = previous
                got = {m: st for m, st in got.items() if m in names}
                note = f"rechecked the {len(names)} survivors of {args.recheck.name}"
            counts: dict[str, int] = {}
            for status in got.values():
                counts[status] = counts.get(status, 0) + 1
            if previous:
                counts["killed"] = counts.get("killed", 0) + killed_before
                counts["not re-run"] = total - sum(counts.values())
            print(score_line(label, counts, time.perf_counter() - t0, note), flush=True)
            if args.survivors:
                for mutant, status in sorted(got.items()):
                    if status in ("survived", "no tests"):
                        diff = subprocess.run([sys.executable, "-m", "mutmut", "show", mutant], cwd=work,
                                              capture_output=True, text=True).stdout
                        print(f"--- {status}: {mutant}\n{diff}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
