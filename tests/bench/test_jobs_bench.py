"""``python -m bench.jobs`` on a small burst: the workers started as in production land every
job, and the figures are measured ones (SQLite: the console's local pool, a child process)."""

from __future__ import annotations

from bench import jobs as jobs_bench


def test_a_small_burst_lands_every_job_and_reports_its_figures(capsys):
    row = jobs_bench.run_one("sqlite", 1, 4)
    assert row["jobs"] == {"done": 5}  # the warm-up deposit and the burst of 4
    assert 0 < row["deposit_p50_ms"] <= row["deposit_p95_ms"]
    assert 0 < row["burst_s"] <= row["all_results_s"]
    # all_results_s is rounded to 0.1 s: the rate is 4 jobs over a time within 0.05 s of it
    low, high = 4 / (row["all_results_s"] + 0.05), 4 / max(row["all_results_s"] - 0.05, 0.01)
    assert low - 0.01 <= row["checks_per_s_per_worker"] <= high + 0.01
    jobs_bench.print_table([row])
    assert "| sqlite | 1 | 4 |" in capsys.readouterr().out
