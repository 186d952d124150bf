"""malpl: goals-as-code for Swedish municipalities.

The package is a library first: load a repository of goal files, validate it,
build views of it (status, report) and render them. The command line in
:mod:`malpl.cli` is a thin layer over these functions.
"""

import sys

__version__ = "0.1.0"


def main() -> None:
    """The console script. Ctrl-C at any moment, even while the modules load, exits 130
    without a traceback; a reader that has gone (``| head``) ends it silently."""
    try:
        from malpl.cli import main as run

        try:
            run()
        finally:
            sys.stdout.flush()
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except BrokenPipeError:
        from malpl.output import discard_stdout

        discard_stdout()
        raise SystemExit(1) from None
