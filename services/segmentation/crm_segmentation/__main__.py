from crm_kit.app import serve
from crm_segmentation.main import create_app
from crm_segmentation.settings import SegmentationSettings

settings = SegmentationSettings()
serve(create_app(settings), settings)
