"""Parts of the assessments app's pages that higher apps fill in (see maturity.panels).

Both pages pass `access` and `assessment`: `assessment_page` is drawn under the task list's
summary, `results_page` at the foot of the results.
"""

from maturity.panels import Panels

assessment_page = Panels("assessment")
results_page = Panels("results")
