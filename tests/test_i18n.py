"""Every translatable string of the add-ons' Python code can be extracted the
way Odoo's ``--i18n-export`` does (babel), and is in the add-on's .pot file."""

from pathlib import Path

import pytest
from babel.messages import extract, pofile

REPO = Path(__file__).resolve().parents[1]
ADDONS = sorted(p.parent.name for p in (REPO / "addons").glob("*/__manifest__.py"))
# the keywords odoo.tools.translate uses for Python files
KEYWORDS = {"_": None, "_lt": None}


def python_terms(addon):
    terms = {}
    for path in sorted((REPO / "addons" / addon).rglob("*.py")):
        if "tests" in path.relative_to(REPO / "addons" / addon).parts:
            continue
        with path.open("rb") as source:
            # raises where Odoo's export only logs and skips the whole file
            for lineno, message, _comments, _context in extract.extract(
                "python", source, keywords=KEYWORDS
            ):
                terms[message] = f"{path.relative_to(REPO)}:{lineno}"
    return terms


@pytest.mark.parametrize("addon", ADDONS)
def test_python_terms_are_in_the_pot_file(addon):
    terms = python_terms(addon)
    assert terms, f"{addon} has no translatable Python string"
    with (REPO / "addons" / addon / "i18n" / f"{addon}.pot").open("rb") as pot:
        catalog = pofile.read_po(pot)
    missing = {term: where for term, where in terms.items() if term not in catalog}
    assert not missing, f"regenerate {addon}.pot (--i18n-export): {missing}"
