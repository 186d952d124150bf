"""Figures from Kolada, the national database of municipal key figures.

``data`` and ``store`` are light and offline (every command may load pulled
figures); ``client`` and ``pull`` need the network and httpx, and only
``malpl kolada`` imports them.
"""
