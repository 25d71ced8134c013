"""crm: the operator's command line for the CRM suite."""
