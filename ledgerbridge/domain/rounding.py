"""Tax rounding: the package's rule against the host's totals, and the cent that goes to a rounding line (R-E4).

Packages round tax in one of two ways. Per line: each line's tax is rounded to the cent
and the tax total is their sum (Xero's line-level rounding; QuickBooks Online outside
the US, as its UK VAT lines show). Per total: the net of all lines at one rate is summed
and its tax rounded once (QuickBooks Online US sales tax on the subtotal; many hosts).
Three lines of 0.99 at 20% give 3 x 0.20 = 0.60 per line but 0.594 -> 0.59 per total:
a cent apart on the same invoice. Before sending, the package's total is computed here;
a difference of at most a cent a line is rounding, and goes to the rounding account in
the settings as its own line (so both sides total the same to the cent) or, with no
rounding account, to the pre-check. A bigger difference is not rounding and is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ledgerbridge.domain.money import CENT, line_net, round_money
from ledgerbridge.store.models.host import DocumentType
from ledgerbridge.store.views import DocumentView
from ledgerbridge.sync.mappings import MappingSet

PER_LINE = "line"
PER_TOTAL = "total"
SALES_SIDE = {DocumentType.SALES_INVOICE.value, DocumentType.SALES_CREDIT_NOTE.value}


def _tax(amount: Decimal, rate: Decimal, inclusive: bool) -> Decimal:
    return round_money(amount * rate / ((Decimal(100) + rate) if inclusive else Decimal(100)))


def tax_total(amounts: Iterable[tuple[Decimal, Decimal]], mode: str = PER_LINE, inclusive: bool = False) -> Decimal:
    """Tax of ``(line amount, rate %)`` pairs: rounded per line, or once per rate on the summed amounts."""
    pairs = list(amounts)
    if mode == PER_LINE:
        return sum((_tax(amount, rate, inclusive) for amount, rate in pairs), Decimal(0))
    by_rate: dict[Decimal, Decimal] = {}
    for amount, rate in pairs:
        by_rate[rate] = by_rate.get(rate, Decimal(0)) + amount
    return sum((_tax(amount, rate, inclusive) for rate, amount in by_rate.items()), Decimal(0))


def package_totals(document: DocumentView, ms: MappingSet, *, summarised: bool = False,
                   mode: str = PER_LINE) -> tuple[Decimal, Decimal] | None:
    """(net, tax) as the package would compute them, or None when a rate is unknown.

    ``summarised``: lines go out one per nominal and tax code (R-E12), so per-line rounding is per group.
    """
    side = "sales" if document.type in SALES_SIDE else "purchases"
    amounts: dict[tuple[str, str] | int, tuple[str, Decimal]] = {}
    for line in document.lines:
        key: tuple[str, str] | int = (line.nominal_code, line.tax_code) if summarised else line.line_no
        net = line_net(line.quantity, line.unit_price, line.discount_percent)
        amounts[key] = (line.tax_code, amounts.get(key, (line.tax_code, Decimal(0)))[1] + net)
    pairs = []
    for tax_code, amount in amounts.values():
        rate = ms.tax_rates.get(ms.tax_for(side).get(tax_code, ""))
        if rate is None:
            return None
        pairs.append((amount, rate.rate))
    gross_or_net = sum((amount for amount, _ in pairs), Decimal(0))
    tax = tax_total(pairs, mode, document.amounts_tax_inclusive)
    net = gross_or_net - tax if document.amounts_tax_inclusive else gross_or_net
    return net, tax


def tolerance(document: DocumentView) -> Decimal:
    """The most that rounding alone can explain: a cent a line (each line's tax is off by at most half a cent)."""
    return CENT * max(1, len(document.lines))


def rounding_difference(document: DocumentView, ms: MappingSet, *, summarised: bool = False,
                        mode: str = PER_LINE) -> Decimal | None:
    """Host gross less the package's gross (None: cannot tell, a rate is unknown; 0: they agree)."""
    computed = package_totals(document, ms, summarised=summarised, mode=mode)
    if computed is None:
        return None
    return document.gross_total - (computed[0] + computed[1])


def rounding_line_amount(document: DocumentView, ms: MappingSet, settings: dict[str, object], *,
                         mode: str = PER_LINE) -> Decimal | None:
    """The amount of the rounding line to add (None: none needed, or no rounding account to put it on)."""
    if not settings.get("rounding_account") or not ms.chart_loaded:
        return None
    diff = rounding_difference(document, ms, summarised=not settings.get("push_individual_lines", True), mode=mode)
    if diff is None or diff == 0 or abs(diff) > tolerance(document):
        return None
    return diff
