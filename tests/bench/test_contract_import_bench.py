"""``python -m bench.contract_import`` runs end to end on a small file (its figure for 10,000
lines is measured by the benchmark, not asserted here)."""

from __future__ import annotations

from bench.contract_import import main


def test_the_import_bench_runs(capsys):
    assert main(["--lines", "300"]) == 0
    out = capsys.readouterr().out
    assert "Import de 300 lignes" in out and "0 contrat(s) ont été créé(s)" in out
