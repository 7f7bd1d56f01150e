"""Helpers for teams that gate in pytest: `assert_gate` fails a test with the gate's table.

    from workbench.testing import assert_gate

    def test_the_new_prompt_ships():
        assert_gate("workbench.db", runs=["patient_answer@v2"], min_faithfulness=0.9,
                    max_unsupported_share=0.1, baseline="patient_answer@v1")

It sits with the faces (the CLI, the notebooks): it calls the library and reports.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from workbench.data.datasets import Corpus, load_corpus
from workbench.errors import ConfigError
from workbench.reports.gate import GateResult, GateSpec, check_gate, load_gate_spec
from workbench.store import SQLiteStore, Store

__all__ = ["GateFailed", "assert_gate"]


class GateFailed(AssertionError):
    """A gate check missed; the message is the gate's table."""


def assert_gate(
    store: Store | str | os.PathLike[str],
    *,
    config: str | os.PathLike[str] | None = None,
    runs: Sequence[str] = (),
    corpus: Corpus | None = None,
    judge: str | None = None,
    min_faithfulness: float | None = None,
    min_faithfulness_low: float | None = None,
    max_fail_findings: int | None = 0,
    max_unsupported_share: float | None = None,
    baseline: str | None = None,
    max_drop: float = 0.0,
) -> GateResult:
    """Check the gate on `store` and raise `GateFailed` (an AssertionError) on a miss.

    Thresholds are keywords or a YAML gate file (`config`), not both. Returns the result
    when every check held. A bad run, judge or file is a `ConfigError` or `DatasetError`,
    not a failed gate.
    """
    spec = GateSpec(
        runs=tuple(runs),
        judge=judge,
        min_faithfulness=min_faithfulness,
        min_faithfulness_low=min_faithfulness_low,
        max_fail_findings=max_fail_findings,
        max_unsupported_share=max_unsupported_share,
        baseline=baseline,
        max_drop=max_drop,
    )
    if config is not None:
        if spec != GateSpec():
            raise ConfigError("assert_gate: give thresholds as keywords or in `config`, not both")
        spec = load_gate_spec(Path(config))
    corpus = corpus if corpus is not None else load_corpus()
    if not isinstance(store, (str, os.PathLike)):
        result = check_gate(store, corpus, spec)
    else:
        path = Path(store)
        if not path.is_file():
            raise ConfigError(f"{path}: no store there; `workbench demo` makes one")
        with SQLiteStore(path, create=False, read_only=True) as opened:
            result = check_gate(opened, corpus, spec)
    if not result.passed:
        raise GateFailed("\n" + result.table())
    return result
