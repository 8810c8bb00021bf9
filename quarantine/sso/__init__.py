"""Sign-on to the console with OpenID Connect (issue 21): the authorization code flow with
PKCE (RFC 7636), the ID token's checks (OpenID Connect Core 1.0 §3.1.3.7), the pending logins
kept in the database so that the callback may reach another guard."""
