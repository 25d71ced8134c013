"""Real protocol clients: SMTP email, Aliyun SMS over signed HTTP, WeChat template messages; and the
customer directory that gives contact details at send time (they never travel in events)."""
