"""The data scientist's guide's pandas example runs as printed, on a demo store, and its
figures hold."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pandas as pd

from workbench.runs.demo import DemoResult

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "data-scientist-guide.md"


def test_the_guide_loads_a_store_into_pandas_and_plots_it(demo: DemoResult, tmp_path: Path) -> None:
    matplotlib.use("Agg")
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.S)
    code = next(b for b in blocks if "workbench.frame(" in b)
    code = code.replace('"reports/demo/demo.db"', repr(str(demo.store_path)))
    code = code.replace('"reports/demo/grades.png"', repr(str(tmp_path / "grades.png")))
    scope: dict[str, object] = {}
    exec(compile(code, str(GUIDE), "exec"), scope)
    df = scope["df"]
    assert isinstance(df, pd.DataFrame) and df.shape == (122, 44)
    assert (tmp_path / "grades.png").stat().st_size > 10_000
    means = df.groupby("prompt")[["faithfulness", "fk_grade", "safety_warn"]].mean().round(2)
    for prompt, row in means.iterrows():  # the figures the guide prints beside the code
        printed = (
            f"# {prompt}           {row.faithfulness}      {row.fk_grade}         {row.safety_warn}"
        )
        assert printed in code, printed
