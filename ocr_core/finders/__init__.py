"""Finders of marks on a page: cards, sheets, seals, QR codes, faces, printed frames."""
