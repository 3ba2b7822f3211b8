"""How a query answers: all at once, the first ``MaxReturned``, a count (``metaData="MetaDataOnly"``), or page by
page through an iterator.

An iterator (``iterator="Start"``) takes a snapshot of the matching IDs; each ``iterator="Continue"`` with its
``iteratorID`` hands out the next ``MaxReturned`` of them, as they are now (one deleted since is skipped), with
``iteratorRemainingCount``; ``iterator="Stop"`` drops it. Iterators belong to the session that started them
(Intuit: "only valid for the application that starts them, and only for the current QuickBooks session"): an ID
from another session, or from an iterator that has run out, is answered as an invalid object ID (3000, assumed).
"""

from __future__ import annotations

from collections.abc import Callable

from .context import Answer, Context, IteratorState
from .elements import Element
from .status import QbStatus

__all__ = ["answer_query"]


def _max_returned(request: Element) -> int | None:
    value = request.findtext("MaxReturned")
    return int(value) if value else None


def _rendered(ids: list[str], render: Callable[[str], Element | None]) -> list[Element]:
    rets = []
    for object_id in ids:
        ret = render(object_id)
        if ret is not None:
            rets.append(ret)
    return rets


def answer_query(ctx: Context, request: Element, matches: Callable[[], list[str]],
                 render: Callable[[str], Element | None],
                 missing: Callable[[], str | None] = lambda: None) -> Answer:
    """Answer a query request: ``matches`` gives the matching IDs in answer order (only called when the query
    runs, not on a Continue), ``render`` one Ret (None for an object gone since), ``missing`` the first of the
    explicitly requested IDs or names that do not exist (status 500)."""
    mode = request.get("iterator")
    if mode in ("Continue", "Stop"):
        return _continue(ctx, request, render, stop=mode == "Stop")
    ids = matches()
    absent = missing()
    if request.get("metaData") == "MetaDataOnly":
        return Answer(attributes={"retCount": str(len(ids))})
    limit = _max_returned(request)
    if mode == "Start":
        page, rest = (ids, []) if limit is None else (ids[:limit], ids[limit:])
        iterator_id = ctx.new_guid()
        if rest:
            ctx.session.iterators[iterator_id] = IteratorState(iterator_id, str(request.tag), rest)
        answer = Answer(_rendered(page, render),
                        attributes={"iteratorRemainingCount": str(len(rest)), "iteratorID": iterator_id})
    else:
        answer = Answer(_rendered(ids if limit is None else ids[:limit], render))
    if absent is not None:
        answer.status = QbStatus.some_not_found(absent)
    elif not answer.rets:
        answer.status = QbStatus.nothing_found()
    if request.get("metaData") == "MetaDataAndResponseData":
        answer.attributes["retCount"] = str(len(answer.rets))
    return answer


def _continue(ctx: Context, request: Element, render: Callable[[str], Element | None],
              stop: bool) -> Answer:
    iterator_id = request.get("iteratorID") or ""
    state = ctx.session.iterators.get(iterator_id)
    if state is None or state.request_tag != request.tag:
        raise QbStatus.invalid_id(iterator_id, "iteratorID")
    if stop:
        del ctx.session.iterators[iterator_id]
        return Answer(attributes={"iteratorRemainingCount": "0", "iteratorID": iterator_id})
    limit = _max_returned(request)
    page = state.remaining if limit is None else state.remaining[:limit]
    state.remaining = state.remaining[len(page):]
    if not state.remaining:
        del ctx.session.iterators[iterator_id]
    answer = Answer(_rendered(page, render),
                    attributes={"iteratorRemainingCount": str(len(state.remaining)), "iteratorID": iterator_id})
    if not answer.rets:
        answer.status = QbStatus.nothing_found()
    return answer
