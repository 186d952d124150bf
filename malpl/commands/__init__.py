"""The command handlers behind :mod:`malpl.cli`, one module per concern.

Each handler takes the parsed arguments, calls one library function and prints;
it imports what it needs inside itself, so that building the parser stays cheap.
"""
