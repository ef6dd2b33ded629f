"""The Flask web email client and the people pages (privacy, staff, security review)."""
