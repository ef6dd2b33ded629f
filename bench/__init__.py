"""MailGuard's benchmarks: ``python -m bench`` runs them all, prints a table, writes JSON.

A benchmark module is any module in this package that defines ``run(quick: bool) ->
list[dict]``; each dict has ``name``, ``value``, ``unit``, ``goal`` (text) and ``notes``.
"""
