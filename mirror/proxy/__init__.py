"""The proxy side of the mirror: a mitmproxy addon and the pure functions it uses.

These modules run inside the proxy's own environment (.venv-proxy), so they use
only the standard library and mitmproxy, and nothing from the rest of ``mirror``.
"""
