from django.dispatch import Signal

# Sent when what the public reads changes: a version published (now or for later),
# withdrawn, or a scheduled one cancelled. Arguments: sender (the model), version.
content_published = Signal()
