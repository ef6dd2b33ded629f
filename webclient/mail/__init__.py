"""The mail pages: folders, labels, conversations, actions, compose, attachments."""
