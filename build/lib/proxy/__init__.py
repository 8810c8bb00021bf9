"""The SMTP edge and the composition root."""
