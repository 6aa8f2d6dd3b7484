"""A CFA's contracts and their échéanciers; case-insensitive text search."""
