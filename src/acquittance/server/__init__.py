"""The HTTP face: a FastAPI application over the service layer (`create_app`).

The API lives under /api/v1 (`api`), documented by its OpenAPI schema; the web
pages, when installed, under / (`acquittance.server.pages`). Like the command
line, the server parses, calls the service and renders what it returns; it
never opens the store itself.
"""
