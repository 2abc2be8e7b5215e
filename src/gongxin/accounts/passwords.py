"""Password policy (等保 2.0 level 3, OWASP ASVS L2 §2.1): length, character classes, history.

Django's own validators cover length (``MinimumLengthValidator``), likeness to the user's name
and common passwords; these two add what they lack. Both are listed in
``settings.AUTH_PASSWORD_VALIDATORS``, so every form that sets a password (change, set, admin)
applies them, and Django calls ``password_changed`` after every password set, which is where
the history is recorded.
"""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import ngettext


def character_classes(password: str) -> int:
    """How many of the four classes the password uses: upper case, lower case, digits, other.

    "Other" is anything else: punctuation, spaces, and also Chinese characters, which have no
    case; a passphrase in Chinese with digits and a Latin capital counts three classes."""
    upper = any(c.isupper() for c in password)
    lower = any(c.islower() for c in password)
    digit = any(c.isdigit() for c in password)
    other = any(not (c.isupper() or c.islower() or c.isdigit()) for c in password)
    return upper + lower + digit + other


class CharacterClassesValidator:
    """At least ``min_classes`` of the four character classes (default three of four)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_error_message(), code="password_too_uniform",
                                  params={"min_classes": self.min_classes})

    def get_error_message(self):
        return ngettext(
            "This password must use at least %(min_classes)d of: upper-case letters, lower-case letters, "
            "digits, and other characters (punctuation, spaces, Chinese characters).",
            "This password must use at least %(min_classes)d of: upper-case letters, lower-case letters, "
            "digits, and other characters (punctuation, spaces, Chinese characters).",
            self.min_classes,
        ) % {"min_classes": self.min_classes}

    def get_help_text(self):
        return ngettext(
            "Your password must use at least %(min_classes)d of: upper-case letters, lower-case letters, "
            "digits, and other characters.",
            "Your password must use at least %(min_classes)d of: upper-case letters, lower-case letters, "
            "digits, and other characters.",
            self.min_classes,
        ) % {"min_classes": self.min_classes}


class PasswordHistoryValidator:
    """Not the current password nor any of the previous ones, ``history`` passwords in all
    (default five: the current one and the four before it).

    Each check is a full hash computation, so the cost of a password change grows with
    ``history``; five is the level-3 requirement and costs a few seconds at most."""

    def __init__(self, history: int = 5):
        self.history = history

    def _recent_hashes(self, user) -> list[str]:
        from gongxin.accounts.models import PasswordHistory

        hashes = [user.password] if user.password else []
        for encoded in PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.history]:
            if encoded not in hashes:
                hashes.append(encoded)
        return hashes[: self.history]

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return  # a new account has no history
        # hashers.check_password, not user.check_password: the latter re-hashes and saves the
        # user when the hasher changed, a side effect a validator must not have.
        if any(check_password(password, encoded) for encoded in self._recent_hashes(user)):
            raise ValidationError(self.get_error_message(), code="password_reused",
                                  params={"history": self.history})

    def password_changed(self, password, user):
        """Called by Django after the new password is saved: remember its hash, forget the
        ones beyond the history, and note when it changed."""
        from gongxin.accounts.models import PasswordHistory, User

        now = timezone.now()
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = list(PasswordHistory.objects.filter(user=user).values_list("id", flat=True)[: self.history])
        PasswordHistory.objects.filter(user=user).exclude(id__in=keep).delete()
        User.objects.filter(pk=user.pk).update(password_changed_at=now)
        user.password_changed_at = now

    def get_error_message(self):
        return ngettext(
            "This password was used recently: choose one different from your last password.",
            "This password was used recently: choose one different from your last %(history)d passwords.",
            self.history,
        ) % {"history": self.history}

    def get_help_text(self):
        return ngettext(
            "Your password cannot be the same as your last password.",
            "Your password cannot be one of your last %(history)d passwords.",
            self.history,
        ) % {"history": self.history}

