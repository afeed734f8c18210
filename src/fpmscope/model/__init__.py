"""The report models: frozen dataclasses built once by the analysis, read by every renderer.

One module per report, named like its analysis and its renderers (analysis/leaks.py ->
model/leaks.py -> render/leaks_table.py). Renderers format these values; they never sort,
filter or compute. JSON output is the dataclasses as dicts plus `schema_version`, a public
contract pinned by golden tests.
"""

# 2: worker objects lost worker_start (record format 2 has no start time)
# 3: leaks estimate from the window fit; worker growth; zend_left_cached_bytes
SCHEMA_VERSION = 3
