from crm_gateway.main import create_app
from crm_gateway.settings import GatewaySettings
from crm_kit.app import serve

settings = GatewaySettings()
serve(create_app(settings), settings)
