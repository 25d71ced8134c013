"""Every query of the customer service (nothing else touches the session), one module per aggregate."""
