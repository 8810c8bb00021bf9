"""Held mail: the durable store, release and expiry, the sender's web pages.

Never imports `proxy`: delivery is a `send` callable handed in (see delivery.py).
"""
