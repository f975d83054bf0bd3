"""The pipeline stages. Each is ``stage(state: BuildState) -> BuildState``."""
