"""The officers' workbench: server-rendered pages in Chinese over the audit database (engine/web/app.py)."""
