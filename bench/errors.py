"""The one failure the bench reports without a traceback: something it needed did not run."""


class BenchError(RuntimeError):
    """A step of the bench failed to run (not a missed target: those are only reported)."""
