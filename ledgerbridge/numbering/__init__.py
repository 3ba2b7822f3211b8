"""Document numbering (R-N1): a prefix and the next number per organisation and document type, blocks of numbers
reserved by offline devices, numbers given to documents the host asks us to number, and the gaps, each with its
cause.

The rules, and where each is kept:

* a number is never handed out twice: every reservation locks its sequence's counter row (``FOR UPDATE`` on
  PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite: ``store.db.write_locked_scope``), and ``issued_numbers`` is unique on
  (sequence, number), so two workers on two machines cannot both commit one number (``sequences``, ``allocate``);
* a number the package already holds is skipped, and the skip recorded as a gap (``held``);
* gaps are never reused: the counter only moves forward (``sequences``), and every run of numbers that will not
  be a document is written down with its cause when it happens (``devices``, ``allocate``);
* what the screens, the API, the command line and the demo show is one overview (``overview``).
"""
