from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"

    def ready(self):
        # Plug into the bookings app's extension points (bookings never imports evaluations).
        from bookings import extensions
        from evaluations import hooks

        if hooks.certificate_gate not in extensions.certificate_gates:
            extensions.certificate_gates.append(hooks.certificate_gate)
        if hooks.booking_actions not in extensions.booking_actions:
            extensions.booking_actions.append(hooks.booking_actions)
        if hooks.event_panels not in extensions.event_panels:
            extensions.event_panels.append(hooks.event_panels)
