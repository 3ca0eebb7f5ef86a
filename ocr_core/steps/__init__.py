"""The steps every service composes, in the order a page goes through them: decode, orient,
locate, read (and read again), extract."""
