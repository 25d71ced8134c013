from crm_customer.main import create_app
from crm_customer.settings import CustomerSettings
from crm_kit.app import serve

settings = CustomerSettings()
serve(create_app(settings), settings)
