"""A course's lessons as checks of function pairs (``check LESSONS.toml``): the manifest, the drawn cases,
the run through every runtime, the comparison, the shrinking of a failing case, the report."""
