from tests.quests.fixtures import (  # noqa: F401 - fixtures shared with the procedures tests
    draft_quest,
    instructor,
    mairie,
    passport,
    ready_quest,
)
