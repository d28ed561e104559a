"""Built-in checks, one module per roadmap domain. Each module exposes ``@check`` objects."""
