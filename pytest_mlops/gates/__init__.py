"""Gate implementations, one module per gate kind.

A gate function computes, builds a :class:`~pytest_mlops.results.GateResult`
and hands it to ``pytest_mlops._recorder.emit``, which records it on the running
test and raises :class:`~pytest_mlops.errors.GateFailure` for a failed ``fail``
gate. Gates work the same inside pytest and in a plain script.
"""
