"""malpl: goals-as-code for Swedish municipalities.

The package is a library first: load a repository of goal files, validate it,
build views of it (status, report) and render them. The command line in
:mod:`malpl.cli` is a thin layer over these functions.
"""

__version__ = "0.1.0"
