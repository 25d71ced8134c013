import logging

import uvicorn

from crm_console.main import create_app
from crm_console.settings import ConsoleSettings
from crm_kit.logs import configure_logging

settings = ConsoleSettings()
configure_logging("console", settings.log_level, settings.log_json)
logging.getLogger(__name__).info("console on %s:%s, API at %s", settings.host, settings.port, settings.gateway_url)
uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)
