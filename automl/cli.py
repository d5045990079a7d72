"""The ``automl`` command: a thin layer that parses, calls the library and presents.

Only ``click`` is imported at start-up, so ``automl --help`` is instant; each
command imports what it needs.
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path
from typing import Any

import click

from .errors import AutoMLError, UserInputError

EXIT_FAILED = 1
EXIT_USAGE = 2
APPROACH = click.option("--approach", default="best", show_default=True, metavar="NAME",
                        help="best (the chosen model, refitted on all rows unless the run says not), blend, or an "
                             "approach the run trained, as the test rows scored it: classical, deep, ... "
                             "(gbm: classical).")
DROP_HELP = "Leave column COL out of the features (repeat for more), for example one that leaks the target."
GROUP_HELP = ("Keep the rows that share a value of column COL (a patient, a customer, a session) on one side of the "
              "test split and of every validation fold; COL is not a feature.")
ORDER_HELP = ("Rows are ordered in time by COL (dates or numbers): the latest are the test rows, and candidates are "
              "compared on the latest training rows, fitted on earlier ones. COL stays a feature unless dropped.")
WEIGHT_HELP = ("How much each row counts, from numeric column COL (0 or more): in every model's training and in "
               "every score, validation and test; COL is not a feature.")
ENCODING = click.option("--encoding", metavar="NAME",
                        help="How to read a table file that is not UTF-8: cp1252 (most files saved by Excel on "
                             "Windows), latin-1, shift_jis, ... (UTF-8 and UTF-16 files read as such whatever is "
                             "named).")
READ_ENCODING = click.option("--encoding", metavar="NAME",
                             help="How to read DATA if it is not UTF-8 (cp1252, latin-1, ...) [default: as the run "
                                  "read its own].")


def command_started(argv: list[str] | None = None) -> float:
    """The monotonic time this command started: the process's own start when the process is the command
    (``automl ...`` or ``python -m automl ...``), so Python's start-up and the imports count against its budget;
    now when it runs inside another program (a test's ``CliRunner``, a notebook) that started long before.

    >>> import time
    >>> command_started(["/usr/bin/pytest"]) >= time.monotonic() - 1.0
    True
    """
    from .budget import process_started

    argv = sys.argv if argv is None else argv
    program = Path(argv[0] if argv else "")
    own = program.stem in ("automl", "automl-script") or (program.name == "__main__.py"
                                                          and program.parent.name == "automl")
    return process_started() if own else time.monotonic()


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"automl: error: {message}", err=True)
    sys.exit(code)


JSON = click.option("--json", "as_json", is_flag=True,
                    help="Print one JSON document on stdout (for scripts) instead of text; progress goes to stderr.")


class _DataPath(click.Path):
    """A path to the data; a web or cloud address is the user's mistake, said in one line (``refuse_address``)."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        from .data import refuse_address

        refuse_address(value)
        return super().convert(value, param, ctx)


class _Group(click.Group):
    """Turns the user's mistakes into one line and exit code 2 (other known failures: exit code 1)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserInputError as exc:
            _fail(str(exc))
        except AutoMLError as exc:
            _fail(str(exc), EXIT_FAILED)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="automl", prog_name="automl")
def main() -> None:
    """Train classical models and deep networks on your data, and compare them honestly."""


SHOWN_COLUMNS = 40  # inspect lists this many columns of a wider table, then those with something to say


def shown_columns(columns: list[Any], limit: int | None) -> tuple[list[Any], str]:
    """The columns ``inspect`` lists: the first ``limit``, then up to ``limit`` later ones that are dropped, not
    an ordinary number, category, true/false or date column, or have a note; and a line counting the others by
    kind ("" when it lists them all, as with ``limit`` None).

    >>> from automl.data.columns import ColumnProfile
    >>> plain = [ColumnProfile(f"f{i}", "numeric", "float64", i % 2, 9, "numbers.") for i in range(5)]
    >>> odd = ColumnProfile("id", "identifier", "int64", 0, 5, "a row number; dropped.", used=False)
    >>> shown, rest = shown_columns([*plain, odd], 2)
    >>> [c.name for c in shown], rest
    (['f0', 'f1', 'id'], '... and 3 more numeric columns (1 with missing values); --all-columns lists each.')
    """
    if limit is None or len(columns) <= limit:
        return list(columns), ""
    told, others = [], []
    for c in columns[limit:]:
        notable = not c.used or c.kind not in ("numeric", "categorical", "boolean", "datetime") or c.notes
        (told if notable and len(told) < limit else others).append(c)
    if not others:
        return [*columns[:limit], *told], ""
    kinds: dict[str, int] = {}
    for c in others:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    if len(kinds) == 1:
        counted = f"{len(others):,} more {others[0].kind} columns"
    else:
        counted = f"{len(others):,} more columns: " + ", ".join(
            f"{n:,} {kind}" for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
    gaps = sum(1 for c in others if c.missing)
    missing = f" ({gaps:,} with missing values)" if gaps else ""
    return [*columns[:limit], *told], f"... and {counted}{missing}; --all-columns lists each."


@main.command()
@click.argument("data", type=_DataPath(path_type=Path))
@click.option("--target", help="Target column (default: target/label/class/y, else the last column).")
@click.option("--task", type=click.Choice(["auto", "binary", "multiclass", "regression"]), default="auto",
              show_default=True)
@click.option("--budget", default="10m", show_default=True, help="Wall-clock budget: 90s, 10m, 1h or seconds.")
@click.option("--drop", multiple=True, metavar="COL", help=DROP_HELP)
@click.option("--group", metavar="COL", help=GROUP_HELP)
@click.option("--order", metavar="COL", help=ORDER_HELP)
@click.option("--weight", metavar="COL", help=WEIGHT_HELP)
@click.option("--dask", default="auto", show_default=True, metavar="auto|local|off|ADDRESS",
              help="As for fit: when a table is read in pieces for Dask.")
@click.option("--memory", metavar="SIZE", help="As for fit: the memory the run may use [default: what is free].")
@click.option("--all-columns", is_flag=True,
              help=f"List every column (of a table of more than {SHOWN_COLUMNS}: the first ones, every later one "
                   "with something to say, and the others counted by kind).")
@ENCODING
@JSON
def inspect(data: Path, target: str | None, task: str, budget: str, drop: tuple[str, ...], group: str | None,
            order: str | None, weight: str | None, dask: str, memory: str | None, all_columns: bool,
            encoding: str | None, as_json: bool) -> None:
    """Profile DATA and show the plan, without training anything."""
    from .budget import parse_budget
    from .data import load
    from .data.encoding import checked
    from .data.large import dask_setting
    from .data.memory import parse_size
    from .data.profile import inspect_dataset
    from .hardware import detect
    from .run.plan import cpu_backends, make_plan

    seconds = parse_budget(budget)
    dataset = load(data, memory=parse_size(memory), dask=dask_setting(dask), encoding=checked(encoding))
    profile = inspect_dataset(dataset, target, task, drop=list(drop), group=group, order=order, weight=weight)
    plan = make_plan(profile, seconds, detect(cpu=cpu_backends(profile, seconds)))
    if as_json:
        _print_json({"data": str(data), "name": dataset.name, "profile": profile.to_dict(), "plan": plan.to_dict()})
        return
    size = (f"{profile.n_bytes / 2**20:.1f} MB to read whole, {len(dataset.frame):,} rows held in memory"
            if profile.large else f"{profile.n_bytes / 2**20:.1f} MB in memory")
    click.echo(f"{dataset.name}: {profile.n_rows:,} rows x {profile.n_columns:,} columns, "
               f"{size}; {profile.modality} data, {profile.task}.")
    click.echo("")
    shown, rest = shown_columns(profile.columns, None if all_columns else SHOWN_COLUMNS)
    width = max(len(c.name) for c in shown)
    click.echo(f"  {'column':<{width}}  {'kind':<11} {'missing':>7} {'distinct':>8}  note")
    for c in shown:
        mark = "" if c.used or "dropped" in c.reason or c.kind in ("group", "weight") else " (dropped)"
        click.echo(f"  {c.name:<{width}}  {c.kind:<11} {c.missing:>7} {c.unique:>8}  {c.reason}{mark}")
    if rest:
        click.echo(f"  {rest}")
    if profile.class_counts:
        counts = ", ".join(f"{k}: {v}" for k, v in list(profile.class_counts.items())[:20])
        click.echo(f"\nclasses: {counts}")
    for w in profile.warnings:
        click.echo(f"note: {w}")
    click.echo("\nplan:")
    for reason in plan.reasons + plan.skipped:
        click.echo(f"  - {reason}")


@main.command()
@click.argument("data", type=_DataPath(path_type=Path), required=False)
@click.option("--target", help="Target column (default: target/label/class/y, else the last column).")
@click.option("--budget", default=None, help="Wall-clock budget: 90s, 10m, 1h or seconds [default: 10m; with "
                                             "--resume, what the run has left].")
@click.option("--task", type=click.Choice(["auto", "binary", "multiclass", "regression"]), default="auto",
              show_default=True)
@click.option("--metric", help="Metric the search optimises (default: accuracy, or rmse for regression).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("runs"), show_default=True,
              help="Folder for run directories.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--no-compare", is_flag=True, help="Run only the primary approach.")
@click.option("--no-refit", is_flag=True,
              help="Keep the chosen model as the test rows scored it instead of refitting it on all rows.")
@click.option("--device", type=click.Choice(["auto", "cpu", "gpu"]), default="auto", show_default=True)
@click.option("--max-trials", type=click.IntRange(min=1), help="Cap on trials per approach.")
@click.option("--max-epochs", type=click.IntRange(min=1), help="Cap on epochs per network trial (quick checks).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the result.")
@click.option("--price", metavar="cpu=USD,gpu=USD",
              help="Prices for the report's money figures: USD per CPU core-hour and per GPU-hour "
                   "[default: ./automl.toml, ~/.config/automl/config.toml, else built-in list prices].")
@click.option("--resume", type=click.Path(path_type=Path), metavar="RUN",
              help="Continue RUN in place (interrupted, failed or finished) with the same data, split and seed; "
                   "DATA may be left out. A finished run needs --budget to search further.")
@click.option("--drop", multiple=True, metavar="COL", help=DROP_HELP)
@click.option("--group", metavar="COL", help=GROUP_HELP)
@click.option("--order", metavar="COL", help=ORDER_HELP)
@click.option("--weight", metavar="COL", help=WEIGHT_HELP)
@click.option("--workers", type=click.IntRange(min=0), default=0, metavar="N",
              help="Run each network search's trials on N worker processes (Keras Tuner's distributed mode); "
                   "this process is their chief.")
@click.option("--listen", default="127.0.0.1:0", show_default=True, metavar="HOST:PORT",
              help="Where the chief serves its workers (port 0: any free one); an address other machines reach "
                   "lets `automl worker` join from them.")
@click.option("--dask", default="auto", show_default=True, metavar="auto|local|off|ADDRESS",
              help="A table too large for memory trains gradient boosting on Dask (the distributed extra): on a "
                   "local cluster (auto: only when needed; local: always), on the scheduler at ADDRESS "
                   "(tcp://HOST:8786), or not at all (off: such a table is refused).")
@click.option("--memory", metavar="SIZE", help="Memory this run may use, such as 8GB [default: what is free].")
@ENCODING
@JSON
@click.pass_context
def fit(ctx: click.Context, data: Path | None, target, budget, task, metric, out, seed, no_compare, no_refit, device,
        max_trials, max_epochs, quiet, price, resume, drop, group, order, weight, workers, listen, dask, memory,
        encoding, as_json) -> None:
    """Train on DATA within the budget and write a run directory with a report.

    \b
    automl fit data/wine.csv --budget 2m
    automl fit --resume runs/wine-20260101-120000             # finish a stopped run
    automl fit --resume runs/wine-20260101-120000 --budget 5m # search a finished one further
    """
    from .api import DEFAULT_BUDGET, AutoML
    from .budget import parse_budget
    from .progress import ProgressPrinter
    from .run.results import quiet as silent
    from .run.stops import exit_code, signal_name, stops_as_interrupts

    started = command_started()
    if resume is not None:
        _check_resume_options(ctx)
        shown_budget = budget or _resume_budget(resume)
        what = f"--resume {resume}" + (f" on {data}" if data else "")
    elif data is None:
        raise click.UsageError("give DATA to train on, or --resume RUN to continue a run.")
    else:
        shown_budget, what = budget or DEFAULT_BUDGET, str(data)
    stream = sys.stderr if as_json else sys.stdout  # --json: stdout holds the JSON document alone
    if not quiet:
        note = "" if budget else (" (what the run has left; set --budget to change it)" if resume else
                                  " (the default; set --budget to change it)")
        click.echo(f"automl fit {what}: budget {shown_budget}{note}" + ("" if resume else f", seed {seed}"),
                   err=as_json)
    listener = silent if quiet else ProgressPrinter(stream, live=stream.isatty(), budget=parse_budget(shown_budget),
                                                    started=started)
    model = AutoML(budget=shown_budget, target=target, task=task, metric=metric, out=out, seed=seed,
                   compare=not no_compare, refit=not no_refit, device=device, max_trials=max_trials,
                   max_epochs=max_epochs, price=price, drop=list(drop), workers=workers, listen=listen,
                   dask=dask, memory=memory, group=group, order=order, weight=weight, encoding=encoding)
    try:
        with stops_as_interrupts():
            model.fit(data, listener=listener, command=" ".join(["automl"] + sys.argv[1:]), resume=resume,
                      started=started)
    except KeyboardInterrupt as stop:
        run_dir = getattr(stop, "run_dir", None)
        kept = (f"; {run_dir} is marked interrupted and keeps the best model so far. Continue it with: "
                f"automl fit --resume {run_dir}") if run_dir else "; no run directory was written yet."
        click.echo(f"\nautoml: stopped by {signal_name(stop)}{kept}", err=True)
        sys.exit(exit_code(stop))
    _present_fit(model, time.monotonic() - started, as_json)


def _present_fit(model, seconds: float, as_json: bool) -> None:
    """What ``fit`` shows once the run is written: the verdict wrapped to the terminal, the leaderboard as a
    table that fits it, and where things are; with ``--json``, the same as one JSON document."""
    import json

    from .report.gain import gain_text
    from .terminal import leaderboard, width, wrap

    board = model.leaderboard_
    report = model.run_dir_ / "report.json"
    written = json.loads(report.read_text(encoding="utf-8")) if report.is_file() else {}
    comparison = written.get("comparison")
    refitted = (f", then refitted on all {model.deployed_['rows']:,} rows" if model.deployed_.get("refitted")
                else "")
    why = ((written.get("selection") or {}).get("choice") or {}).get("why")
    if as_json:
        _print_json({"run_dir": str(model.run_dir_), "report": str(model.report_path_),
                     "best_approach": model.best_approach_,
                     "choice": (written.get("selection") or {}).get("choice"), "metric": model.plan_.metric,
                     "verdict": model.verdict_, "comparison": comparison, "leaderboard": board.to_dict("records"),
                     "refitted": bool(model.deployed_.get("refitted")), "total_seconds": round(seconds, 2)})
        return
    click.echo("")
    click.echo(wrap(model.verdict_))
    whisker = gain_text(comparison, width(), written.get("approaches"))
    if whisker:
        click.echo("")
        click.echo(whisker)
    click.echo("")
    click.echo(leaderboard(board, model.plan_.metric, best=model.best_approach_))
    click.echo("")
    click.echo(wrap(f"* used by predict: {model.best_approach_} (chosen on validation; the test rows only score it"
                    f"{refitted}){_decided(model.decisions_.get(model.best_approach_))}"
                    + (f". {why[:1].upper()}{why[1:]}." if why else "")))
    weight = getattr(model.profile_, "weight", None)
    if weight:
        click.echo(wrap(f"Every score above is weighted by {weight!r} (--weight): a row counts as much as its weight."))
    click.echo(f"run directory: {model.run_dir_}")
    click.echo(f"report: {model.report_path_}")
    click.echo(f"total time: {seconds:.1f}s")


def _decided(rule: dict | None) -> str:
    """What the summary adds when the model used predicts by a decision ``rule`` (``AutoML.decisions_``), else
    nothing."""
    from .metrics import LABELS

    if not rule:
        return ""
    return (f"; its classes follow a rule chosen on validation for {LABELS[rule['metric']]} ({rule['before']:.3f} "
            f"for the most probable class, {rule['after']:.3f} with it; the report's notes say how)")


def _print_json(document: dict) -> None:
    """One JSON document on stdout; NaN (a missing score in a table) written as null."""
    import json
    import math

    def clean(value):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {str(k): clean(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v) for v in value]
        if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):  # a numpy scalar
            return clean(value.item())
        if hasattr(value, "tolist"):  # a numpy array
            return clean(value.tolist())
        return value

    click.echo(json.dumps(clean(document), indent=2, default=str, allow_nan=False))


KEPT_ON_RESUME = ("target", "task", "metric", "seed", "no_compare", "no_refit", "max_trials", "max_epochs", "drop",
                  "group", "order", "weight")


def _check_resume_options(ctx: click.Context) -> None:
    """A resume keeps the run's own target, task, metric, seed and approaches: asking for others is an error."""
    from click.core import ParameterSource

    from .errors import ConfigError

    given = [name for name in KEPT_ON_RESUME if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE]
    if given:
        shown = ", ".join("--" + name.replace("_", "-") for name in given)
        raise ConfigError(f"{shown} cannot change on --resume: a resumed run keeps its own target, task, metric, "
                          "seed, dropped, group, order and weight columns and approaches. Leave them out, or start a "
                          "new run without --resume.")


def _resume_budget(run: Path) -> str:
    """What a resumed run has left of its budget, in seconds; a ``BudgetError`` naming the fix when nothing."""
    from .budget import MIN_BUDGET_SECONDS
    from .errors import BudgetError
    from .run.resume import budget_left, resumable, seconds_seen
    from .run.rundir import RunDir

    record = resumable(run)
    seen = seconds_seen(RunDir(run).read_jsonl("trials.jsonl"))
    left = budget_left(record, seen)
    if left < MIN_BUDGET_SECONDS:
        done = "finished" if record.get("status") == "complete" else f"used {seen or record.get('total_seconds')}s"
        raise BudgetError(f"{run} has {done} of its {record.get('budget_seconds')}s budget; give --budget to "
                          f"continue it, for example: automl fit --resume {run} --budget 2m")
    return f"{left:.0f}"


@main.command()
@click.argument("run", type=click.Path(path_type=Path))
@click.argument("data", type=_DataPath(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write predictions to this file; missing folders on its path are created (default: stdout).")
@click.option("--id", "id_column", metavar="COL",
              help="Carry this column of DATA through as the first column, to match predictions to rows "
                   "(files always lead with their path).")
@click.option("--stream", is_flag=True,
              help="Read a table file piece by piece and write predictions as they come (automatic for a file "
                   "that would need more than 1 GB, or a quarter of free memory, to read whole).")
@APPROACH
@READ_ENCODING
def predict(run: Path, data: Path, output: Path | None, id_column: str | None, approach: str, stream: bool,
            encoding: str | None) -> None:
    """Predict DATA with the model saved in RUN."""
    from .data import available_memory
    from .predictor import load, streams
    from .run.rundir import atomic_write_text

    if output is not None:
        _check_output(output, run, data)
    if stream or streams(data, available_memory()):
        _predict_streamed(_with_encoding(load(run, approach), encoding), data, output, id_column)
        return
    table = _read_first(run, data, encoding)
    predictor = load(run, approach)
    frame, notes = predictor.predict_frame(table, id_column=id_column)
    for note in notes:
        click.echo(f"automl: note: {note}", err=True)
    text = frame.to_csv(index=False)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text)
        refitted = ", refitted on all rows" if predictor.refitted else ""
        click.echo(f"wrote {len(frame):,} predictions ({predictor.approach}{refitted}) to {output}", err=True)


def _predict_streamed(predictor: Any, data: Path, output: Path | None, id_column: str | None) -> None:
    """Predict ``data`` piece by piece, each piece's rows written as soon as they are predicted: to stdout, or to
    ``output`` through a ``.partial`` file beside it that takes its name only once every row is written (a stop
    leaves no half-written predictions under that name)."""
    import os

    from .run.rundir import raise_if_full

    partial = None if output is None else output.with_name(output.name + ".partial")
    if partial is not None:
        partial.parent.mkdir(parents=True, exist_ok=True)
    shown, rows = set(), 0
    try:
        with (open(partial, "w", encoding="utf-8", newline="") if partial else contextlib.nullcontext()) as fh:
            for frame, notes in predictor.predict_pieces(data, id_column=id_column):
                for note in (n for n in notes if n not in shown):
                    shown.add(note)
                    click.echo(f"automl: note: {note}", err=True)
                text = frame.to_csv(index=False, header=rows == 0)
                rows += len(frame)
                if fh is None:
                    click.echo(text, nl=False)
                else:
                    fh.write(text)
        if partial is not None:
            os.replace(partial, output)
    except OSError as exc:
        raise_if_full(exc, partial or Path("."))
        raise
    finally:
        if partial is not None and partial.exists():
            partial.unlink()
    if output is not None:
        refitted = ", refitted on all rows" if predictor.refitted else ""
        click.echo(f"wrote {rows:,} predictions ({predictor.approach}{refitted}) to {output}, streamed piece by "
                   "piece", err=True)


def _read_first(run: Path, data: Path, encoding: str | None = None) -> Any:
    """``data`` read whole, after ``run`` is checked to be a run directory and before its model loads (seconds,
    a network's backend imported), so a bad run or a bad data file is its one-line error at once. ``encoding``:
    the one given for a file that is not UTF-8, else the run's own."""
    from .data.encoding import checked
    from .predictor import decimal_commas, read_whole, saved_encoding
    from .run import integrity

    record = integrity.read_record(run)
    return read_whole(data, decimal_commas(record), checked(encoding) or saved_encoding(record))


def _with_encoding(predictor: Any, encoding: str | None) -> Any:
    """``predictor`` reading files that are not UTF-8 in ``encoding`` when one is given (else in the run's own)."""
    from .data.encoding import checked

    predictor.encoding = checked(encoding) or predictor.encoding
    return predictor


def _check_output(output: Path, run: Path | None = None, data: Path | None = None) -> None:
    """``-o`` must name a file: an existing folder, or a file where a folder on its path should be, is an error
    before anything is predicted; folders on its path that do not exist yet are created when it is written. Nor
    may it overwrite the data being predicted (``data``) or a file of the run (``run``): predictions written over
    ``run.json`` left the run unreadable.

    >>> _check_output(Path("."))
    Traceback (most recent call last):
    automl.errors.ConfigError: `-o` must be a file path ... not a folder. Received: -o='.'. Give ... predictions.csv.
    """
    from .errors import ConfigError, invalid

    kept = ("it is the data being predicted, which it would overwrite" if data is not None and output.exists()
            and output.resolve() == data.resolve() else
            f"it is a file of the run {str(run)!r}, which it would overwrite" if run is not None and output.is_file()
            and run.resolve() in output.resolve().parents else "")
    if kept:
        raise ConfigError(invalid("-o", "a new file or one of your own to replace", str(output),
                                  f"{kept[0].upper()}{kept[1:]}; choose another path, such as predictions.csv."))
    if output.is_dir():
        raise ConfigError(invalid("-o", "a file path for the predictions, not a folder", str(output),
                                  f"Give a file path such as {output / 'predictions.csv'}."))
    blocking = next((p for p in output.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise ConfigError(invalid("-o", "a file path inside a folder", str(output),
                                  f"{blocking} is a file, not a folder; choose another path."))


@main.command()
@click.argument("run", type=click.Path(path_type=Path))
@click.argument("data", type=_DataPath(path_type=Path))
@APPROACH
@READ_ENCODING
@JSON
def evaluate(run: Path, data: Path, approach: str, encoding: str | None, as_json: bool) -> None:
    """Score the model saved in RUN on labelled DATA."""
    from .predictor import load

    table = _read_first(run, data, encoding)
    predictor = load(run, approach)
    scores, notes = predictor.evaluate(table)
    if predictor.refitted:
        notes.append(f"this is the {predictor.approach} model refitted on all the run's rows, its test rows included, "
                     "so scores on those rows are not held-out; --approach NAME gives the model they scored.")
    if as_json:
        _print_json({"run": str(run), "data": str(data), "approach": predictor.approach,
                     "refitted": predictor.refitted, "scores": scores, "notes": notes})
        return
    for note in notes:
        click.echo(f"automl: note: {note}", err=True)
    click.echo(f"{predictor.approach} model on {data}:")
    for name, value in scores.items():
        click.echo(f"  {name:<18} {'n/a' if value is None else f'{value:.4f}'}")


@main.command()
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--chief", required=True, metavar="HOST:PORT", help="The chief's address (`automl fit --workers N "
                                                                  "--listen HOST:PORT` on its machine).")
@click.option("--approach", metavar="NAME", help="The search to join (default: the one running in RUN).")
@click.option("--name", metavar="NAME", help="This worker's name in the run's trials (default: HOST-PID).")
@click.option("--wait", default="10m", show_default=True,
              help="How long to wait for the run to start a network search.")
def worker(run: Path, chief: str, approach: str | None, name: str | None, wait: str) -> None:
    """Join the network search of RUN (a run directory on a shared file system) as a worker of its chief.

    \b
    automl fit data/images --workers 2 --listen 0.0.0.0:8470       # on the chief's machine
    automl worker runs/images-20260101-120000 --chief chief-host:8470  # on another machine
    """
    import os
    import socket

    from .budget import parse_budget
    from .run.workers import join

    name = name or f"{socket.gethostname()}-{os.getpid()}"
    did = join(run, chief, name, approach, parse_budget(wait))
    click.echo(f"{did['name']}: ran {did['trials']} trial(s) of {did['approach']} in {did['seconds']:.0f}s, until "
               f"{did['ended']}; the chief records them in the run.")


@main.command()
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "formats", type=click.Choice(["html", "md", "json"]), multiple=True,
              help="Formats to write (default: all three).")
@click.option("--price", metavar="cpu=USD,gpu=USD",
              help="Re-price the run: USD per CPU core-hour and per GPU-hour (keys not given keep the run's).")
@click.option("--out", type=click.Path(path_type=Path),
              help="Folder for the report files (default: the run directory; for several runs: ./comparison).")
def report(runs: tuple[Path, ...], formats: tuple[str, ...], price: str | None, out: Path | None) -> None:
    """Render the report of RUN again, or compare RUN1 RUN2 ... in one report (datasets as rows).

    \b
    automl report runs/wine-20260101-120000
    automl report runs/wine-* runs/adult-* --out comparison --price cpu=0.05,gpu=2.5
    """
    from .prices import parse_price
    from .report import FORMATS, write_comparison, write_reports
    from .run.integrity import run_json

    for run in runs:
        run_json(run)  # ConfigError when RUN is no run directory; DamagedRunError when it lost its run.json
    if price is not None:
        parse_price(price)  # a malformed --price fails here, before anything is written
    if len(runs) == 1:
        written = write_reports(runs[0], formats or FORMATS, price=price, out=out)
    else:
        written = write_comparison(list(runs), out or Path("comparison"), formats or FORMATS, price=price)
    for path in written:
        click.echo(str(path))
