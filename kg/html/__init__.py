"""HTML rendering shared by the web app and dmkg docs: Jinja2 templates, filters, static files."""
