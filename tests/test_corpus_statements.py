"""Every change the narratives of 12 corpus disclosures state, as checked by hand against each
sentence (tests/corpus_statements.py): the rows read are exactly those, in order, with their
subject, amount, signed change and percent, base and page; none missing, none extra."""

from decimal import Decimal as D

import pytest
from conftest import CORPUS
from corpus_statements import FILES, STATED

from pipeline.extract import extract
from pipeline.normalise.narrative import stated_changes

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is absent")


def _decimal(text: str | None) -> D | None:
    return None if text is None else D(text)


@pytest.mark.parametrize("name", sorted(STATED))
def test_every_stated_change_of_the_narrative_is_read_as_checked_by_hand(name):
    blocks = [b for path in FILES[name]
              for b in extract((CORPUS / path).read_bytes(), "", path)]
    got = [(int(c.location.split("page ")[-1].split()[0]), c.subject, c.amount_wan,
            c.change_wan, c.change_pct, c.compared_to) for c in stated_changes("d", blocks)]
    assert got == [(page, subject, _decimal(amount), _decimal(change), _decimal(pct), base)
                   for page, subject, amount, change, pct, base in STATED[name]]


def test_the_hand_checked_set_spans_ten_cities_and_the_central_ministries():
    cities = {name.split("-")[0] for name in STATED} - {"central", "js"}  # 中央, 江苏省
    assert len(STATED) >= 10 and len(cities) >= 10 and "central" in {n.split("-")[0]
                                                                      for n in STATED}
    assert sum(len(rows) for rows in STATED.values()) >= 200
