"""malpl: goals-as-code for Swedish municipalities.

The package is a library first: load a repository of goal files, validate it,
build views of it (status, report) and render them. The command line in
:mod:`malpl.cli` is a thin layer over these functions.
"""

import gc
import sys

__version__ = "0.1.0"


def main() -> None:
    """The console script. Ctrl-C at any moment, even while the modules load, exits 130
    without a traceback; a reader that has gone (``| head``) ends it silently.

    When the command is done, the objects it made are frozen out of the garbage
    collector's reach: the process is ending, and the interpreter's last collections
    would otherwise walk every function and class the imports made (~30 ms, a tenth
    of a short report). Nothing is lost: objects are still freed as their last
    reference goes, and the system takes back the rest.
    """
    try:
        from malpl.output import stand_in_for_closed_streams

        stand_in_for_closed_streams()
        from malpl.cli import main as run

        try:
            run()
        finally:
            sys.stdout.flush()
            gc.freeze()
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except RuntimeError as err:  # Ctrl-C while a class was made (Python wraps it in this)
        if isinstance(err.__cause__, KeyboardInterrupt):
            raise SystemExit(130) from None
        raise
    except BrokenPipeError:
        from malpl.output import discard_stdout

        discard_stdout()
        raise SystemExit(1) from None
