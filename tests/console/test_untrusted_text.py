"""Issue 17 item 3: text that comes from a CFA, a file or its XML is shown as text, never as
markdown: a Factur-X invoice number carrying an image and a link, and a file named like a
``javascript:`` link, reach the instructeur's review page and the CFA's pro formas page inert."""

from __future__ import annotations

import re

from db.models import ProForma
from tests.console.conftest import page_text
from tests.workflow.reviewkit import facturx_bytes, generate
from workflow.deposits import deposits

# the issue's number ("… /pixel.png) [Valider ici](https://evil.example/ok)", 81 characters)
# is now refused as too long (tests/workflow/common/test_lengths.py); this one fits in 60
HOSTILE_NUMBER = "FA1 ![p](http://127.0.0.1:9999/p.png)[Valider](http://e.vil)"
ISSUE_NUMBER = ("FA-1 ![p](http://127.0.0.1:9999/pixel.png) "
                "[Valider ici](https://evil.example/ok)")
HOSTILE_NAME = "[Voir](javascript:alert(1)).pdf"
# markdown that would render as an image or a link (checked on the source) ...
LINK_SYNTAX = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(|(?<!\\)<[a-z]+:")
# ... or a URL or an e-mail address that GFM links in the parsed text (escapes resolved);
# the same patterns as Streamlit's remark-gfm (mdast-util-gfm-autolink-literal)
AUTOLINK = re.compile(r"(?i)(https?://|www(?=\.))[-.\w]+|[-.\w+]+@[-\w]+(\.[-\w]+)+")


def active(markdown: str) -> bool:
    """True when ``markdown`` would render a link or an image."""
    return bool(LINK_SYNTAX.search(markdown)
                or AUTOLINK.search(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)))


def hostile_deposit(world, factory) -> int:
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    with factory.begin() as s:
        pf = s.get_one(ProForma, pf_id)
        deposits.deposit(s, world.cfa1, pf_id, facturx_bytes(s, pf, HOSTILE_NUMBER),
                         HOSTILE_NAME)
    with factory() as s:  # read by the check job, run at the commit (tests/conftest.py)
        pf = s.get_one(ProForma, pf_id)
        assert pf.own_invoice_number == HOSTILE_NUMBER  # the XML's number, stored as sent
    return pf_id


def markdown_bodies(at) -> list[str]:
    """The markdown source of every element that Streamlit renders as markdown."""
    bodies = [e.value for kind in ("markdown", "caption", "success", "info", "error",
                                   "warning", "subheader") for e in getattr(at, kind)]
    bodies += [str(o) for r in at.radio for o in r.options]
    bodies += [b.label for b in at.button]
    bodies += [e.proto.label for e in at.get("download_button")]
    return bodies


def assert_inert(at) -> None:
    found = [b for b in markdown_bodies(at) if active(b)]
    assert not found, found


def test_review_page_shows_the_invoice_number_and_file_name_as_text(world, factory, page):
    pf_id = hostile_deposit(world, factory)
    at = page("instr_review.py", world.instructeur, review_pf=pf_id)
    assert not at.exception, at.exception
    body = "\n".join(markdown_bodies(at))
    assert "N° de facture du CFA" in body and "Valider" in body and "Voir" in body
    assert_inert(at)
    # the value is still all there, only escaped
    caption = next(c.value for c in at.caption if "N° de facture du CFA" in c.value)
    assert caption.replace("\\", "").replace("\u2060", "").endswith(HOSTILE_NUMBER)


def test_cfa_pro_formas_page_shows_the_file_name_as_text(world, factory, page):
    pf_id = hostile_deposit(world, factory)
    at = page("cfa_proformas.py", world.cfa1)
    assert not at.exception, at.exception
    assert_inert(at)
    at = page("cfa_proformas.py", world.cfa1,
              p_dialog={"mode": "replace", "id": pf_id})
    assert not at.exception, at.exception
    assert_inert(at)
    assert "NUMÉRO DE PRO FORMA" in page_text(at)


def test_escaped_text_keeps_every_character():
    from console import ui

    for value in (HOSTILE_NUMBER, ISSUE_NUMBER, HOSTILE_NAME, "<img src=x onerror=alert(1)>",
                  "www.evil.fr", "a@b.fr", "**gras** `code` $x$ :red[rouge] &amp;",
                  "- liste", "1. liste", "# titre", "Total trouvé : 96 540,00 €"):
        shown = ui.text(value)
        assert re.sub(r"\\(.)", r"\1", shown).replace("\u2060", "") == value
        assert not active(shown)
    assert ui.text("Total trouvé : 96 540,00 €") == "Total trouvé : 96 540,00 €"
