"""Referrals (つなぎ, issue 13): intake, life cycle, personal data (sealed, logged, erased),
what each user may see, retention and key rotation. ``hub.crypto`` is imported here only."""
