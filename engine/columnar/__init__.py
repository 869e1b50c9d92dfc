"""Events as columns (pyarrow + numpy): read (frame.py, given.py), screened (screen.py) and the obligations
judged there written out (verdicts.py); the pipeline that strings them together is engine/pipeline.py."""
