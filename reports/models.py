# Reports store nothing: every figure is computed from the other apps' records.
