"""The properties MYOB's type catalogue gives each entity the MYOB sandbox serves, rendered as the sandbox's
``fields`` module.

Why generated: the sandbox refuses a request property the contract does not have (MYOB's 400
``SerializationError``) and shapes every answer by its type (``GET Sale/Invoice`` answers ``Invoice`` without
lines), so it must know every property of every type reachable from its entities; copying them by hand would drift
from the catalogue. The sandbox must not read ``specs/`` at run time (it is test data, outside the package), so the
shapes are rendered once into a plain module, and ``tests/myob/sandbox/test_contract.py`` fails when that module
and the catalogue disagree.

Regenerate: ``.venv/bin/python -m contract_checks.myob_fields > ledgerbridge/packages/myob/sandbox/fields.py``
(run from ``tests/`` with it on the path, as pytest has it).
"""

from __future__ import annotations

import textwrap

from contract_checks.myob_catalogue import enum_members, reachable, route_entity

#: The routes the sandbox serves (its ``routes.RESOURCES``), plus the company-file list's type.
SERVED = ("Contact", "Contact/Customer", "Contact/Supplier", "GeneralLedger/Account", "GeneralLedger/TaxCode",
          "Company/Preferences", "GeneralLedger/AccountingProperties", "Inventory/Item", "Sale/Invoice",
          "Sale/Invoice/Service", "Sale/Invoice/Item", "Sale/Order", "Sale/Order/Service",
          "Sale/CustomerPayment", "Sale/CreditSettlement", "Sale/CreditRefund", "Purchase/Bill",
          "Purchase/Bill/Service", "Purchase/Bill/Item", "Purchase/SupplierPayment", "Purchase/DebitSettlement",
          "Purchase/DebitRefund")
EXTRA_ROOTS = ("CompanyFile",)

_HEADER = '''"""Generated from MYOB's type catalogue (``specs/myob/myob-sdk-contracts.json``) by
``tests/contract_checks/myob_fields.py``: do not edit.

``TYPES``: every class reachable from the entities the sandbox serves, as ``Name:shape`` words. A shape is a scalar
kind (``str guid dec int bool dt uri``), ``enum=Key`` or ``object=Key``, prefixed ``[]`` for a JSON array.
``ENUMS``: each enum's member names (enums travel as names). :mod:`.strict` and :mod:`.render` read them.
"""

from __future__ import annotations

#: Route -> the catalogue type of its records.
ROUTE_TYPES: dict[str, str] = {{
{routes}}}

TYPES: dict[str, str] = {{
{types}}}

ENUMS: dict[str, str] = {{
{enums}}}
'''


def _entry(key: str, words: list[str]) -> str:
    text = " ".join(words)
    lines = textwrap.wrap(text, 104, break_on_hyphens=False) or [""]
    body = "\n".join(f'        "{line} "' if i < len(lines) - 1 else f'        "{line}"'
                     for i, line in enumerate(lines))
    return f'    "{key}": (\n{body}\n    ),\n'


def render() -> str:
    route_types = {route: route_entity(route) for route in SERVED}
    types = reachable(tuple(route_types.values()) + EXTRA_ROOTS)
    enums = sorted({shape.ref for props in types.values() for shape in props.values() if shape.kind == "enum"})
    routes = "".join(f'    "{route}": "{key}",\n' for route, key in route_types.items())
    type_text = "".join(_entry(key, [f"{name}:{shape.encode()}" for name, shape in props.items()])
                        for key, props in sorted(types.items()))
    enum_text = "".join(_entry(key, list(enum_members(key))) for key in enums)
    return _HEADER.format(routes=routes, types=type_text, enums=enum_text)


if __name__ == "__main__":
    print(render(), end="")
