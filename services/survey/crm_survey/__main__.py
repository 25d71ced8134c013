from crm_kit.app import serve
from crm_survey.main import create_app
from crm_survey.settings import SurveySettings

settings = SurveySettings()
serve(create_app(settings), settings)
