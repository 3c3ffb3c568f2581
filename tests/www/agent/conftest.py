from tests.quests.fixtures import draft_quest, instructor, mairie, manager, passport  # noqa: F401 - fixtures
