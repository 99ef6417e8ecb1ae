"""Print bench/results.json as the Markdown table of RESULTS.md (benchmark | target | measured | baseline | ratio | met).

    .venv/bin/python -m bench.report
"""

import json

from bench.harness import RESULTS_JSON


def table(entries: list[dict]) -> str:
    """The entries as Markdown rows, one per benchmark, with the run's date, commit and load."""
    lines = ["| benchmark | target | measured | baseline | ratio | met | run |", "|---|---|---|---|---|---|---|"]
    for e in entries:
        baseline = "–" if e["baseline"] is None else f"{e['baseline']:,} {e['unit']}"
        ratio = "–" if e["ratio"] is None else f"{e['ratio']:.2f}"
        run = f"{e['date'][:16].replace('T', ' ')} UTC, {e['commit'][:9]}, {e.get('load', '')}"
        lines.append(f"| {e['name']} | {e['target']} | {e['measured']:,} {e['unit']} | {baseline} | {ratio} | {'yes' if e['met'] else '**no**'} | {run} |")
    return "\n".join(lines)


def main() -> None:
    """Print the table, or say that no benchmark has written results yet."""
    if not RESULTS_JSON.exists():
        raise SystemExit(f"{RESULTS_JSON} does not exist yet: run a benchmark first")
    print(table(json.loads(RESULTS_JSON.read_text())))


if __name__ == "__main__":
    main()
