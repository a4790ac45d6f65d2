"""The models django-scim2 expects, as the library's own test app declares them: a Group
with the SCIM group mixin and a `name`, a User with the SCIM user mixin on Django's
AbstractUser and a `scim_groups` many-to-many whose reverse accessor is `user_set`
(SCIMGroup.members reads `group.user_set`, SCIMUser.groups reads `user.scim_groups`).

Plus the bearer token the peer's auth hook looks up (a SHA-256 digest). A token is not a
User row, so the SCIM client never shows up in GET /Users."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django_scim.models import AbstractSCIMGroupMixin, AbstractSCIMUserMixin


class Group(AbstractSCIMGroupMixin):
    name = models.CharField("name", max_length=80, unique=True)


class User(AbstractSCIMUserMixin, AbstractUser):
    scim_groups = models.ManyToManyField(Group, related_name="user_set", blank=True)


class Token(models.Model):
    digest = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=80)
    created = models.DateTimeField(auto_now_add=True)

    # What django-scim2's default predicate (`request.user.is_authenticated`) reads.
    is_authenticated = True
    is_anonymous = False

    def __str__(self) -> str:
        return self.name
