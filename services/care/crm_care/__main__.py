from crm_care.main import create_app
from crm_care.settings import CareSettings
from crm_kit.app import serve

settings = CareSettings()
serve(create_app(settings), settings)
