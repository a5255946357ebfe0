"""The HTTP service: ``mention-insight serve`` answers classification requests from tools that are not Python.

- :mod:`.settings`: what a running service is told (model, limits, token), from the command line
  or the environment (each worker process reads the same);
- :mod:`.schemas`: the request and response bodies (pydantic), which the OpenAPI schema shows;
- :mod:`.app`: the FastAPI application: endpoints, limits, authentication, request ids, errors.

The model is loaded once per worker process, when it starts; a service never swaps its model
while it runs (restart it to serve another).
"""

from .app import create_app
from .settings import ServiceSettings

__all__ = ["ServiceSettings", "create_app"]
