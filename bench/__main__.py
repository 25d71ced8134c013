"""`make bench`: run every benchmark, or the ones named: `python -m bench events`."""

import importlib
import sys

BENCHMARKS = ["events", "customer_import", "segmentation_rescore", "segmentation_events", "survey_answers",
              "care_due_scan", "gateway_proxy", "load_mixed", "console_360", "hot_paths"]

for name in sys.argv[1:] or BENCHMARKS:
    print(f"\n=== bench.{name} ===", flush=True)
    importlib.import_module(f"bench.{name}").main()
