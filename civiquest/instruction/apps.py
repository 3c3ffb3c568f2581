from django.apps import AppConfig


class InstructionConfig(AppConfig):
    """The agent's side of a quest: inbox, decisions, messages, notes, deadlines, attestations, exports."""

    name = "civiquest.instruction"
    label = "instruction"
    verbose_name = "Instruction"
