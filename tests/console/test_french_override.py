"""Issue 14: ``console/french.py``, the override of Streamlit's own English strings.

The script is checked here without a browser: the strings it rewrites are Streamlit 1.67's own
(found in its frontend bundle, so an upgrade that changes them fails here), every rule gives
French, and the rules applied as the script applies them turn each English string into French.
``tests/browser/test_french.py`` checks the pages themselves.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import streamlit

from console import french

STATIC = Path(streamlit.__file__).parent / "static" / "static" / "js"
ENGLISH = re.compile(r"\b(Upload|Drag and drop|Running|Search|Download|Fullscreen|Show/hide|"
                     r"Choose an option|No results|dd/mm/yyyy|DD/MM/YYYY|Page not found|"
                     r"Open|Clear|Choose|Previous|Next|Increment|Decrement|Select|"
                     r"(?:day|month|year)(?=, ))\b")
# what Streamlit 1.67 writes itself, and must be rewritten
STREAMLIT_OWN = ["Drag and drop files here", "Drag and drop a file here", "Upload",
                 "Running...", "Choose an option", "No results", "Download as CSV",
                 "Show/hide columns", "Fullscreen", "Page not found", "Close Search",
                 "Collapse sidebar", "Expand sidebar", "Main menu"]


# the aria-labels of the widgets' own buttons, written as literals in Streamlit 1.67's bundle
ARIA_OWN = ["Open", "Clear value", "Clear all", "Clear selection", "Choose date",
            "Choose date range", "Clear date", "Previous month", "Next month", "Increment",
            "Decrement", "Select all", "Link to heading"]


def say(value: str) -> str | None:
    """The script's ``say``, in Python (``$1`` → ``\\1``)."""
    t = value.strip()
    if t in french.EXACT:
        return value.replace(t, french.EXACT[t])
    for src, _flags, to in french.PATTERNS:
        if re.search(src, t):
            return re.sub(src, to.replace("$", "\\"), t)
    return None


def test_the_rewritten_strings_are_streamlits_own():
    bundle = "\n".join(p.read_text(errors="replace") for p in STATIC.glob("*.js"))
    missing = [s for s in STREAMLIT_OWN if s not in bundle]
    assert missing == []
    assert set(STREAMLIT_OWN) <= set(french.EXACT)
    missing = [s for s in ARIA_OWN if f"`{s}`" not in bundle and f'"{s}"' not in bundle]
    assert missing == []
    assert set(ARIA_OWN) <= set(french.EXACT)


def test_every_rule_says_french():
    assert not any(ENGLISH.search(v) for v in french.EXACT.values())
    assert not any(ENGLISH.search(to) for _, _, to in french.PATTERNS)
    for english in [*STREAMLIT_OWN, *ARIA_OWN, "200MB per file • PDF, JPG", "6.0MB per file",
                    "Press Enter to apply", "Running `page(...)`.", "November 2026",
                    "Help for VOTRE FACTURE", "Remove facture.pdf", "month, ET LE",
                    "Choose date, décembre 2026"]:
        out = say(english)
        assert out is not None and not ENGLISH.search(out), (english, out)
    assert say(" Upload ") == f" {french.UPLOAD_ZONE} "  # spaces around are kept
    assert say("day, LE CONTRAT DÉBUTE ENTRE") == "jour, LE CONTRAT DÉBUTE ENTRE"
    assert say("Rechercher") is None and say("Télécharger la pro forma") is None


def test_the_script_carries_the_rules_once_per_tab():
    script = french.script()
    assert script.startswith("<script>") and script.rstrip().endswith("</script>")
    assert "if (w.__consoleFrench) return;" in script  # installed once per browser tab
    assert json.dumps(french.UPLOAD_ZONE, ensure_ascii=False) in script
    assert "MutationObserver" in script and '"aria-label", "title", "placeholder"' in script
