"""The workbench's faces in Jupyter: widget forms over the library, for the notebooks.

Only this package imports ipywidgets, and only the notebooks and `workbench review` use
it. Views show and emit events; controllers wire them to the store and the services.

- `review_app`: the clinician's review panel (02_review, and the Voila app).
- `run_app`: the run form (01_generate_and_score).
- `tuning_app`: prompt editing and side-by-side comparison (03_prompt_tuning).
- `export_app`: approved answers and the report (04_export).
- `import_app`: documents into excerpts (03_prompt_tuning).
"""

from workbench.ui.export_app import export_app
from workbench.ui.import_app import import_app
from workbench.ui.review_app import review_app
from workbench.ui.run_app import run_app
from workbench.ui.tuning_app import tuning_app

__all__ = ["export_app", "import_app", "review_app", "run_app", "tuning_app"]
