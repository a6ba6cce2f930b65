from django.apps import AppConfig


class CompetencyConfig(AppConfig):
    name = "competency"
    verbose_name = "Competency framework"

    def ready(self):
        # Plug the practitioner's record into "My training" (bookings never imports competency).
        from bookings import extensions
        from competency import hooks

        if hooks.my_training_section not in extensions.my_training_sections:
            extensions.my_training_sections.append(hooks.my_training_section)
