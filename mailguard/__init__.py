"""Command-line wiring that assembles MailGuard's parts (``mailguard`` console command)."""
