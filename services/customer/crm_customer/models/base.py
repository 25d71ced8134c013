from crm_kit.db import model_base

# This service's tables live in a metadata of their own (see model_base).
Model = model_base("CustomerModel")
