"""``python -m checks``: exit codes, one-line errors, the JSON schema of design.md."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from specimens import InvoiceSpec, make_invoice

ROOT = Path(__file__).resolve().parents[2]
SPEC = InvoiceSpec(lines=(("Pédagogie – contrat 2024-001", Decimal("96540.00")),))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checks", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def invoice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "facture-FA-2024-0153.pdf"
    path.write_bytes(make_invoice(SPEC))
    return path


def test_json_schema(invoice: Path) -> None:
    done = run(str(invoice), "--pro-forma", "PRO-00603901", "--total", "96540.00", "--siret",
               SPEC.siret, "--iban", SPEC.iban, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert set(out) == {"file", "text_source", "found", "checks", "elapsed_ms"}
    assert set(out["found"]) == {"pro_forma_numbers", "total", "invoice_number", "siret", "iban"}
    assert out["found"]["total"] == "96540.00"
    assert out["text_source"] == "text"
    assert [c["name"] for c in out["checks"]] == ["file", "pro_forma_number", "total",
                                                  "invoice_number", "siret", "iban"]
    for check in out["checks"]:
        assert set(check) == {"name", "outcome", "message", "evidence"}
        assert check["outcome"] == "pass"
    evidence = out["checks"][2]["evidence"]
    assert set(evidence) == {"page", "bbox", "text"} and len(evidence["bbox"]) == 4


def test_failing_verdicts_still_exit_zero(invoice: Path) -> None:
    done = run(str(invoice), "--pro-forma", "PRO-00603902", "--total", "96 450,00")
    assert done.returncode == 0
    assert "Total trouvé : 96\u202f540,00\u00a0€ ; attendu : 96\u202f450,00\u00a0€" in done.stdout


def test_without_total_reports_the_grand_total(invoice: Path) -> None:
    done = run(str(invoice), "--json")
    out = json.loads(done.stdout)
    assert out["found"]["total"] == "96540.00"
    assert {c["name"]: c["outcome"] for c in out["checks"]}["total"] == "unknown"


def test_human_output(invoice: Path) -> None:
    done = run(str(invoice), "--total", "96540.00", "--credit-note")
    assert done.returncode == 0
    assert "Source du texte : text" in done.stdout
    assert any(line.startswith("total ") and "pass" in line for line in done.stdout.splitlines())


@pytest.mark.parametrize(("content", "name"), [
    (b"", "vide.pdf"), (b"MZ\x90\x00", "programme.pdf"), (b"%PDF-1.4\n", "tronque.pdf"),
])
def test_unreadable_file_exits_two_with_one_line(tmp_path: Path, content: bytes,
                                                 name: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    done = run(str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_missing_file_and_bad_option_exit_two(tmp_path: Path, invoice: Path) -> None:
    for done in (run(str(tmp_path / "absent.pdf")), run(str(invoice), "--total", "beaucoup"),
                 run()):
        assert done.returncode == 2
        assert len(done.stderr.strip().splitlines()) == 1
        assert "Traceback" not in done.stderr
