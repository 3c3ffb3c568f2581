import factory

from civiquest.accounts.models import Role, User

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.fr")
    role = Role.CITIZEN
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy's signature
        if create:
            obj.save()


class CitizenFactory(UserFactory):
    role = Role.CITIZEN


class AgentFactory(UserFactory):
    role = Role.AGENT
    first_name = "Karim"


class StaffFactory(UserFactory):
    role = Role.STAFF
    first_name = "Sophie"


class SuperuserFactory(StaffFactory):
    is_superuser = True
    is_staff = True
