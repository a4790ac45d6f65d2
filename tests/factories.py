"""factory_boy factories for plain rows. State with rules (SSO enabled, SCIM tokens) is
made through the real services instead; see conftest.py."""

import factory
from factory.django import DjangoModelFactory

from accounts.models import Account, Group, Organization, Person, PersonEmail


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class AccountFactory(DjangoModelFactory):
    class Meta:
        model = Account
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"account{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    org = factory.SubFactory(OrganizationFactory)
    user_name = factory.Sequence(lambda n: f"person{n}@example.com")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")

    @factory.post_generation
    def with_email(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            PersonEmail.objects.create(person=obj, value=obj.user_name, type="work", primary=True)


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group

    org = factory.SubFactory(OrganizationFactory)
    display_name = factory.Sequence(lambda n: f"Group {n}")
