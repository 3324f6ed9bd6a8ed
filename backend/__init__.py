"""The bundled backend: domain, rules, SQLite store and HTTP server. Never imports Textual."""
