"""Sign-in with Google, connecting and disconnecting Gmail accounts."""
