"""Fit the text sets (default: sms_spam, sentiment_sentences, ag_news_test) and print a markdown table.

Both approaches' test accuracy and macro F1, training seconds, prediction
throughput (rows/s on the test rows), peak memory, and wall time against the
budget. Budgets per set can be given as name=budget.

    python recipes/benchmark_text.py --budget sms_spam=3m,sentiment_sentences=3m,ag_news_test=10m
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _bench import finalist, fmt, folder_and_budgets, readme_sets, run_fit, table_of

DEFAULT_BUDGETS = "sms_spam=3m,sentiment_sentences=3m,ag_news_test=10m"


def main() -> None:
    data, budgets = folder_and_budgets(__doc__.splitlines()[0], DEFAULT_BUDGETS,
                                       lambda folder: readme_sets(folder, "text"))
    sets = readme_sets(data, "text")
    print("| dataset | rows | classical acc | classical F1 | network acc | network F1 | blend acc | classical s "
          "| network s | classical rows/s | network rows/s | peak MB | wall s / budget |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, budget in budgets.items():
            table = table_of(data, name)
            if table is None:
                continue
            r = run_fit(table, sets.get(name), budget, Path(tmp))
            timing = f"{r['wall']:.1f} / {r['budget']:.0f}"
            if r["error"]:
                print(f"| {name} | error: {r['error']} ||||||||||| {timing} |", flush=True)
                continue
            rec = r["record"]
            c, d, b = finalist(rec, "classical"), finalist(rec, "deep"), finalist(rec, "blend")

            def score(f, key):
                return fmt(f and f["test_scores"][key])

            def speed(f):
                return fmt(f and 1000.0 / max(f["predict_ms_per_row"], 1e-9), ",.0f")

            peak = max(f["peak_memory_mb"] for f in rec["finalists"])
            print(f"| {name} | {rec['data']['rows']:,} | {score(c, 'accuracy')} | {score(c, 'f1_macro')} | "
                  f"{score(d, 'accuracy')} | {score(d, 'f1_macro')} | {score(b, 'accuracy')} | "
                  f"{fmt(c and c['fit_seconds'], '.1f')} | "
                  f"{fmt(d and d['fit_seconds'], '.1f')} | {speed(c)} | {speed(d)} | {peak:.0f} | {timing} |",
                  flush=True)


if __name__ == "__main__":
    main()
