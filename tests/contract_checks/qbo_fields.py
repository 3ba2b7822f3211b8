"""The property names Intuit's XSDs give each entity the QBO sandbox accepts, rendered as the sandbox's
``schema_fields`` module.

Why generated: QuickBooks refuses a request with a property its schema does not have (400 / 2010), so the sandbox
must know every property of every type reachable from the entities it accepts (989 of them in 66 types); copying
them by hand would drift from the XSD. The sandbox must not load the XSDs at run time (they are test data and need
``xmlschema``), so the names are rendered once into a plain module, and ``tests/sandboxes_qbo/test_strict.py``
fails when that module and the XSDs disagree.

Regenerate: ``.venv/bin/python -m contract_checks.qbo_fields > ledgerbridge/packages/qbo/sandbox/schema_fields.py``
(run from ``tests/``'s parent with ``tests`` on the path, as pytest has it).
"""

from __future__ import annotations

import textwrap
from typing import Any

from xmlschema.validators import XsdComplexType

from contract_checks.qbo_schema import _attributes, _members, load_schema

#: The entities the sandbox creates or updates from a request body (``service.ENTITIES`` less the read-only ones).
ACCEPTED = ("Customer", "Vendor", "Item", "Account", "PaymentMethod", "Invoice", "CreditMemo", "Bill",
            "VendorCredit", "Payment", "BillPayment")

_HEADER = '''"""Generated from Intuit's XSDs (``specs/qbo``) by ``tests/contract_checks/qbo_fields.py``: do not edit.

Every property each complex type reachable from the entities the sandbox accepts may carry in JSON: child
elements, XML attributes (``domain``, ``sparse``, ``status``; ``name`` and ``type`` beside a reference's
``value``). A property written ``Name:Type`` holds an object (or array of objects) of that type, ``Name:date``
an ``xs:date``; ``*`` means the type takes anything (``xs:any``). :mod:`.strict` reads it.
"""

from __future__ import annotations

#: The entities the sandbox accepts a body for.
ROOTS = tuple(\n    "{roots}".split())

TYPES: dict[str, str] = {{
'''


def _kind(simple: Any) -> str:
    primitive = getattr(getattr(simple, "primitive_type", None), "local_name", None)
    return ":date" if primitive == "date" else ""


def collect() -> dict[str, list[str]]:
    """Type name -> its properties (``Name``, ``Name:Type`` or ``Name:date``), sorted."""
    schema = load_schema()
    types: dict[str, list[str]] = {}

    def visit(xsd_type: XsdComplexType) -> str:
        name = str(xsd_type.local_name)
        if name in types:
            return name
        props: list[str] = []
        types[name] = props
        for key, attribute in _attributes(xsd_type).items():
            props.append(key + _kind(attribute.type))
        if xsd_type.has_simple_content():
            props.append("value" + _kind(xsd_type.content))
        else:
            elements, wildcard = _members(xsd_type)
            if wildcard:
                props.append("*")
            for key, element in elements.items():
                if isinstance(element.type, XsdComplexType):
                    props.append(f"{key}:{visit(element.type)}")
                else:
                    props.append(key + _kind(element.type))
        props.sort()
        return name

    for entity in ACCEPTED:
        visit(schema.types[entity])
    return types


def render() -> str:
    out = [_HEADER.format(roots=" ".join(ACCEPTED))]
    for name, props in sorted(collect().items()):
        lines = textwrap.wrap(" ".join(props), 104, break_on_hyphens=False)
        single = f'    "{name}": "{lines[0]}",\n'
        if len(lines) == 1 and len(single) <= 121:
            out.append(single)
            continue
        out.append(f'    "{name}": (\n')
        for index, line in enumerate(lines):
            tail = " " if index < len(lines) - 1 else ""
            out.append(f'        "{line}{tail}"\n')
        out.append("    ),\n")
    out.append("}\n")
    return "".join(out)


if __name__ == "__main__":
    print(render(), end="")
