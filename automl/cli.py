"""The ``automl`` command: a thin layer that parses, calls the library and presents.

Only ``click`` is imported at start-up, so ``automl --help`` is instant; each
command imports what it needs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .errors import AutoMLError, UserInputError

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
APPROACH = click.option("--approach", default="best", show_default=True, metavar="NAME",
                        help="best (the chosen model, refitted on all rows unless the run says not), blend, or an "
                             "approach the run trained, as the test rows scored it: classical, deep, ... "
                             "(gbm: classical).")


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"automl: error: {message}", err=True)
    sys.exit(code)


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


@main.command()
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--target", help="Target column (default: target/label/class/y, else the last column).")
@click.option("--task", type=click.Choice(["auto", "binary", "multiclass", "regression"]), default="auto",
              show_default=True)
@click.option("--budget", default="10m", show_default=True, help="Wall-clock budget: 90s, 10m, 1h or seconds.")
def inspect(data: Path, target: str | None, task: str, budget: str) -> None:
    """Profile DATA and show the plan, without training anything."""
    from .budget import parse_budget
    from .data import load
    from .data.profile import inspect_dataset
    from .hardware import detect
    from .run.plan import make_plan

    seconds = parse_budget(budget)
    dataset = load(data)
    profile = inspect_dataset(dataset, target, task)
    plan = make_plan(profile, seconds, detect())
    click.echo(f"{dataset.name}: {profile.n_rows:,} rows x {profile.n_columns} columns, "
               f"{profile.n_bytes / 2**20:.1f} MB in memory; {profile.modality} data, {profile.task}.")
    click.echo("")
    width = max(len(c.name) for c in profile.columns)
    click.echo(f"  {'column':<{width}}  {'kind':<11} {'missing':>7} {'distinct':>8}  note")
    for c in profile.columns:
        mark = "" if c.used else " (dropped)"
        click.echo(f"  {c.name:<{width}}  {c.kind:<11} {c.missing:>7} {c.unique:>8}  {c.reason}{mark}")
    if profile.class_counts:
        counts = ", ".join(f"{k}: {v}" for k, v in list(profile.class_counts.items())[:20])
        click.echo(f"\nclasses: {counts}")
    for w in profile.warnings:
        click.echo(f"note: {w}")
    click.echo("\nplan:")
    for reason in plan.reasons + plan.skipped:
        click.echo(f"  - {reason}")


@main.command()
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--target", help="Target column (default: target/label/class/y, else the last column).")
@click.option("--budget", default=None, help="Wall-clock budget: 90s, 10m, 1h or seconds [default: 10m].")
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
@click.option("--quiet", "-q", is_flag=True, help="Print only the result.")
@click.option("--price", metavar="cpu=USD,gpu=USD",
              help="Prices for the report's money figures: USD per CPU core-hour and per GPU-hour "
                   "[default: ./automl.toml, ~/.config/automl/config.toml, else built-in list prices].")
def fit(data: Path, target, budget, task, metric, out, seed, no_compare, no_refit, device, max_trials, quiet,
        price) -> None:
    """Train on DATA within the budget and write a run directory with a report."""
    from .api import DEFAULT_BUDGET, AutoML
    from .progress import ProgressPrinter
    from .run.results import quiet as silent

    started = time.monotonic()
    shown_budget = budget or DEFAULT_BUDGET
    if not quiet:
        note = "" if budget else " (the default; set --budget to change it)"
        click.echo(f"automl fit {data}: budget {shown_budget}{note}, seed {seed}")
    listener = silent if quiet else ProgressPrinter(sys.stdout, live=sys.stdout.isatty())
    model = AutoML(budget=shown_budget, target=target, task=task, metric=metric, out=out, seed=seed,
                   compare=not no_compare, refit=not no_refit, device=device, max_trials=max_trials, price=price)
    try:
        model.fit(data, listener=listener, command=" ".join(["automl"] + sys.argv[1:]))
    except KeyboardInterrupt:
        click.echo("\nautoml: interrupted; the run directory is marked incomplete and keeps the best model "
                   "so far.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    board = model.leaderboard_
    click.echo("")
    click.echo(model.verdict_)
    click.echo("")
    click.echo(board.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    click.echo("")
    refitted = (f", then refitted on all {model.deployed_['rows']:,} rows" if model.deployed_.get("refitted")
                else "")
    click.echo(f"model used by predict: {model.best_approach_} (chosen on validation; the test rows only score it"
               f"{refitted})")
    click.echo(f"run directory: {model.run_dir_}")
    click.echo(f"report: {model.report_path_}")
    click.echo(f"total time: {time.monotonic() - started:.1f}s")


@main.command()
@click.argument("run", type=click.Path(path_type=Path))
@click.argument("data", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write predictions here (default: stdout).")
@APPROACH
def predict(run: Path, data: Path, output: Path | None, approach: str) -> None:
    """Predict DATA with the model saved in RUN."""
    from .predictor import load
    from .run.rundir import atomic_write_text

    predictor = load(run, approach)
    frame, notes = predictor.predict_frame(data)
    for note in notes:
        click.echo(f"automl: note: {note}", err=True)
    text = frame.to_csv(index=False)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text)
        refitted = ", refitted on all rows" if predictor.refitted else ""
        click.echo(f"wrote {len(frame):,} predictions ({predictor.approach}{refitted}) to {output}", err=True)


@main.command()
@click.argument("run", type=click.Path(path_type=Path))
@click.argument("data", type=click.Path(path_type=Path))
@APPROACH
def evaluate(run: Path, data: Path, approach: str) -> None:
    """Score the model saved in RUN on labelled DATA."""
    from .predictor import load

    predictor = load(run, approach)
    scores, notes = predictor.evaluate(data)
    if predictor.refitted:
        notes.append(f"this is the {predictor.approach} model refitted on all the run's rows, its test rows included, "
                     "so scores on those rows are not held-out; --approach NAME gives the model they scored.")
    for note in notes:
        click.echo(f"automl: note: {note}", err=True)
    click.echo(f"{predictor.approach} model on {data}:")
    for name, value in scores.items():
        click.echo(f"  {name:<18} {'n/a' if value is None else f'{value:.4f}'}")


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
    from .errors import ConfigError
    from .prices import parse_price
    from .report import FORMATS, write_comparison, write_reports

    for run in runs:
        if not (run / "run.json").is_file():
            raise ConfigError(f"`run` is not a run directory (no run.json): {str(run)!r}. "
                              "Give a folder made by `automl fit`.")
    if price is not None:
        parse_price(price)  # a malformed --price fails here, before anything is written
    if len(runs) == 1:
        written = write_reports(runs[0], formats or FORMATS, price=price, out=out)
    else:
        written = write_comparison(list(runs), out or Path("comparison"), formats or FORMATS, price=price)
    for path in written:
        click.echo(str(path))
