"""Tables (`tables`) and the request/response families of the HTTP API (`api`)."""
